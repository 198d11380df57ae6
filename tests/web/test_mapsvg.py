"""Pure dashboard helpers: projection, SVG path data, quantile classes, number formatting."""

from __future__ import annotations

import itertools
import math
import re
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.region import bundled
from dyrd.web import mapsvg
from dyrd.web.mapsvg import BBox, Projection

YRD = BBox(114.88, 27.04, 122.95, 35.13)
_TOKEN = re.compile(r"[Mlz]|-?\d+(?:\.\d+)?")


def parse_points(d: str) -> list[list[tuple[float, float]]]:
    """Absolute vertices of each subpath written by path_d (M x y, l dx dy ..., z)."""
    rings: list[list[tuple[float, float]]] = []
    cmd = ""
    nums: list[float] = []
    x = y = 0.0
    for tok in [*_TOKEN.findall(d), "M"]:
        if tok in "Mlz":
            for i in range(0, len(nums), 2):
                if cmd == "M" and i == 0:
                    x, y = nums[0], nums[1]
                    rings.append([(x, y)])
                else:
                    x, y = x + nums[i], y + nums[i + 1]
                    rings[-1].append((x, y))
            nums = []
            cmd = tok
        else:
            nums.append(float(tok))
    return rings


lons = st.floats(min_value=YRD.min_lon, max_value=YRD.max_lon)
lats = st.floats(min_value=YRD.min_lat, max_value=YRD.max_lat)
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_fit_maps_the_corners_to_the_padding() -> None:
    proj = Projection.fit(YRD, width=1000, pad=10)
    assert proj.project(YRD.min_lon, YRD.max_lat) == pytest.approx((10, 10))
    x, y = proj.project(YRD.max_lon, YRD.min_lat)
    assert x == pytest.approx(990)
    assert y == pytest.approx(proj.height - 10, abs=0.1)
    assert proj.view_box == f"0 0 1000 {proj.height:g}"


def test_x_is_scaled_by_the_cosine_of_the_mean_latitude() -> None:
    proj = Projection.fit(YRD)
    x0, y0 = proj.project(118.0, 31.0)
    x1, _ = proj.project(119.0, 31.0)
    _, y1 = proj.project(118.0, 32.0)
    mean_lat = (YRD.min_lat + YRD.max_lat) / 2
    assert (x1 - x0) / (y0 - y1) == pytest.approx(math.cos(math.radians(mean_lat)))


def test_a_degenerate_box_still_projects_inside() -> None:
    proj = Projection.fit(BBox(120.0, 30.0, 120.0, 30.0), width=100, pad=5)
    x, y = proj.project(120.0, 30.0)
    assert 0 <= x <= proj.width
    assert 0 <= y <= proj.height


@given(lon=lons, lat=lats)
def test_projected_points_stay_inside_the_view_box(lon: float, lat: float) -> None:
    proj = Projection.fit(YRD)
    x, y = proj.project(lon, lat)
    assert proj.pad - 1e-6 <= x <= proj.width - proj.pad + 1e-6
    assert proj.pad - 1e-6 <= y <= proj.height - proj.pad + 1e-6


@given(
    ring=st.lists(st.tuples(lons, lats), min_size=3, max_size=40),
    step=st.sampled_from([0.0, 0.6, 2.0]),
)
def test_path_vertices_stay_inside_the_view_box(
    ring: list[tuple[float, float]], step: float
) -> None:
    proj = Projection.fit(YRD)
    closed = [*ring, ring[0]]
    d = mapsvg.path_d({"type": "Polygon", "coordinates": [closed]}, proj, min_step=step)
    points = [p for r in parse_points(d) for p in r]
    assert points
    for x, y in points:
        assert -0.05 <= x <= proj.width + 0.05
        assert -0.05 <= y <= proj.height + 0.05


def test_relative_path_reproduces_the_rounded_absolute_vertices() -> None:
    proj = Projection.fit(BBox(0.0, 0.0, 10.0, 10.0), width=100, pad=0)
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    d = mapsvg.path_d({"type": "Polygon", "coordinates": [square]}, proj, min_step=0)
    assert d.startswith("M0 ")
    assert d.endswith("z")
    [ring] = parse_points(d)
    expected = [proj.project(lon, lat) for lon, lat in square[:-1]]
    flat = [c for point in ring for c in point]
    assert flat == pytest.approx([round(c, 1) for point in expected for c in point])


def test_multipolygon_and_holes_become_subpaths() -> None:
    proj = Projection.fit(BBox(0.0, 0.0, 10.0, 10.0), width=100, pad=0)
    outer = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]
    hole = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]]
    island = [[6.0, 6.0], [9.0, 6.0], [9.0, 9.0], [6.0, 6.0]]
    geometry = {"type": "MultiPolygon", "coordinates": [[outer, hole], [island]]}
    d = mapsvg.path_d(geometry, proj, min_step=0)
    assert d.count("M") == 3
    assert d.count("z") == 3


def test_thinning_drops_rings_below_a_pixel_but_never_the_whole_city() -> None:
    proj = Projection.fit(BBox(0.0, 0.0, 10.0, 10.0), width=100, pad=0)
    big = [[0.0, 0.0], [5.0, 0.0], [5.0, 5.0], [0.0, 0.0]]
    speck = [[8.0, 8.0], [8.001, 8.0], [8.001, 8.001], [8.0, 8.0]]
    both = {"type": "MultiPolygon", "coordinates": [[big], [speck]]}
    assert mapsvg.path_d(both, proj, min_step=1).count("M") == 1
    alone = {"type": "Polygon", "coordinates": [speck]}
    assert mapsvg.path_d(alone, proj, min_step=1).startswith("M")


def test_every_bundled_boundary_becomes_a_path() -> None:
    shapes = bundled.read_boundaries()
    proj = Projection.fit(mapsvg.bbox_of(shapes.values()))
    for code, geometry in shapes.items():
        d = mapsvg.path_d(geometry, proj, min_step=1.2)
        rings = parse_points(d)
        assert rings, code
        assert all(len(r) >= 3 for r in rings), code


def test_unsupported_and_empty_geometries_are_refused() -> None:
    with pytest.raises(ValueError, match="Point"):
        mapsvg.polygons_of({"type": "Point", "coordinates": [1, 2]})
    with pytest.raises(ValueError, match="empty"):
        mapsvg.bbox_of([])


def test_quantile_is_numpy_type_7() -> None:
    xs = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert mapsvg.quantile(xs, 0) == 1.0
    assert mapsvg.quantile(xs, 1) == 10.0
    assert mapsvg.quantile(xs, 0.5) == 3.0
    assert mapsvg.quantile(xs, 0.9) == pytest.approx(7.6)


@given(st.lists(finite, min_size=2, max_size=60, unique=True))
def test_quantile_breaks_match_statistics_inclusive(values: list[float]) -> None:
    breaks = mapsvg.quantile_breaks(values, 5)
    cuts = statistics.quantiles(values, n=5, method="inclusive")
    distinct = sorted({*cuts, max(values)})
    assert breaks == pytest.approx(distinct, rel=1e-9, abs=1e-6)


@given(st.lists(finite, min_size=1, max_size=80), st.integers(min_value=1, max_value=9))
def test_class_breaks_are_monotone_and_cover_every_value(values: list[float], k: int) -> None:
    breaks = mapsvg.quantile_breaks(values, k)
    assert 1 <= len(breaks) <= k
    assert all(a < b for a, b in itertools.pairwise(breaks))
    assert breaks[-1] == max(values)
    for v in values:
        i = mapsvg.class_index(v, breaks)
        assert 0 <= i < len(breaks)
        assert v <= breaks[i]
        assert i == 0 or v > breaks[i - 1]
    bounds = mapsvg.class_bounds(breaks, min(values))
    assert bounds[0][0] == min(values)
    assert all(lo <= hi for lo, hi in bounds)


def test_ties_collapse_classes_and_no_values_give_none() -> None:
    assert mapsvg.quantile_breaks([5.0] * 10) == [5.0]
    assert mapsvg.quantile_breaks([]) == []
    assert mapsvg.quantile_breaks([math.nan, 1.0]) == [1.0]
    with pytest.raises(ValueError, match="k"):
        mapsvg.quantile_breaks([1.0], 0)
    with pytest.raises(ValueError, match="no classes"):
        mapsvg.class_index(1.0, [])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_palette_keeps_the_ramp_order(n: int) -> None:
    colours = mapsvg.palette_for(n)
    assert len(colours) == n
    assert len(set(colours)) == n
    positions = [mapsvg.PALETTE.index(c) for c in colours]
    assert positions == sorted(positions)
    assert mapsvg.palette_for(0) == []


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (38155.32, "100m yuan", "38,155.32"),
        (2428.14, "10k persons", "2,428.14"),
        (0.233256155, "fraction", "23.3"),
        (6.941176471, "per 1000 persons", "6.94"),
        (-0.001, "anything", "0.00"),
        (-1234.5, "anything", "-1,234.50"),
    ],
)
def test_format_value(value: float, unit: str, text: str) -> None:
    assert mapsvg.format_value(value, unit) == text


def test_format_number_with_no_decimals() -> None:
    assert mapsvg.format_number(11765.0, 0) == "11,765"


@given(finite, st.floats(min_value=0, max_value=1e9))
def test_bar_width_is_a_percentage(value: float, maximum: float) -> None:
    assert 0.0 <= mapsvg.bar_width(value, maximum) <= 100.0
