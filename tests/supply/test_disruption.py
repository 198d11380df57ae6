"""ARIO-style propagation: identities and the qualitative Inoue & Todo (2020) result."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.supply.compute import disruption as d

seeds = st.integers(0, 2**32 - 1)


def network(seed: int, *, cities: int = 4, per_city: int = 5, suppliers: int = 4) -> d.Network:
    rng = np.random.default_rng(seed)
    return d.synthetic_network(
        rng, cities=cities, nodes_per_city=per_city, suppliers_per_node=suppliers, final_share=0.2
    )


@settings(max_examples=25, deadline=None)
@given(seed=seeds, buffer=st.floats(0, 30), tau=st.floats(1, 60))
def test_no_shock_keeps_baseline_output(seed: int, buffer: float, tau: float) -> None:
    net = network(seed)
    res = d.simulate(net, np.zeros((40, 4)), d.Params(buffer_days=buffer, tau_days=tau))
    np.testing.assert_allclose(
        res.output, np.broadcast_to(res.baseline, res.output.shape), rtol=1e-9
    )
    assert res.total.sum() == pytest.approx(0, abs=1e-7 * res.baseline.sum())
    assert res.direct.sum() == 0


@settings(max_examples=25, deadline=None)
@given(seed=seeds, city=st.integers(0, 3), share=st.floats(0, 1))
def test_zero_inventories_hit_the_supply_constrained_bound(
    seed: int, city: int, share: float
) -> None:
    # One city's capacity cut, as in the research note's check 2 (a delta shock with zero
    # inventories). Every node downstream of it falls to 1 - share once the one-day pipeline
    # has passed along its supply paths; the rest keep their output.
    net = network(seed)
    delta = np.zeros(4)
    delta[city] = share
    days = net.city.shape[0] + 2
    res = d.simulate(
        net, np.tile(delta, (days, 1)), d.Params(buffer_days=0.0, tau_days=float("inf"))
    )
    bound = d.supply_constrained_bound(net, delta)
    np.testing.assert_allclose(res.output[-1] / res.baseline, bound, atol=1e-9)
    assert (res.output / res.baseline >= bound[None, :] - 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(seed=seeds, shares=st.lists(st.floats(0, 1), min_size=4, max_size=4))
def test_zero_inventories_never_undershoot_the_bound(seed: int, shares: list[float]) -> None:
    # With several restricted cities a node capped below its suppliers keeps their surplus
    # as stock, so it may stay above the bound for a while; it never falls below it.
    net = network(seed)
    delta = np.array(shares)
    res = d.simulate(net, np.tile(delta, (30, 1)), d.Params(buffer_days=0.0, tau_days=float("inf")))
    bound = d.supply_constrained_bound(net, delta)
    assert (res.output / res.baseline >= bound[None, :] - 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(seed=seeds, shares=st.lists(st.floats(0, 1), min_size=4, max_size=4))
def test_unlimited_inventories_stop_propagation(seed: int, shares: list[float]) -> None:
    net = network(seed)
    delta = np.tile(np.array(shares), (30, 1))
    res = d.simulate(net, delta, d.Params(buffer_days=float("inf"), tau_days=float("inf")))
    np.testing.assert_allclose(res.output, res.baseline[None, :] * (1 - delta[:, net.city]))
    assert res.indirect.sum() == pytest.approx(0, abs=1e-9 * res.baseline.sum())
    assert res.bottleneck.sum() == 0


@settings(max_examples=15, deadline=None)
@given(seed=seeds, suppliers=st.integers(4, 10))
def test_month_long_lockdown_indirect_exceeds_direct(seed: int, suppliers: int) -> None:
    # Inoue & Todo (2020): non-essential production of one region shut for a month, firms
    # holding about 9 days of inputs (the defaults), final demand unchanged; the indirect loss
    # outside the region was about twice the direct one. Here: one city of four shut.
    net = network(seed, cities=4, per_city=6, suppliers=suppliers)
    delta = np.zeros((60, 4))
    delta[:30, 0] = 1.0
    res = d.simulate(net, delta)
    assert res.indirect.sum() > res.direct.sum()
    cities = {f"c{c}": np.flatnonzero(net.city == c) for c in range(4)}
    direct = d.aggregate(res.direct, cities)
    assert direct["c1"] == direct["c2"] == direct["c3"] == 0
    assert d.aggregate(res.indirect, cities)["c1"] > 0


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_longer_lockdown_raises_the_indirect_share(seed: int) -> None:
    net = network(seed, cities=4, per_city=6, suppliers=8)
    ratios = []
    for length in (15, 30, 45):
        delta = np.zeros((length + 30, 4))
        delta[:length, 0] = 1.0
        res = d.simulate(net, delta)
        ratios.append(res.indirect.sum() / res.direct.sum())
    assert ratios[0] < ratios[1] < ratios[2]


def test_losses_are_consistent() -> None:
    net = network(7)
    delta = np.zeros((50, 4))
    delta[5:25, 1] = 0.5
    res = d.simulate(net, delta)
    assert (res.output <= res.baseline[None, :] * (1 - delta[:, net.city]) + 1e-9).all()
    assert (res.total >= res.direct - 1e-9).all()
    assert res.total.sum() == pytest.approx(res.direct.sum() + res.indirect.sum())
    assert res.input_bound_days.max() > 0
    assert res.bottleneck.sum() > 0


@pytest.mark.parametrize(
    "bad",
    [
        lambda n: (n, np.full((3, 4), 1.5)),
        lambda n: (n, np.zeros((3, 2))),
        lambda n: (n, np.zeros(4)),
        lambda n: (
            d.Network(flows=-n.flows, final_demand=n.final_demand, city=n.city),
            np.zeros((3, 4)),
        ),
        lambda n: (
            d.Network(flows=np.zeros_like(n.flows), final_demand=0 * n.final_demand, city=n.city),
            np.zeros((3, 4)),
        ),
    ],
)
def test_bad_inputs_are_refused(bad: object) -> None:
    net, delta = bad(network(1))  # type: ignore[operator]
    with pytest.raises(d.ModelError) as info:
        d.simulate(net, delta)
    assert info.value.message_zh
