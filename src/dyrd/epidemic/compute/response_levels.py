"""Recommended public-health emergency response level (I-IV) per city; pure numpy/stdlib.

China's National Emergency Plan for Public Health Emergencies (国家突发公共卫生事件应急预案, State
Council 2006) has four levels, I (特别重大, most serious) to IV (一般, general), but defines them in
words, not in incidence figures. The figures below are therefore a published, configurable policy
choice of this platform, each anchored to a public source:

* Incidence bands (new reported cases per 100 000 over 7 days): the US CDC "level of community
  transmission" bands, 10 / 50 / 100 per 100k per 7 days (CDC, "Indicators for Dynamic School
  Decision-Making", Sept 2020; CDC COVID Data Tracker): low -> IV, moderate -> III,
  substantial -> II, high -> I.
* Health-care capacity: US CDC COVID-19 Community Levels (Feb 2022) flag 10% and 15% of inpatient
  beds occupied by COVID-19 patients. In China in 2020 every confirmed case was admitted
  (应收尽收, WHO-China Joint Mission report, Feb 2020), so the forecast reported cases of the next
  ``capacity_window_days`` stand in for bed demand against the city's beds (region statistics).
* Growth: a forecast week-over-week ratio of at least 2 (weekly doubling) raises the level by one.
  This one is our own choice (no published threshold), and it is configurable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import IntEnum


class ResponseLevel(IntEnum):
    """Level I (1, most serious) to IV (4, general); lower number = more serious."""

    I = 1  # noqa: E741 - the official Roman numeral names of the levels
    II = 2
    III = 3
    IV = 4

    @property
    def roman(self) -> str:
        """ "I", "II", "III" or "IV"."""
        return self.name

    @property
    def zh(self) -> str:
        """Chinese name as in the 2006 national plan."""
        return _LEVEL_ZH[self]


_LEVEL_ZH = {
    ResponseLevel.I: "一级（特别重大）",
    ResponseLevel.II: "二级（重大）",
    ResponseLevel.III: "三级（较大）",
    ResponseLevel.IV: "四级（一般）",
}


@dataclass(frozen=True, slots=True)
class LevelThresholds:
    """Configurable thresholds; defaults cited in the module docstring."""

    # CDC community-transmission bands, new cases per 100k per 7 days: III, II, I from here up.
    incidence_level_iii: float = 10.0
    incidence_level_ii: float = 50.0
    incidence_level_i: float = 100.0
    # Weekly doubling raises one level (platform choice; see module docstring).
    growth_escalation_ratio: float = 2.0
    # CDC Community Levels: share of beds needed by COVID-19 patients for "medium" and "high".
    bed_share_level_ii: float = 0.10
    bed_share_level_i: float = 0.15
    # A reported case occupies a bed about two weeks: WHO-China Joint Mission report (Feb 2020),
    # "time from onset to clinical recovery for mild cases is approximately 2 weeks".
    capacity_window_days: int = 14

    def __post_init__(self) -> None:
        bands = (self.incidence_level_iii, self.incidence_level_ii, self.incidence_level_i)
        if not all(math.isfinite(b) and b > 0 for b in bands) or not (
            bands[0] < bands[1] < bands[2]
        ):
            raise ValueError("incidence thresholds must be positive and increasing (III < II < I)")
        if not (0.0 < self.bed_share_level_ii < self.bed_share_level_i <= 1.0):
            raise ValueError("bed-share thresholds must satisfy 0 < II < I <= 1")
        if not (self.growth_escalation_ratio > 1.0 and math.isfinite(self.growth_escalation_ratio)):
            raise ValueError("the growth escalation ratio must be a finite number above 1")
        if self.capacity_window_days < 1:
            raise ValueError("the capacity window must be at least one day")


@dataclass(frozen=True, slots=True)
class CityOutlook:
    """What the recommendation uses for one city."""

    code: str
    name_zh: str
    name_en: str
    population: float
    observed_week_cases: float
    """Reported cases in the last observed 7 days."""
    forecast_week_cases: float
    """Median forecast of reported cases in the next 7 days."""
    forecast_week2_cases: float
    """Median forecast of reported cases in days 8-14."""
    hospital_beds: float | None
    """Total hospital beds (per-1000 rate x population / 1000); None when missing."""


@dataclass(frozen=True, slots=True)
class LevelRecommendation:
    """Recommended level with the figures and the reason behind it."""

    code: str
    level: ResponseLevel
    incidence_per_100k: float
    growth_ratio: float | None
    bed_share: float | None
    reason_zh: str
    reason_en: str


def _band(incidence: float, t: LevelThresholds) -> ResponseLevel:
    if incidence >= t.incidence_level_i:
        return ResponseLevel.I
    if incidence >= t.incidence_level_ii:
        return ResponseLevel.II
    if incidence >= t.incidence_level_iii:
        return ResponseLevel.III
    return ResponseLevel.IV


def recommend(
    outlook: CityOutlook, thresholds: LevelThresholds | None = None
) -> LevelRecommendation:
    """The recommended level of one city, with a plain-language reason in Chinese and English."""
    t = thresholds or LevelThresholds()
    values = (
        outlook.population,
        outlook.observed_week_cases,
        outlook.forecast_week_cases,
        outlook.forecast_week2_cases,
    )
    if not all(math.isfinite(v) for v in values) or outlook.population <= 0 or min(values) < 0:
        raise ValueError(f"city {outlook.code}: population and case counts must be finite and >= 0")
    peak_week = max(outlook.forecast_week_cases, outlook.forecast_week2_cases)
    incidence = peak_week / outlook.population * 1e5
    level = _band(incidence, t)
    zh = [f"未来两周预测周新增病例峰值为每10万人 {incidence:.1f} 例，对应{level.zh}"]
    en = [
        f"forecast peak weekly reported cases over the next two weeks are {incidence:.1f} per "
        f"100k, which maps to level {level.roman}"
    ]
    growth: float | None = None
    if outlook.observed_week_cases > 0:
        growth = outlook.forecast_week2_cases / outlook.observed_week_cases
    elif outlook.forecast_week2_cases > 0:
        growth = math.inf
    if growth is not None and growth >= t.growth_escalation_ratio and level > ResponseLevel.I:
        level = ResponseLevel(level - 1)
        if math.isinf(growth):
            zh.append(f"上周无报告病例而预测将出现病例，上调一级至{level.zh}")
            en.append(
                "cases are forecast where none were reported in the last week, raising it one "
                f"level to {level.roman}"
            )
        else:
            zh.append(
                f"预测病例较上周增长 {growth:.1f} 倍（≥{t.growth_escalation_ratio:g}），"
                f"上调一级至{level.zh}"
            )
            en.append(
                f"cases are forecast to grow {growth:.1f}x on the last observed week "
                f"(>= {t.growth_escalation_ratio:g}x), raising it one level to {level.roman}"
            )
    share: float | None = None
    if outlook.hospital_beds is None or outlook.hospital_beds <= 0:
        zh.append("缺少医院床位数据，未评估医疗承载力")
        en.append("hospital beds are missing, so health-care capacity was not assessed")
    else:
        window_cases = (outlook.forecast_week_cases + outlook.forecast_week2_cases) * (
            t.capacity_window_days / 14.0
        )
        share = window_cases / outlook.hospital_beds
        floor = ResponseLevel.IV
        if share >= t.bed_share_level_i:
            floor = ResponseLevel.I
        elif share >= t.bed_share_level_ii:
            floor = ResponseLevel.II
        if floor < level:
            level = floor
            zh.append(f"预计收治需求占医院床位 {share:.1%}，上调至{level.zh}")
            en.append(
                f"expected admissions would need {share:.1%} of hospital beds, "
                f"raising it to {level.roman}"
            )
        else:
            zh.append(f"预计收治需求占医院床位 {share:.1%}")
            en.append(f"expected admissions would need {share:.1%} of hospital beds")
    return LevelRecommendation(
        code=outlook.code,
        level=level,
        incidence_per_100k=incidence,
        growth_ratio=None if growth is None or math.isinf(growth) else growth,
        bed_share=share,
        reason_zh="；".join(zh) + "。",
        reason_en=_sentence("; ".join(en)),
    )


def _sentence(text: str) -> str:
    """First letter upper case (``str.capitalize`` would lower "IV" to "iv"), full stop."""
    return text[:1].upper() + text[1:] + "."


@dataclass(frozen=True, slots=True)
class DeclaredPeriod:
    """A level declared by a province-level jurisdiction, in force from ``start`` until ``end``."""

    jurisdiction_code: str
    level: ResponseLevel
    start: date
    end: date | None


def declared_level(
    periods: list[DeclaredPeriod], province_code: str, on: date
) -> ResponseLevel | None:
    """The level in force in a province on a day (start inclusive, end exclusive); None if none."""
    for p in periods:
        if p.jurisdiction_code == province_code and p.start <= on and (p.end is None or on < p.end):
            return p.level
    return None
