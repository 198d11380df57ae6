"""Page model of one city: profile, every indicator with rank, sector split, locator map."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd.region import service as region
from dyrd.region.schemas import IndicatorRead, StatisticValue
from dyrd.web import mapsvg
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.common import Cell, Kpi, cell, name_in
from dyrd.web.i18n import Lang, t, unit_label

SECTORS = ("gdp_primary", "gdp_secondary", "gdp_tertiary")
SECTOR_COLORS = ("#6fbf73", "#4f9fd8", "#f2c14e")
# Order of indicators on the city page; indicators not listed follow by code.
PREFERRED_ORDER = (
    region.HEADLINE_POPULATION,
    region.HEADLINE_GDP,
    *SECTORS,
    "share_pop_age60plus",
    "hospital_beds_per_1000",
    "doctors_per_1000",
    "nurses_per_1000",
)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator of a city: value, unit, year, source and rank among the cities."""

    code: str
    name: str
    cell: Cell
    unit: str
    rank: str


@dataclass(frozen=True, slots=True)
class SectorBar:
    """One segment of the GDP-by-sector bar."""

    label: str
    text: str
    share: float
    share_text: str
    colour: str
    x: float


@dataclass(frozen=True, slots=True)
class CityPage:
    """Everything the city page shows."""

    code: str
    name: str
    name_zh: str
    name_en: str
    province: str
    province_code: str
    centroid: str
    area: Cell
    kpis: tuple[Kpi, ...]
    indicators: tuple[IndicatorRow, ...]
    sectors: Sectors
    locator: ChoroplethMap


def _indicator_order(indicators: Iterable[IndicatorRead]) -> list[IndicatorRead]:
    rank = {code: i for i, code in enumerate(PREFERRED_ORDER)}
    return sorted(indicators, key=lambda i: (rank.get(i.code, len(rank)), i.code))


def _format_centroid(lat: float, lon: float) -> str:
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.4f}°{ns}, {abs(lon):.4f}°{ew}"


def _indicator_rows(
    session: Session,
    indicators: Iterable[IndicatorRead],
    by_indicator: Mapping[str, list[StatisticValue]],
    lang: Lang,
) -> list[IndicatorRow]:
    """Every indicator, newest year first; one 无数据 row for an indicator with no value."""
    rows: list[IndicatorRow] = []
    for ind in indicators:
        stats = sorted(by_indicator.get(ind.code, []), key=lambda s: s.year, reverse=True)
        if not stats:
            rows.append(
                IndicatorRow(
                    ind.code, name_in(ind, lang), cell(None, lang), unit_label(ind.unit, lang), ""
                )
            )
        for stat in stats:
            peers = region.indicator_values(session, ind.code, stat.year)
            rank = 1 + sum(1 for p in peers.values() if p.value > stat.value)
            rows.append(
                IndicatorRow(
                    ind.code,
                    name_in(ind, lang),
                    cell(stat, lang),
                    unit_label(stat.unit, lang),
                    f"{rank}/{len(peers)}",
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class Sectors:
    """The GDP split by sector in the newest year that has all three values."""

    year: int | None
    unit: str
    bars: tuple[SectorBar, ...]


def sector_split(by_indicator: Mapping[str, list[StatisticValue]], lang: Lang) -> Sectors:
    """Shares of primary, secondary and tertiary value added (empty when a year lacks one)."""
    by_year = {code: {s.year: s for s in by_indicator.get(code, [])} for code in SECTORS}
    common = set.intersection(*(set(v) for v in by_year.values()))
    if not common:
        return Sectors(None, "", ())
    year = max(common)
    parts = [by_year[code][year] for code in SECTORS]
    total = sum(p.value for p in parts)
    bars: list[SectorBar] = []
    x = 0.0
    for sector, part, colour in zip(SECTORS, parts, SECTOR_COLORS, strict=True):
        share = part.value / total if total > 0 else 0.0
        bars.append(
            SectorBar(
                label=t(f"sector.{sector.removeprefix('gdp_')}", lang),
                text=mapsvg.format_value(part.value, part.unit),
                share=round(share * 100, 2),
                share_text=f"{share * 100:.1f}%",
                colour=colour,
                x=round(x * 100, 2),
            )
        )
        x += share
    return Sectors(year, unit_label(parts[0].unit, lang), tuple(bars))


def _kpis(rows: Sequence[IndicatorRow], area: Cell, lang: Lang) -> tuple[Kpi, ...]:
    """Headline cards: population and GDP (newest year, with rank), area, indicator coverage."""
    out: list[Kpi] = []
    for code in (region.HEADLINE_POPULATION, region.HEADLINE_GDP):
        row = next((r for r in rows if r.code == code), None)
        if row is None:
            continue
        out.append(
            Kpi(
                label=row.name,
                value=row.cell.text,
                unit=row.unit if not row.cell.missing else "",
                note=t("city.rank", lang, rank=row.rank) if row.rank else "",
                year=row.cell.year,
                source=row.cell.source,
            )
        )
    out.append(
        Kpi(
            label=t("city.area", lang),
            value=area.text,
            unit=unit_label("km2", lang) if not area.missing else "",
        )
    )
    with_data = len({r.code for r in rows if not r.cell.missing})
    out.append(
        Kpi(
            label=t("city.coverage", lang),
            value=f"{with_data}/{len({r.code for r in rows})}",
            note=t("city.coverage.note", lang),
        )
    )
    return tuple(out)


def city_page(session: Session, code: str, *, lang: Lang) -> CityPage:
    """One city: profile, every indicator with its rank, sector split and a locator map.

    Raises NotFoundError for an unknown code (the route renders the 404 page).
    """
    detail = region.get_city(session, code)
    by_indicator: dict[str, list[StatisticValue]] = {}
    for s in detail.statistics:
        by_indicator.setdefault(s.indicator, []).append(
            StatisticValue(value=s.value, year=s.year, unit=s.unit, source=s.source)
        )
    indicators = _indicator_order(region.list_indicators(session))
    cities = {c.code: c for c in region.list_cities(session)}
    locator = build_map(
        region.boundaries(session).features,
        cities,
        None,
        lang=lang,
        highlight=detail.code,
        width=600.0,
        min_step=1.5,
    )
    area = (
        Cell(detail.area_km2, mapsvg.format_number(detail.area_km2, 0))
        if detail.area_km2 is not None
        else cell(None, lang)
    )
    rows = _indicator_rows(session, indicators, by_indicator, lang)
    return CityPage(
        code=detail.code,
        name=detail.name_zh if lang == "zh" else detail.name_en,
        name_zh=detail.name_zh,
        name_en=detail.name_en,
        province=detail.province_zh if lang == "zh" else detail.province_en,
        province_code=detail.province_code,
        centroid=_format_centroid(detail.lat, detail.lon),
        area=area,
        kpis=_kpis(rows, area, lang),
        indicators=tuple(rows),
        sectors=sector_split(by_indicator, lang),
        locator=locator,
    )
