"""Pure value types of the region domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndicatorDefinition:
    """What an indicator measures, in which unit, with bilingual names."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class StatisticRecord:
    """One long-form statistic: (city, indicator, year, value, unit, source)."""

    city_code: str
    indicator: str
    year: int
    value: float
    unit: str
    source: str
