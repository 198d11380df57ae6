"""Recommended response levels: bands, growth escalation, capacity, declared-level look-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dyrd.epidemic.compute.response_levels import (
    CityOutlook,
    DeclaredPeriod,
    LevelThresholds,
    ResponseLevel,
    declared_level,
    recommend,
)

BASE = CityOutlook(
    code="330300",
    name_zh="温州市",
    name_en="Wenzhou",
    population=1_000_000.0,
    observed_week_cases=100.0,
    forecast_week_cases=100.0,
    forecast_week2_cases=100.0,
    hospital_beds=None,
)


@pytest.mark.parametrize(
    ("week", "level"),
    [
        (50.0, ResponseLevel.IV),
        (150.0, ResponseLevel.III),
        (600.0, ResponseLevel.II),
        (1500.0, ResponseLevel.I),
    ],
)
def test_incidence_bands(week: float, level: ResponseLevel) -> None:
    out = recommend(
        replace(BASE, observed_week_cases=week, forecast_week_cases=week, forecast_week2_cases=week)
    )
    assert out.level is level
    assert out.incidence_per_100k == pytest.approx(week / 10.0)
    assert "hospital beds are missing" in out.reason_en
    assert "缺少医院床位" in out.reason_zh


def test_growth_raises_one_level() -> None:
    out = recommend(
        replace(
            BASE, observed_week_cases=50.0, forecast_week_cases=90.0, forecast_week2_cases=150.0
        )
    )
    assert out.level is ResponseLevel.II  # 15 per 100k -> III, tripling -> II
    assert out.growth_ratio == pytest.approx(3.0)
    assert "grow 3.0x" in out.reason_en


def test_capacity_sets_a_floor() -> None:
    # 2 x 100 cases against 1000 beds = 20% >= 15% -> level I whatever the incidence band.
    out = recommend(replace(BASE, hospital_beds=1000.0))
    assert out.level is ResponseLevel.I
    assert out.bed_share == pytest.approx(0.2)
    roomy = recommend(replace(BASE, hospital_beds=1e6))
    assert roomy.level is ResponseLevel.III


def test_thresholds_are_configurable_and_checked() -> None:
    strict = LevelThresholds(incidence_level_iii=1.0, incidence_level_ii=5.0, incidence_level_i=8.0)
    assert recommend(BASE, strict).level is ResponseLevel.I
    with pytest.raises(ValueError, match="increasing"):
        LevelThresholds(incidence_level_iii=50.0, incidence_level_ii=10.0)
    with pytest.raises(ValueError, match="bed-share"):
        LevelThresholds(bed_share_level_ii=0.5, bed_share_level_i=0.2)
    with pytest.raises(ValueError, match="finite"):
        recommend(replace(BASE, forecast_week_cases=float("nan")))


def test_declared_level_lookup() -> None:
    periods = [
        DeclaredPeriod("330000", ResponseLevel.I, date(2020, 1, 23), date(2020, 3, 2)),
        DeclaredPeriod("330000", ResponseLevel.II, date(2020, 3, 2), date(2020, 3, 23)),
        DeclaredPeriod("330000", ResponseLevel.III, date(2020, 3, 23), None),
    ]
    assert declared_level(periods, "330000", date(2020, 1, 22)) is None
    assert declared_level(periods, "330000", date(2020, 1, 23)) is ResponseLevel.I
    assert declared_level(periods, "330000", date(2020, 3, 2)) is ResponseLevel.II
    assert declared_level(periods, "330000", date(2020, 6, 1)) is ResponseLevel.III
    assert declared_level(periods, "320000", date(2020, 2, 1)) is None


def test_reason_keeps_roman_numerals_and_names_new_cases() -> None:
    out = recommend(replace(BASE, observed_week_cases=0.0, forecast_week2_cases=5.0))
    assert "level IV" in out.reason_en or "level III" in out.reason_en
    assert out.reason_en[0].isupper()
    assert "none were reported" in out.reason_en
    assert out.growth_ratio is None
