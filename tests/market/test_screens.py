"""Collusion screens: the worked example, scipy agreement, invariances, and tender flagging."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.market.compute.screens import (
    Screen,
    ScreenThresholds,
    compute_screens,
    screen_tenders,
)
from dyrd.market.types import OcdsInputError

# Worked toy example of the research note (values re-computed there with numpy/scipy).
TOY = [100.0, 103.0, 104.0, 105.0, 107.0]
TOY_EXPECTED = {
    Screen.CV: 0.024937,
    Screen.SPD: 0.07,
    Screen.DIFFP: 0.03,
    Screen.RD: 1.75662,
    Screen.RDNOR: 1.71429,
    Screen.RDALT: 2.25,
    Screen.SKEW: -0.50166,
    Screen.KURT: 0.79528,
}


def test_toy_example_matches_the_published_values() -> None:
    values = compute_screens(TOY).values
    for screen, expected in TOY_EXPECTED.items():
        assert values[screen] == pytest.approx(expected, abs=5e-6), screen


def test_ks_is_the_distance_to_uniform_on_the_range() -> None:
    # Five evenly spaced points on [1, 5]: F = 0, .25, .5, .75, 1 against steps of 1/5 -> D = 0.2.
    values = compute_screens([1.0, 2.0, 3.0, 4.0, 5.0]).values
    assert values[Screen.KS] == pytest.approx(0.2)


def test_undefined_screens_are_none() -> None:
    values = compute_screens([10.0, 12.0]).values
    assert values[Screen.RD] is None
    assert values[Screen.KURT] is None
    assert values[Screen.CV] is not None
    assert compute_screens([5.0]).values[Screen.CV] is None


@pytest.mark.parametrize("bad", [[], [1.0, -2.0], [0.0, 1.0], [1.0, float("nan")]])
def test_bad_bids_are_refused(bad: list[float]) -> None:
    with pytest.raises(OcdsInputError):
        compute_screens(bad)


_bids = st.lists(
    st.floats(min_value=1.0, max_value=1e6, allow_nan=False), min_size=4, max_size=12
).filter(lambda xs: len(set(xs)) == len(xs))
SCALE_FREE = list(Screen)


@settings(max_examples=60, deadline=None)
@given(_bids, st.floats(min_value=1e-3, max_value=1e3))
def test_every_screen_is_scale_invariant(bids: list[float], k: float) -> None:
    a = compute_screens(bids).values
    b = compute_screens([k * x for x in bids]).values
    for screen in SCALE_FREE:
        if a[screen] is None or b[screen] is None:
            assert a[screen] is None
            assert b[screen] is None
        else:
            assert b[screen] == pytest.approx(a[screen], rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(_bids, st.randoms(use_true_random=False))
def test_screens_do_not_depend_on_bid_order(bids: list[float], rnd: object) -> None:
    shuffled = list(bids)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert compute_screens(shuffled) == compute_screens(bids)


@settings(max_examples=60, deadline=None)
@given(_bids, st.floats(min_value=0.0, max_value=1e6))
def test_shape_screens_are_shift_invariant(bids: list[float], c: float) -> None:
    a = compute_screens(bids).values
    b = compute_screens([x + c for x in bids]).values
    for screen in (Screen.RD, Screen.RDNOR, Screen.RDALT, Screen.SKEW, Screen.KURT, Screen.KS):
        if a[screen] is not None and b[screen] is not None:
            assert b[screen] == pytest.approx(a[screen], rel=1e-5, abs=1e-6)


def _competitive(rng: np.random.Generator, n: int) -> list[float]:
    return list(rng.uniform(80, 140, size=n))


def test_a_cover_bidding_tender_is_flagged_and_explained() -> None:
    rng = np.random.default_rng(11)
    tenders = {f"t{i}": _competitive(rng, 5) for i in range(30)}
    # A cartel: the designated winner at 100, cover bids bunched just above 112.
    tenders["cartel"] = [100.0, 112.0, 112.4, 112.6, 113.0]
    results = {r.tender_id: r for r in screen_tenders(tenders)}
    cartel = results["cartel"]
    assert cartel.flagged
    assert Screen.RD in cartel.extreme
    assert "RD" in cartel.explanation
    assert "陪标" in cartel.explanation_zh
    flagged_competitive = [t for t, r in results.items() if r.flagged and t != "cartel"]
    print(f"competitive tenders flagged: {len(flagged_competitive)} of 30")
    assert len(flagged_competitive) <= 1


def test_fixed_thresholds_override_fences() -> None:
    tenders = {"a": TOY, "b": [100.0, 150.0, 200.0, 260.0]}
    strict = ScreenThresholds(fixed={Screen.CV: 0.03, Screen.RD: 1.0}, min_screens=2)
    results = {r.tender_id: r for r in screen_tenders(tenders, strict)}
    assert results["a"].flagged
    assert set(results["a"].extreme) == {Screen.CV, Screen.RD}
    assert not results["b"].flagged
    assert results["b"].explanation_zh
