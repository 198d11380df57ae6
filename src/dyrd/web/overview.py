"""Page model of the region overview: choropleth, key figures, ranking, sortable city table.

Query parameters arrive as raw strings; anything unusable becomes a bilingual notice and a
fallback (gdp, latest year; sort by code), never an error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd.region import service as region
from dyrd.region.schemas import CityRead, IndicatorRead, StatisticValue
from dyrd.web import mapsvg
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.common import Cell, Kpi, Notice, cell, clip, indicator_values, name_in, notice
from dyrd.web.i18n import Lang, t, unit_label

DEFAULT_INDICATOR = region.HEADLINE_GDP
POPULATION = region.HEADLINE_POPULATION
TEXT_SORTS = ("code", "name", "province")
NUMBER_SORTS = ("population", "gdp", "area", "value")
SORT_KEYS = TEXT_SORTS + NUMBER_SORTS


@dataclass(frozen=True, slots=True)
class IndicatorOption:
    """An entry of the indicator selector."""

    code: str
    name: str
    unit: str
    years: tuple[int, ...]
    selected: bool


@dataclass(frozen=True, slots=True)
class RankItem:
    """One row of the ranking panel."""

    rank: int
    code: str
    name: str
    text: str
    width: float


@dataclass(frozen=True, slots=True)
class Column:
    """A header of the city table with its sort link."""

    key: str
    label: str
    unit: str
    numeric: bool
    href: str
    sorted: str  # "ascending" / "descending" / "none" (aria-sort)


@dataclass(frozen=True, slots=True)
class CityRow:
    """One row of the city table."""

    code: str
    name: str
    name_other: str
    province: str
    province_code: str
    href: str
    cells: Mapping[str, Cell]


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the overview page shows."""

    notices: tuple[Notice, ...]
    indicator: IndicatorOption | None
    options: tuple[IndicatorOption, ...]
    year: int | None
    map: ChoroplethMap
    kpis: tuple[Kpi, ...]
    ranking: tuple[RankItem, ...]
    columns: tuple[Column, ...]
    rows: tuple[CityRow, ...]
    sort: str
    order: str
    empty: bool


def _resolve_indicator(
    usable: Sequence[IndicatorRead], given: str | None, notices: list[Notice]
) -> tuple[IndicatorRead | None, bool]:
    """The indicator to show and whether the requested one was used."""
    by_code = {i.code: i for i in usable}
    default = by_code.get(DEFAULT_INDICATOR) or (usable[0] if usable else None)
    if not given:
        return default, True
    if given in by_code:
        return by_code[given], True
    if default is not None:
        notices.append(
            notice(
                "notice.bad_indicator",
                given=clip(given),
                fallback=lambda lg: name_in(default, lg),
            )
        )
    return default, False


def _resolve_year(
    indicator: IndicatorRead | None, given: str | None, notices: list[Notice], *, check: bool
) -> int | None:
    if indicator is None or not indicator.years:
        return None
    latest = max(indicator.years)
    if not given or not check:
        return latest
    try:
        year = int(given)
    except ValueError:
        year = None
    if year in indicator.years:
        return year
    notices.append(
        notice(
            "notice.bad_year",
            indicator=lambda lg: name_in(indicator, lg),
            given=clip(given),
            fallback=latest,
        )
    )
    return latest


def _sum_kpi(label: str, values: Mapping[str, StatisticValue], n_cities: int, lang: Lang) -> Kpi:
    if not values:
        return Kpi(label=label, value=t("kpi.none", lang))
    stats = list(values.values())
    unit = stats[0].unit
    total = sum(s.value for s in stats)
    sources = sorted({s.source for s in stats})
    source = sources[0] if len(sources) == 1 else t("source.several", lang, n=len(sources))
    note = t("kpi.partial", lang, n=len(stats), total=n_cities) if len(stats) < n_cities else ""
    return Kpi(
        label=label,
        value=mapsvg.format_value(total, unit),
        unit=unit_label(unit, lang),
        note=note,
        year=stats[0].year,
        source=source,
    )


def _headline_values(
    session: Session, by_code: Mapping[str, IndicatorRead], code: str
) -> dict[str, StatisticValue]:
    ind = by_code.get(code)
    if ind is None or not ind.years:
        return {}
    return indicator_values(session, code, max(ind.years))


def _sort_rows(rows: Sequence[CityRow], key: str, order: str) -> list[CityRow]:
    """Rows sorted by ``key``; missing numbers always go last, whatever the order."""
    reverse = order == "desc"
    if key == "code":
        return sorted(rows, key=lambda r: r.code, reverse=reverse)
    if key == "name":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.code), reverse=reverse)
    if key == "province":
        return sorted(rows, key=lambda r: (r.province_code, r.code), reverse=reverse)
    have = [r for r in rows if r.cells[key].value is not None]
    missing = [r for r in rows if r.cells[key].value is None]
    have.sort(key=lambda r: (r.cells[key].value or 0.0, r.code), reverse=reverse)
    return have + sorted(missing, key=lambda r: r.code)


def default_order(key: str) -> str:
    """Numbers sort largest first by default, text A-Z."""
    return "desc" if key in NUMBER_SORTS else "asc"


def _resolve_sort(sort: str | None, order: str | None, notices: list[Notice]) -> tuple[str, str]:
    key = sort or "code"
    if key not in SORT_KEYS:
        notices.append(notice("notice.bad_sort", given=clip(key)))
        key = "code"
    return key, order if order in ("asc", "desc") else default_order(key)


def _ranking(
    values: Mapping[str, StatisticValue], by_city: Mapping[str, CityRead], lang: Lang
) -> tuple[RankItem, ...]:
    top = max((v.value for v in values.values()), default=0.0)
    ranked = sorted(values.items(), key=lambda kv: (-kv[1].value, kv[0]))
    return tuple(
        RankItem(
            rank=i,
            code=code,
            name=name_in(by_city[code], lang) if code in by_city else code,
            text=mapsvg.format_value(v.value, v.unit),
            width=mapsvg.bar_width(v.value, top),
        )
        for i, (code, v) in enumerate(ranked, start=1)
    )


def _rows(
    cities: Sequence[CityRead],
    columns: Mapping[str, Mapping[str, StatisticValue]],
    lang: Lang,
) -> list[CityRow]:
    rows: list[CityRow] = []
    for c in cities:
        area = (
            Cell(c.area_km2, mapsvg.format_number(c.area_km2, 0))
            if c.area_km2 is not None
            else cell(None, lang)
        )
        cells = {key: cell(values.get(c.code), lang) for key, values in columns.items()}
        rows.append(
            CityRow(
                code=c.code,
                name=name_in(c, lang),
                name_other=c.name_en if lang == "zh" else c.name_zh,
                province=c.province_zh if lang == "zh" else c.province_en,
                province_code=c.province_code,
                href=f"/cities/{c.code}",
                cells={**cells, "area": area},
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class _Selection:
    indicator: IndicatorRead | None
    year: int | None
    sort: str
    order: str


def _column(sel: _Selection, key: str, label: str, unit: str = "") -> Column:
    active = key == sel.sort
    next_order = ("asc" if sel.order == "desc" else "desc") if active else default_order(key)
    params = {
        "indicator": sel.indicator.code if sel.indicator else None,
        "year": sel.year,
        "sort": key,
        "order": next_order,
    }
    href = "?" + urlencode({k: v for k, v in params.items() if v is not None}) + "#cities"
    aria = ("ascending" if sel.order == "asc" else "descending") if active else "none"
    return Column(key, label, unit, key in NUMBER_SORTS, href, aria)


def _unit_and_year(
    ind: IndicatorRead | None, values: Mapping[str, StatisticValue], lang: Lang
) -> str:
    if ind is None:
        return ""
    label = unit_label(ind.unit, lang)
    first = next(iter(values.values()), None)
    return f"{label} · {first.year}" if first is not None else label


def overview(
    session: Session,
    *,
    lang: Lang,
    indicator: str | None = None,
    year: str | None = None,
    sort: str | None = None,
    order: str | None = None,
) -> Overview:
    """The region overview: choropleth, key figures, ranking and the sortable city table."""
    notices: list[Notice] = []
    usable = [i for i in region.list_indicators(session) if i.years]
    by_code = {i.code: i for i in usable}
    chosen, valid = _resolve_indicator(usable, indicator, notices)
    chosen_year = _resolve_year(chosen, year, notices, check=valid)
    sort_key, sort_order = _resolve_sort(sort, order, notices)
    sel = _Selection(chosen, chosen_year, sort_key, sort_order)

    cities = region.list_cities(session)
    by_city = {c.code: c for c in cities}
    values = (
        indicator_values(session, chosen.code, chosen_year)
        if chosen is not None and chosen_year is not None
        else {}
    )
    choropleth = build_map(
        region.boundaries(session).features,
        by_city,
        values,
        lang=lang,
        unit=chosen.unit if chosen is not None else "",
    )

    population = _headline_values(session, by_code, POPULATION)
    gdp = _headline_values(session, by_code, DEFAULT_INDICATOR)
    kpis = (
        Kpi(
            label=t("kpi.cities", lang),
            value=str(len(cities)),
            note=t("kpi.cities.note", lang, n=len({c.province_code for c in cities})),
        ),
        _sum_kpi(t("kpi.population", lang), population, len(cities), lang),
        _sum_kpi(t("kpi.gdp", lang), gdp, len(cities), lang),
        Kpi(
            label=t("kpi.coverage", lang),
            value=f"{len(values)}/{len(cities)}",
            note=t("kpi.coverage.note", lang),
            year=chosen_year,
        ),
    )

    options = tuple(
        IndicatorOption(
            code=i.code,
            name=name_in(i, lang),
            unit=unit_label(i.unit, lang),
            years=tuple(sorted(i.years, reverse=True)),
            selected=chosen is not None and i.code == chosen.code,
        )
        for i in usable
    )

    columns = [
        _column(sel, "code", t("col.code", lang)),
        _column(sel, "name", t("col.city", lang)),
        _column(sel, "province", t("col.province", lang)),
        _column(
            sel,
            "population",
            t("col.population", lang),
            _unit_and_year(by_code.get(POPULATION), population, lang),
        ),
        _column(
            sel,
            "gdp",
            t("col.gdp", lang),
            _unit_and_year(by_code.get(DEFAULT_INDICATOR), gdp, lang),
        ),
        _column(sel, "area", t("col.area", lang), unit_label("km2", lang)),
    ]
    if chosen is not None and chosen.code not in (POPULATION, DEFAULT_INDICATOR):
        columns.append(
            _column(sel, "value", name_in(chosen, lang), _unit_and_year(chosen, values, lang))
        )
    rows = _rows(cities, {"population": population, "gdp": gdp, "value": values}, lang)

    return Overview(
        notices=tuple(notices),
        indicator=next((o for o in options if o.selected), None),
        options=options,
        year=chosen_year,
        map=choropleth,
        kpis=kpis,
        ranking=_ranking(values, by_city, lang),
        columns=tuple(columns),
        rows=tuple(_sort_rows(rows, sort_key, sort_order)),
        sort=sort_key,
        order=sort_order,
        empty=not usable,
    )
