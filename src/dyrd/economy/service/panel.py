"""Values of catalog indicators for cities and years, read from the region's statistics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dyrd.core.errors import NotFoundError
from dyrd.economy.compute.catalog import CATALOG, Missing, inputs_of, value_of
from dyrd.economy.errors import UnknownIndicator
from dyrd.economy.schemas import IndicatorRead, MissingValue
from dyrd.economy.types import Observation
from dyrd.region import service as region


@dataclass(frozen=True, slots=True)
class CityInfo:
    """What the economy domain needs to know about a city."""

    code: str
    name_zh: str
    name_en: str
    province_code: str


def cities(session: Session) -> list[CityInfo]:
    """The region's cities in code order."""
    return [
        CityInfo(c.code, c.name_zh, c.name_en, c.province_code) for c in region.list_cities(session)
    ]


def check_indicator(code: str) -> None:
    """Refuse a name that is not in the catalog, listing the known ones."""
    if code not in CATALOG:
        raise UnknownIndicator(
            f"No indicator {code!r} in the economy catalog.",
            f"经济指标目录中没有 {code}。",
            hint="List them with `dyrd economy indicators` or GET /api/v1/economy/indicators; "
            f"for example {', '.join(list(CATALOG)[:6])}.",
        )


def _stored_years(session: Session) -> dict[str, list[int]]:
    return {i.code: list(i.years) for i in region.list_indicators(session)}


def list_indicators(session: Session) -> list[IndicatorRead]:
    """The catalog with, for each indicator, the years that have values of every input."""
    years = _stored_years(session)
    out: list[IndicatorRead] = []
    for spec in CATALOG.values():
        sets = [set(years.get(c, ())) for c in inputs_of(spec.code)]
        common = sorted(set.intersection(*sets)) if sets else []
        reason = reason_zh = None
        if not common:
            reason, reason_zh = _no_data_reason(spec.code, years)
        out.append(
            IndicatorRead(
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                concept=spec.concept,
                concept_zh=spec.concept.zh,
                direction=spec.direction,
                unit=spec.unit,
                definition=spec.definition,
                derived=spec.formula is not None,
                inputs=list(inputs_of(spec.code)) if spec.formula is not None else [],
                in_default_index=spec.in_default_index,
                reference=spec.reference,
                years=common,
                no_data_reason=reason,
                no_data_reason_zh=reason_zh,
            )
        )
    return out


def _no_data_reason(code: str, years: dict[str, list[int]]) -> tuple[str, str]:
    """Why an indicator has no year with values: each empty input's data gap, or no common year."""
    empty = [c for c in inputs_of(code) if not years.get(c)]
    if not empty:
        return (
            "its inputs have values in different years only (a ratio never mixes years)",
            "各输入指标无共同年份",
        )
    en: list[str] = []
    zh: list[str] = []
    for c in empty:
        spec = CATALOG[c]
        en.append(f"{c}: {spec.data_gap or 'no stored values; import them'}")
        zh.append(f"{c}：{spec.data_gap_zh or '未存储数值，请导入'}")
    return " | ".join(en), "｜".join(zh)


@dataclass
class Panel:
    """Values of some catalog indicators for the cities in some years, and what is missing."""

    indicators: tuple[str, ...]
    years: tuple[int, ...]
    cities: list[CityInfo]
    values: dict[tuple[str, int, str], Observation] = field(default_factory=dict)
    """(indicator, year, city) -> value."""
    missing: list[MissingValue] = field(default_factory=list)

    def column(self, indicator: str, year: int, codes: Iterable[str]) -> list[float]:
        """Values of one indicator and year for the given cities (all present)."""
        return [self.values[(indicator, year, c)].value for c in codes]

    def sources(self) -> list[str]:
        """Every distinct source behind the values, in first-seen order."""
        return list(dict.fromkeys(o.source for o in self.values.values()))


def read_panel(session: Session, indicators: Sequence[str], years: Sequence[int]) -> Panel:
    """Catalog indicators for every city and year; missing values listed with their reason."""
    for code in indicators:
        check_indicator(code)
    city_list = cities(session)
    base = sorted({b for code in indicators for b in inputs_of(code)})
    panel = Panel(tuple(indicators), tuple(years), city_list)
    for year in years:
        stored: dict[str, dict[str, Observation]] = {}
        for code in base:
            try:
                rows = region.indicator_values(session, code, year)
            except NotFoundError:  # never imported: every value missing
                rows = {}
            stored[code] = {c: Observation(s.value, s.unit, s.source) for c, s in rows.items()}
        for code in indicators:
            for city in city_list:
                got = value_of(code, stored, city.code, year)
                if isinstance(got, Missing):
                    panel.missing.append(
                        MissingValue(
                            city_code=city.code,
                            indicator=code,
                            year=year,
                            reason=got.reason,
                            reason_zh=got.reason_zh,
                        )
                    )
                else:
                    panel.values[(code, year, city.code)] = got
    return panel
