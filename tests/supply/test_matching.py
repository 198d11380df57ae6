"""Supply-demand matching: compatibility, allocation, explanations, determinism."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.supply.compute import matching as m

# City centroids as in the bundled region data (lat, lon), rounded: Shanghai, Suzhou (JS), Hefei.
COORDS = {"310000": (31.1, 121.5), "320500": (31.4, 120.6), "340100": (31.8, 117.3)}


def test_haversine_is_symmetric_and_plausible() -> None:
    d = m.haversine_km(COORDS["310000"], COORDS["340100"])
    assert d == m.haversine_km(COORDS["340100"], COORDS["310000"])
    assert 350 < d < 450  # Shanghai-Hefei is about 400 km in a straight line
    assert m.haversine_km(COORDS["310000"], COORDS["310000"]) == 0


def test_filters_class_lead_distance_and_self() -> None:
    offers = [
        m.Offer("o1", "A", "C3670", 100, 3, "320500"),  # fits
        m.Offer("o2", "B", "C3973", 100, 3, "320500"),  # wrong class
        m.Offer("o3", "C", "C3670", 100, 20, "320500"),  # too slow
        m.Offer("o4", "D", "C3670", 100, 3, "340100"),  # too far
        m.Offer("o5", "N", "C3670", 100, 1, "310000"),  # the needer itself
    ]
    needs = [m.Need("n1", "N", "C367", 50, 7, 200, "310000")]
    out = m.match(offers, needs, COORDS)
    assert [(x.offer, x.need, x.quantity) for x in out] == [("o1", "n1", 50)]
    assert "C3670" in out[0].explanation
    assert "公里" in out[0].explanation_zh


def test_better_offer_wins_and_remainder_goes_to_next() -> None:
    offers = [
        m.Offer("far", "A", "C3670", 40, 3, "320500"),
        m.Offer("near", "B", "C3670", 30, 3, "310000"),
    ]
    needs = [m.Need("n", "N", "C3670", 60, 7, 500, "310000")]
    out = m.match(offers, needs, COORDS)
    # far covers 40/60 (score 0.5*0.667 + 0.3*0.84 + 0.2*0.57) against near's 30/60 at 0 km.
    assert [(x.offer, x.quantity) for x in out] == [("far", 40), ("near", 20)]
    assert out[0].score > out[1].score


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(COORDS)), st.integers(1, 100), st.integers(0, 10)),
        min_size=1,
        max_size=8,
    ),
    st.lists(
        st.tuples(st.sampled_from(list(COORDS)), st.integers(1, 100), st.integers(1, 10)),
        min_size=1,
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_allocation_respects_quantities_and_ignores_input_order(
    offer_specs: list[tuple[str, int, int]],
    need_specs: list[tuple[str, int, int]],
    shuffle: random.Random,
) -> None:
    offers = [m.Offer(f"o{i}", f"s{i}", "C36", q, t, c) for i, (c, q, t) in enumerate(offer_specs)]
    needs = [
        m.Need(f"n{i}", f"b{i}", "C3", q, t, 1000, c) for i, (c, q, t) in enumerate(need_specs)
    ]
    out = m.match(offers, needs, COORDS)
    for o in offers:
        assert sum(x.quantity for x in out if x.offer == o.id) <= o.quantity
    for n in needs:
        assert sum(x.quantity for x in out if x.need == n.id) <= n.quantity
    shuffled_o, shuffled_n = offers[:], needs[:]
    shuffle.shuffle(shuffled_o)
    shuffle.shuffle(shuffled_n)
    assert m.match(shuffled_o, shuffled_n, COORDS) == out
