"""Inequality and convergence against PySAL's Mexico values, identities and properties."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.economy.compute import inequality as ineq
from dyrd.economy.types import InputError

DATA = Path(__file__).resolve().parents[1] / "external" / "inequality"
EXPECTED: dict[str, Any] = json.loads((DATA / "expected_values.json").read_text("utf-8"))
with (DATA / "mexico.csv").open(encoding="utf-8") as fh:
    MEXICO = list(csv.DictReader(fh))
YEARS: list[int] = EXPECTED["years"]
HANSON98 = [r["hanson98"] for r in MEXICO]
PEER = 1e-7  # PySAL's tests assert 7 decimals


def pcgdp(year: int) -> np.ndarray:
    return np.array([float(r[f"pcgdp{year}"]) for r in MEXICO])


@pytest.mark.parametrize(("k", "year"), list(enumerate(YEARS)))
def test_theil_decomposition_and_gini_match_pysal(k: int, year: int) -> None:
    y = pcgdp(year)
    d = ineq.theil_t_decomposition(y, HANSON98)
    assert d.total == pytest.approx(EXPECTED["theil_T"]["values"][k], abs=PEER)
    assert d.between == pytest.approx(EXPECTED["theil_T_between_hanson98"]["values"][k], abs=PEER)
    assert d.within == pytest.approx(EXPECTED["theil_T_within_hanson98"]["values"][k], abs=PEER)
    assert d.between_share == pytest.approx(
        EXPECTED["theil_T_between_share"]["values"][k], abs=PEER
    )
    assert ineq.theil_t(y) == pytest.approx(d.total, abs=1e-12)
    assert ineq.gini(y) == pytest.approx(EXPECTED["gini"]["values"][k], abs=PEER)
    assert d.between + d.within == pytest.approx(d.total, abs=1e-12)


@pytest.mark.parametrize(("k", "year"), list(enumerate(YEARS)))
def test_regression_values_theil_l_cv_sigma(k: int, year: int) -> None:
    y = pcgdp(year)
    assert ineq.theil_l(y) == pytest.approx(EXPECTED["theil_L_mld"]["values"][k], abs=PEER)
    assert ineq.coefficient_of_variation(y) == pytest.approx(
        EXPECTED["cv_population_sd"]["values"][k], abs=PEER
    )
    assert ineq.sigma(y) == pytest.approx(EXPECTED["sigma_sd_of_log_ddof0"]["values"][k], abs=PEER)
    dl = ineq.theil_l_decomposition(y, HANSON98)
    assert dl.between + dl.within == pytest.approx(dl.total, abs=1e-12)


def test_gini_1940_is_pysal_to_the_last_digit() -> None:
    assert ineq.gini_unweighted(pcgdp(1940)) == pytest.approx(0.35372371173452849, abs=1e-15)
    assert ineq.gini(pcgdp(1940)) == pytest.approx(0.35372371173452849, abs=1e-14)


def test_dagum_decomposition_1940() -> None:
    ref = EXPECTED["dagum_gini_1940_hanson98"]
    d = ineq.dagum_gini(pcgdp(1940), HANSON98)
    assert d.within + d.net_between + d.transvariation == pytest.approx(d.total, abs=1e-10)
    assert d.total == pytest.approx(ineq.gini(pcgdp(1940)), abs=1e-10)
    assert d.within == pytest.approx(ref["G_within"], abs=1e-9)
    assert d.net_between == pytest.approx(ref["G_net_between"], abs=1e-9)
    assert d.transvariation == pytest.approx(ref["G_transvariation"], abs=1e-9)
    assert (d.relative_affluence[np.triu_indices(len(d.groups), 1)] != 0).all()


def test_beta_convergence_1940_2000() -> None:
    ref = EXPECTED["beta_convergence_1940_2000"]
    b = ineq.beta_convergence(pcgdp(1940), pcgdp(2000), 60)
    assert b.alpha == pytest.approx(ref["a"], abs=1e-8)
    assert b.beta == pytest.approx(ref["b"], abs=1e-8)
    assert b.se_beta == pytest.approx(ref["se_b"], abs=1e-8)
    assert b.speed == pytest.approx(-math.log(1 + ref["b"] * 60) / 60, rel=1e-6)
    assert b.half_life == pytest.approx(math.log(2) / b.speed, rel=1e-12)  # type: ignore[operator]


def test_toy_case_with_zeros() -> None:
    toy = EXPECTED["toy_case"]
    d = ineq.theil_t_decomposition(toy["y"], toy["groups"])
    assert d.total == pytest.approx(toy["T"], abs=1e-12)
    assert d.between == pytest.approx(toy["bg"], abs=1e-12)
    assert d.within == pytest.approx(toy["wg"], abs=1e-12)


def test_reat_theil_is_theil_l_not_t() -> None:
    trap = EXPECTED["reat_theil_example"]
    assert ineq.theil_l(trap["y"]) == pytest.approx(trap["value"], abs=1e-7)
    assert ineq.theil_t(trap["y"]) == pytest.approx(0.2502, abs=1e-4)


@pytest.mark.parametrize(
    ("call", "y"),
    [
        (ineq.theil_l, [0.0, 1.0, 2.0]),
        (ineq.gini, [-1.0, 2.0, 3.0]),
        (ineq.theil_t, [0.0, 0.0, 0.0]),
        (ineq.gini, [1.0]),
        (ineq.gini, [1.0, float("nan"), 2.0]),
        (ineq.sigma, [0.0, 1.0, 2.0]),
    ],
)
def test_bad_input_is_refused_never_nan(call: Any, y: list[float]) -> None:
    with pytest.raises(InputError) as info:
        call(y)
    assert info.value.message
    assert info.value.message_zh


def test_weights_must_be_positive_and_match() -> None:
    with pytest.raises(InputError):
        ineq.gini([1.0, 2.0, 3.0], [1.0, 0.0, 1.0])
    with pytest.raises(InputError):
        ineq.theil_t([1.0, 2.0, 3.0], [1.0, 1.0])


incomes = st.lists(
    st.floats(min_value=0.01, max_value=1e6, allow_nan=False), min_size=2, max_size=40
)


@settings(max_examples=150, deadline=None)
@given(y=incomes, pop=st.floats(min_value=0.5, max_value=1e5), data=st.data())
def test_equal_population_weights_equal_unweighted(y: list[float], pop: float, data: Any) -> None:
    groups = data.draw(st.lists(st.sampled_from("ABC"), min_size=len(y), max_size=len(y)))
    w = [pop] * len(y)
    assert ineq.gini(y, w) == pytest.approx(ineq.gini_unweighted(y), abs=1e-12)
    assert ineq.theil_t(y, w) == pytest.approx(ineq.theil_t(y), abs=1e-12)
    assert ineq.theil_l(y, w) == pytest.approx(ineq.theil_l(y), abs=1e-12)
    a, b = ineq.theil_t_decomposition(y, groups, w), ineq.theil_t_decomposition(y, groups)
    assert a.between == pytest.approx(b.between, abs=1e-12)
    assert a.within == pytest.approx(b.within, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    y=incomes,
    scale=st.floats(min_value=1e-3, max_value=1e3),
    data=st.data(),
)
def test_properties_range_scale_and_identities(y: list[float], scale: float, data: Any) -> None:
    n = len(y)
    w = data.draw(st.lists(st.floats(min_value=0.1, max_value=1e4), min_size=n, max_size=n))
    groups = data.draw(st.lists(st.sampled_from("ABCD"), min_size=n, max_size=n))
    for weights in (None, w):
        g = ineq.gini(y, weights)
        assert 0.0 <= g < 1.0
        scaled = [v * scale for v in y]
        assert ineq.gini(scaled, weights) == pytest.approx(g, abs=1e-9)
        assert ineq.theil_t(scaled, weights) == pytest.approx(ineq.theil_t(y, weights), abs=1e-9)
        t = ineq.theil_t_decomposition(y, groups, weights)
        assert t.between + t.within == pytest.approx(t.total, abs=1e-10)
        assert t.between >= -1e-12
        assert t.within >= -1e-12
        ll = ineq.theil_l_decomposition(y, groups, weights)
        assert ll.between + ll.within == pytest.approx(ll.total, abs=1e-10)
    d = ineq.dagum_gini(y, groups)
    assert d.within + d.net_between + d.transvariation == pytest.approx(ineq.gini(y), abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(y=incomes, data=st.data())
def test_weighted_dagum_identity_and_equal_population(y: list[float], data: Any) -> None:
    n = len(y)
    w = data.draw(st.lists(st.floats(min_value=0.1, max_value=1e4), min_size=n, max_size=n))
    pop = data.draw(st.floats(min_value=0.5, max_value=1e5))
    groups = data.draw(st.lists(st.sampled_from("ABCD"), min_size=n, max_size=n))
    d = ineq.dagum_gini(y, groups, w)
    assert d.within + d.net_between + d.transvariation == pytest.approx(ineq.gini(y, w), abs=1e-10)
    assert d.within >= 0
    assert d.net_between >= -1e-12
    assert d.transvariation >= -1e-12
    a, b = ineq.dagum_gini(y, groups, [pop] * n), ineq.dagum_gini(y, groups)
    for got, want in (
        (a.within, b.within),
        (a.net_between, b.net_between),
        (a.transvariation, b.transvariation),
    ):
        assert got == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(a.between_gini, b.between_gini, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    y=st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=2, max_size=15),
    data=st.data(),
)
def test_weighted_dagum_equals_unweighted_on_replicated_units(y: list[float], data: Any) -> None:
    # An integer population m_i counts like m_i copies of the unit: an independent check of the
    # weighted formulas against the unweighted ones on the expanded sample.
    n = len(y)
    m = data.draw(st.lists(st.integers(min_value=1, max_value=5), min_size=n, max_size=n))
    groups = data.draw(st.lists(st.sampled_from("AB"), min_size=n, max_size=n))
    a = ineq.dagum_gini(y, groups, m)
    b = ineq.dagum_gini(np.repeat(y, m), np.repeat(groups, m))
    assert a.groups == b.groups
    assert a.within == pytest.approx(b.within, abs=1e-10)
    assert a.net_between == pytest.approx(b.net_between, abs=1e-10)
    assert a.transvariation == pytest.approx(b.transvariation, abs=1e-10)
    np.testing.assert_allclose(a.relative_affluence, b.relative_affluence, atol=1e-10)


def test_weighted_dagum_separated_groups_have_no_transvariation() -> None:
    # Every unit of B is richer than every unit of A: no overlap, so G_t = 0 and D_BA = 1.
    d = ineq.dagum_gini([1.0, 2.0, 10.0, 12.0], ["A", "A", "B", "B"], [5.0, 1.0, 2.0, 3.0])
    assert d.transvariation == pytest.approx(0.0, abs=1e-15)
    assert d.relative_affluence[1, 0] == pytest.approx(1.0)
    assert d.total == pytest.approx(ineq.gini([1.0, 2.0, 10.0, 12.0], [5.0, 1.0, 2.0, 3.0]))


def test_urban_rural_theil_equal_incomes_is_zero() -> None:
    assert ineq.urban_rural_theil(30000, 30000, 500, 300) == pytest.approx(0.0, abs=1e-15)
    assert ineq.urban_rural_theil(60000, 30000, 500, 300) > 0


def test_integer_group_codes_with_gaps_match_string_labels() -> None:
    # The O(n) relabelling of small integer codes must give what np.unique / strings give.
    y = [3.0, 5.0, 8.0, 13.0, 21.0, 34.0]
    codes = np.array([9, 2, 9, 5, 2, 5])
    a = ineq.theil_t_decomposition(y, codes)
    b = ineq.theil_t_decomposition(y, [f"g{c}" for c in codes])
    assert a.groups == (2, 5, 9)
    assert (a.between, a.within) == pytest.approx((b.between, b.within), abs=1e-15)
    np.testing.assert_allclose(a.group_index, b.group_index, atol=1e-15)
    big = ineq.theil_t_decomposition(y, codes * 1000)
    assert big.groups == (2000, 5000, 9000)
    assert big.between == pytest.approx(a.between, abs=1e-15)
