"""Forecast, backtest, response levels and scenarios on the bundled 2020 series."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy.orm import Session

from dyrd.epidemic.compute.scenarios import InterventionKind
from dyrd.epidemic.errors import InvalidParameter, UnknownCity
from dyrd.epidemic.schemas import Comparison, InterventionIn, ScenarioRequest
from dyrd.epidemic.service.forecasts import backtest, forecast
from dyrd.epidemic.service.levels import declared_periods, response_levels
from dyrd.epidemic.service.scenarios import scenario

WENZHOU = "330300"


def test_forecast_gives_four_weekly_horizons_of_23_quantiles(session: Session) -> None:
    rep = forecast(session, origin=date(2020, 2, 12), n_members=40, seed=1)
    assert len(rep.cities) == 41
    assert len(rep.quantile_levels) == 23
    wz = next(c for c in rep.cities if c.code == WENZHOU)
    assert [f.horizon_days for f in wz.forecasts] == [7, 14, 21, 28]
    assert wz.forecasts[0].target_start_date == date(2020, 2, 12)
    assert wz.forecasts[0].target_end_date == date(2020, 2, 18)
    for f in wz.forecasts:
        assert f.quantiles == sorted(f.quantiles)
        assert f.observed is not None
    assert wz.observed_dates[-1] == date(2020, 2, 11)
    assert sum(wz.observed_daily) > 400  # Wenzhou had the most YRD cases by mid-February


def test_forecast_refuses_an_origin_without_history(session: Session) -> None:
    with pytest.raises(InvalidParameter, match="origin"):
        forecast(session, origin=date(2020, 1, 20))
    with pytest.raises(InvalidParameter, match="n_members"):
        forecast(session, origin=date(2020, 2, 12), n_members=3)


def test_reduced_backtest_reports_the_headline_figures(session: Session) -> None:
    rep = backtest(
        session, first_origin=date(2020, 2, 5), last_origin=date(2020, 2, 12), n_members=30
    )
    assert rep.origins == [date(2020, 2, 5), date(2020, 2, 12)]
    assert rep.forecasts == 2 * 4 * 41
    for v in (rep.relative_wis_vs_flat, rep.relative_wis_vs_no_mobility):
        assert math.isfinite(v)
        assert v > 0
    assert 0.0 <= rep.coverage_50 <= rep.coverage_95 <= 1.0
    assert sum(r.forecasts for r in rep.cities) == rep.forecasts
    assert set(rep.models) == {"model", "no_mobility", "flat"}


def test_declared_levels_are_read_with_24h_meaning_next_day() -> None:
    periods = declared_periods()
    js = [p for p in periods if p.jurisdiction_code == "320000"]
    assert js[0].start == date(2020, 1, 25)  # "2020-01-24 24:00"
    zj = [p for p in periods if p.jurisdiction_code == "330000"]
    assert zj[0].start == date(2020, 1, 23)
    assert len(periods) == 12


def test_response_levels_with_reasons_and_declared_comparison(session: Session) -> None:
    rep = response_levels(session, origin=date(2020, 2, 5), n_members=40)
    assert len(rep.cities) == 41
    for c in rep.cities:
        assert c.declared_level == 1  # every province was at level I on 5 Feb 2020
        assert c.reason_zh
        assert c.reason_en
        assert c.comparison in {Comparison.SAME, Comparison.LESS_SERIOUS}
    assert rep.agreement is not None
    later = response_levels(session, origin=date(2020, 3, 28), n_members=40)
    sh = next(c for c in later.cities if c.code == "310000")
    assert sh.declared_level == 2


def test_scenario_combined_cut_averts_infections(session: Session) -> None:
    both = ScenarioRequest(
        start=date(2020, 1, 24),
        days=60,
        n_members=1,
        stochastic=False,
        interventions=[
            InterventionIn(kind=InterventionKind.MOBILITY, reduction=0.9, start=date(2020, 1, 24)),
            InterventionIn(
                kind=InterventionKind.TRANSMISSION, reduction=0.6, start=date(2020, 1, 24)
            ),
        ],
    )
    rep = scenario(session, request=both)
    assert len(rep.cities) == 41
    assert rep.infections_averted > 0
    assert all(0.0 <= c.exposed_gdp_share <= 1.0 for c in rep.cities)
    assert any(c.exposed_gdp_100m_yuan for c in rep.cities)
    bad = both.model_copy(
        update={
            "interventions": [
                InterventionIn(
                    kind=InterventionKind.MOBILITY,
                    reduction=0.5,
                    start=date(2020, 1, 24),
                    cities=["999999"],
                )
            ]
        }
    )
    with pytest.raises(UnknownCity):
        scenario(session, request=bad)
