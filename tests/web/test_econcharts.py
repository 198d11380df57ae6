"""Radar geometry: points on their axes at value / scale, missing concepts without a point."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.economy.schemas import IndexCity
from dyrd.economy.types import Concept
from dyrd.web.econcharts import RADAR_CX, RADAR_CY, RADAR_R, radar

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
