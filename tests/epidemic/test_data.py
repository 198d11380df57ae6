"""Epidemic data: incidence from cumulative counts, Li et al. network, gravity, user tables."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.epidemic.bundled import pei_for_codes, read_pei2020, read_yrd_2020
from dyrd.epidemic.compute.incidence import daily_from_cumulative, weekly
from dyrd.epidemic.compute.mobility import (
    fit_gravity,
    great_circle_km,
    merge_node,
)
from dyrd.epidemic.compute.tables import parse_case_series, parse_od
from dyrd.epidemic.errors import InvalidCaseSeries, InvalidMobility, UnknownCity


def _yrd_codes() -> list[str]:
    text = resources.files("dyrd.region").joinpath("data").joinpath("cities.csv").read_text("utf-8")
    return [r["code"] for r in csv.DictReader(text.splitlines())]


@pytest.fixture(scope="module")
def pei():  # type: ignore[no-untyped-def]
    return read_pei2020()


def test_pei_data_as_published(pei) -> None:  # type: ignore[no-untyped-def]
    assert len(pei.names) == 375
    assert pei.incidence.shape == (30, 375)
    assert pei.incidence.sum() == 36727
    assert pei.incidence[:14].sum() == 801  # the 10-23 Jan fitting window
    assert pei.mobility.shape == (14, 375, 375)
    assert pei.index("Wuhan") == 169  # row 170, 1-based
    assert pei.mobility[:, pei.index("Shanghai"), pei.index("Wuhan")].sum() == 0


def test_yrd_view_merges_chaohu_and_fixes_names(pei) -> None:  # type: ignore[no-untyped-def]
    codes = _yrd_codes()
    yrd = pei_for_codes(pei, codes)
    assert len(yrd.names) == 41
    assert {"Lishui", "Wuhu", "Lu'an"} <= set(yrd.names)
    hefei = yrd.codes.index("340100")
    k_hefei, k_chaohu = pei.codes.index("340100"), pei.codes.index("341400")
    assert yrd.population[hefei] == pei.population[k_hefei] + pei.population[k_chaohu]
    assert yrd.incidence.sum() == 2560
    assert yrd.incidence[:14].sum() == 71


def test_merge_node_keeps_trips_with_third_cities() -> None:
    m = np.array([[0, 1, 2], [3, 0, 4], [5, 6, 0]], dtype=float)
    out, pop = merge_node(m, np.array([10.0, 20.0, 30.0]), source=2, target=0)
    np.testing.assert_array_equal(pop, [40.0, 20.0])
    # 1 -> {0, 2} = 1 + 6 trips; {0, 2} -> 1 = 3 + 4; 0 <-> 2 become internal.
    np.testing.assert_array_equal(out, [[0, 7], [7, 0]])


def test_incidence_absorbs_revisions_without_inflating_totals() -> None:
    cum = np.array([[0, 1], [5, 1], [4, 3], [7, 3]], dtype=float)
    inc = daily_from_cumulative(cum)
    assert (inc.daily >= 0).all()
    np.testing.assert_array_equal(inc.daily.sum(axis=0), cum[-1])
    assert [(r.city, r.day, r.drop) for r in inc.revisions] == [(0, 2, 1.0)]
    with pytest.raises(InvalidCaseSeries, match="falls by 1 on day 2"):
        daily_from_cumulative(cum, cities=["A", "B"], strict=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 50), min_size=3, max_size=3), min_size=1, max_size=20))
def test_incidence_is_nonnegative_and_sums_to_the_last_total(rows: list[list[int]]) -> None:
    cum = np.array(rows, dtype=float)
    inc = daily_from_cumulative(cum)
    assert (inc.daily >= 0).all()
    np.testing.assert_array_equal(inc.daily.sum(axis=0), cum[-1])


def test_bundled_2020_series() -> None:
    series = read_yrd_2020()
    assert series.confirmed.shape == (77, 41)
    inc = daily_from_cumulative(series.confirmed)
    assert inc.revisions  # the source has revisions, and they are reported
    np.testing.assert_array_equal(inc.daily.sum(axis=0), series.confirmed[-1])
    assert weekly(inc.daily).shape == (11, 41)


def test_great_circle_distance() -> None:
    # Shanghai (31.23N, 121.47E) to Nanjing (32.06N, 118.80E): about 270 km.
    d = great_circle_km(np.array([31.23, 32.06]), np.array([121.47, 118.80]))
    assert 260 < d[0, 1] < 280
    assert d[0, 0] == 0


def test_gravity_fit_recovers_known_exponents() -> None:
    rng = np.random.default_rng(0)
    n = 30
    pop = rng.uniform(1e5, 1e7, n)
    d = great_circle_km(rng.uniform(28, 34, n), rng.uniform(115, 122, n))
    true = np.exp(-3.0 + 0.6 * np.log(pop)[:, None] + 0.8 * np.log(pop)[None, :])
    with np.errstate(divide="ignore"):
        true = true / d**1.5
    np.fill_diagonal(true, 0.0)
    flows = true * np.exp(rng.normal(0, 0.1, (n, n)))
    model = fit_gravity(flows, pop, d)
    assert model.a_dest == pytest.approx(0.6, abs=0.05)
    assert model.b_orig == pytest.approx(0.8, abs=0.05)
    assert model.gamma == pytest.approx(1.5, abs=0.05)
    assert model.r2 > 0.95
    pred = model.predict(pop, d)
    assert (np.diag(pred) == 0).all()
    assert np.median(np.abs(np.log(pred[flows > 0] / flows[flows > 0]))) < 0.2


def test_gravity_on_the_yrd_pei_flows(pei) -> None:  # type: ignore[no-untyped-def]
    yrd = pei_for_codes(pei, _yrd_codes())
    d = great_circle_km(yrd.lat, yrd.lon)
    model = fit_gravity(yrd.mobility.mean(axis=0), yrd.population, d)
    # Trips fall with distance and grow with both populations.
    assert model.gamma > 0
    assert model.a_dest > 0
    assert model.b_orig > 0
    assert model.n_pairs > 300


CITIES = ["310000", "320100", "330100"]
ALIASES = {"上海市": "310000", "Nanjing": "320100", "杭州市": "330100"}


def test_case_table_daily_and_cumulative() -> None:
    df = pl.DataFrame(
        {
            "date": ["2020-01-20", "2020-01-20", "2020-01-22"],
            "city": ["上海市", "320100", "上海市"],
            "cases": [2, 1, 5],
        }
    )
    daily = parse_case_series(df, CITIES, aliases=ALIASES)
    assert daily.daily.shape == (3, 3)
    assert daily.daily[:, 0].tolist() == [2, 0, 5]
    cum = parse_case_series(df, CITIES, aliases=ALIASES, cumulative=True)
    assert cum.daily[:, 0].tolist() == [2, 0, 3]
    assert cum.daily[:, 1].tolist() == [1, 0, 0]


@pytest.mark.parametrize(
    ("table", "error", "match"),
    [
        (
            {"date": ["2020-01-20"], "city": ["Atlantis"], "cases": [1]},
            UnknownCity,
            "row 2.*Atlantis",
        ),
        (
            {"date": ["2020-01-20", "2020-01-21"], "city": ["上海市"] * 2, "cases": [1, -2]},
            InvalidCaseSeries,
            "row 3",
        ),
        (
            {"date": ["20/01/2020"], "city": ["上海市"], "cases": [1]},
            InvalidCaseSeries,
            "row 2, date",
        ),
        ({"date": ["2020-01-20"], "city": ["上海市"]}, InvalidCaseSeries, "missing column"),
        (
            {"date": ["2020-01-20"] * 2, "city": ["上海市"] * 2, "cases": [1, 1]},
            InvalidCaseSeries,
            "duplicate",
        ),
    ],
)
def test_bad_case_tables_name_the_row(
    table: dict[str, list[object]], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        parse_case_series(pl.DataFrame(table), CITIES, aliases=ALIASES)


def test_non_monotone_cumulative_table_names_the_row() -> None:
    df = pl.DataFrame(
        {"date": ["2020-01-20", "2020-01-21"], "city": ["上海市"] * 2, "cases": [5, 3]}
    )
    with pytest.raises(InvalidCaseSeries, match=r"row 3.*fall from 5 to 3"):
        parse_case_series(df, CITIES, aliases=ALIASES, cumulative=True)


def test_od_table() -> None:
    df = pl.DataFrame(
        {
            "origin": ["上海市", "Nanjing"],
            "destination": ["Nanjing", "杭州市"],
            "trips": [100.0, 7.5],
        }
    )
    od = parse_od(df, CITIES, aliases=ALIASES)
    assert od.trips.shape == (1, 3, 3)
    assert od.trips[0, 1, 0] == 100  # M[dest, orig]
    assert od.trips[0, 2, 1] == 7.5
    with pytest.raises(InvalidMobility, match="row 3, trips"):
        parse_od(
            pl.DataFrame(
                {
                    "origin": ["上海市", "Nanjing"],
                    "destination": ["Nanjing", "杭州市"],
                    "trips": [1, -4],
                }
            ),
            CITIES,
            aliases=ALIASES,
        )
    with pytest.raises(UnknownCity, match="row 2, destination"):
        parse_od(
            pl.DataFrame({"origin": ["上海市"], "destination": ["Nowhere"], "trips": [1]}),
            CITIES,
            aliases=ALIASES,
        )
    with pytest.raises(InvalidMobility, match="origin equals destination"):
        parse_od(
            pl.DataFrame({"origin": ["上海市"], "destination": ["310000"], "trips": [1]}),
            CITIES,
            aliases=ALIASES,
        )
