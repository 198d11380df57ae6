"""Radar geometry: points on their axes at value / scale, missing concepts without a point."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.economy.schemas import ConvergenceReport, GroupPart, IndexCity, InequalityReport
from dyrd.economy.types import Concept
from dyrd.web.econcharts import (
    BAR_W,
    RADAR_CX,
    RADAR_CY,
    RADAR_R,
    radar,
    sigma_chart,
    theil_chart,
)

VALUES = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(VALUES, min_size=5, max_size=5))
def test_radar_points_sit_at_value_over_scale(values: list[float | None]) -> None:
    subs = {c.value: v for c, v in zip(Concept, values, strict=True) if v is not None}
    city = IndexCity(
        city_code="310000",
        name_zh="上海市",
        name_en="Shanghai",
        province_code="310000",
        year=2019,
        score=0.5,
        rank=1,
        sub_indices=subs,
    )
    r = radar(city, 1.0, "en")
    assert [a.concept for a in r.axes] == [c.value for c in Concept]
    for axis, v in zip(r.axes, values, strict=True):
        if v is None:
            assert axis.point is None
            assert not axis.has_data
            assert axis.value == "No data"
            assert axis.label in r.missing
        else:
            assert axis.point is not None
            dist = math.hypot(axis.point[0] - RADAR_CX, axis.point[1] - RADAR_CY)
            assert dist == pytest.approx(RADAR_R * v, abs=0.08)  # points are rounded to 0.1
            # The point lies on its own axis: same direction as the axis end.
            end = math.atan2(axis.y - RADAR_CY, axis.x - RADAR_CX)
            if dist > 1:
                got = math.atan2(axis.point[1] - RADAR_CY, axis.point[0] - RADAR_CX)
                assert abs(math.remainder(got - end, 2 * math.pi)) < 0.02
    assert len(r.polygon.split()) == sum(v is not None for v in values)


def _conv(years: list[int], sigma: list[float], beta: float | None) -> ConvergenceReport:
    return ConvergenceReport(
        indicator="gdp_per_capita",
        years=years,
        sigma=sigma,
        cv=sigma,
        n=[41] * len(years),
        beta=beta,
        alpha=None,
        se_beta=0.01 if beta is not None else None,
        r_squared=0.5 if beta is not None else None,
        speed=None,
        half_life=None,
        beta_n=41 if beta is not None else 0,
        missing=[],
        notes=[] if beta is not None else ["β not estimated"],
    )


@settings(max_examples=30, deadline=None)
@given(sigma=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=2, max_size=12))
def test_sigma_line_orders_years_and_values(sigma: list[float]) -> None:
    years = list(range(2005, 2005 + len(sigma)))
    chart = sigma_chart(_conv(years, sigma, -0.02), "en")
    xs = [p[0] for p in chart.points]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)
    # Larger σ is drawn higher (smaller y); the axis starts at zero.
    for (_, ya, _), (_, yb, _), a, b in zip(
        chart.points, chart.points[1:], sigma, sigma[1:], strict=False
    ):
        if a > b + 1e-3:
            assert ya < yb
    assert chart.y_ticks[0][1] == "0.00"
    assert ("β", "-0.0200") in chart.beta
    assert chart.notes == ()


def test_sigma_without_beta_keeps_the_reason() -> None:
    chart = sigma_chart(_conv([2019], [0.5], None), "zh")
    assert len(chart.points) == 1
    assert chart.beta == ()
    assert chart.notes == ("β not estimated",)


@settings(max_examples=30, deadline=None)
@given(
    between=st.floats(min_value=0.0, max_value=1.0),
    within=st.floats(min_value=0.0, max_value=1.0),
    groups=st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=1, max_size=6),
)
def test_theil_bars_add_up(between: float, within: float, groups: list[float]) -> None:
    report = InequalityReport.model_construct(
        theil_t=between + within,
        theil_t_between=between,
        theil_t_within=within,
        groups=[
            GroupPart(group=f"g{i}", n=3, theil_t=v, income_share=0.1, population_share=0.1)
            for i, v in enumerate(groups)
        ],
    )
    chart = theil_chart(report, {"g0": "Zero"}, "en")
    assert chart is not None
    assert chart.groups[0].label == "Zero"
    widths = [chart.between.width + chart.within.width, *(g.width for g in chart.groups)]
    assert max(widths) <= BAR_W + 0.2
    top = max(between + within, *groups)
    if top > 1e-12:  # below that the chart draws zero-width bars
        assert chart.between.width + chart.within.width == pytest.approx(
            BAR_W * (between + within) / top, abs=0.2
        )
