"""The Li et al. (2020) metapopulation SEIR: invariants, variants and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.epidemic.compute.model import (
    ModelState,
    delay_pmf,
    expected_reports,
    initial_state,
    li2020_seed,
    simulate,
)
from dyrd.epidemic.errors import InvalidMobility, InvalidParameter, InvalidShape
from dyrd.epidemic.types import ModelParams, ReportingDelay

PARAMS = ModelParams()


def _network(
    rng: np.random.Generator, n: int, density: float = 0.3, scale: float = 1e4
) -> np.ndarray:
    m = rng.uniform(0, scale, (n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(m, 0.0)
    return m


@st.composite
def networks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n = draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pop = rng.uniform(1e3, 1e6, n)
    # Up to twice the population leaving per day: exercises the cap on outflow.
    m = _network(rng, n, draw(st.floats(0.1, 1.0)), draw(st.floats(1.0, 2e6)))
    return pop, m, seed


@settings(max_examples=25, deadline=None)
@given(networks())
def test_travel_conserves_the_travelling_population(
    net: tuple[np.ndarray, np.ndarray, int],
) -> None:
    pop, m, seed = net
    rng = np.random.default_rng(seed)
    state = initial_state(pop, n_members=3, E=pop * 0.01, Iu=pop * 0.01, Ir=pop * 0.001)
    # No transmission: S changes only by travel, so its total over cities is constant.
    traj = simulate(PARAMS, state, m, 10, rng=rng, stochastic=False, transmission_multiplier=0.0)
    np.testing.assert_allclose(traj.final.S.sum(axis=1), state.S.sum(axis=1), rtol=1e-9)
    # E + Iu + Ir + cumulative removals is conserved too (no new infections at all).
    assert np.all(traj.new_documented.sum() + traj.new_undocumented.sum() <= state.E.sum() + 1e-6)


@settings(max_examples=25, deadline=None)
@given(
    networks(),
    st.floats(0.8, 1.5),
    st.floats(0.2, 1.0),
    st.floats(0.02, 1.0),
    st.booleans(),
)
def test_no_negative_compartments(
    net: tuple[np.ndarray, np.ndarray, int], beta: float, mu: float, alpha: float, euler: bool
) -> None:
    pop, m, seed = net
    rng = np.random.default_rng(seed)
    state = li2020_seed(pop, m, 0, n_members=4, rng=rng)
    params = ModelParams(beta=beta, mu=mu, alpha=alpha)
    traj = simulate(
        params, state, m, 15, rng=rng, stochastic=True, scheme="euler" if euler else "rk4"
    )
    for comp in (traj.final.S, traj.final.E, traj.final.Ir, traj.final.Iu, traj.final.N):
        assert np.isfinite(comp).all()
        assert (comp >= 0).all()
    assert traj.reported is not None
    assert (traj.new_documented >= 0).all()
    assert (traj.reported >= 0).all()


def test_deterministic_is_the_mean_of_the_stochastic_variant() -> None:
    rng = np.random.default_rng(7)
    n = 6
    pop = rng.uniform(2e6, 8e6, n)
    m = _network(rng, n, 0.6, 2e4)
    seed = np.zeros(n)
    seed[0] = 500.0
    state = initial_state(pop, n_members=400, E=seed, Iu=seed)
    det = simulate(PARAMS, state, m, 30, rng=rng, stochastic=False)
    sto = simulate(PARAMS, state, m, 30, rng=rng, stochastic=True)
    d_total = det.new_documented.sum(axis=(0, 2))[0]
    s_totals = sto.new_documented.sum(axis=(0, 2))
    # The mean of 400 members lies within 3 standard errors (and 5%) of the expected path.
    se = s_totals.std() / np.sqrt(s_totals.size)
    assert abs(s_totals.mean() - d_total) < max(3 * se, 0.0) + 0.05 * d_total
    assert det.reported is not None
    assert sto.reported is not None
    np.testing.assert_allclose(sto.reported.mean(axis=1).sum(), det.reported[:, 0].sum(), rtol=0.05)


@pytest.mark.parametrize("stochastic", [False, True])
def test_zero_mobility_isolates_cities(stochastic: bool) -> None:
    rng = np.random.default_rng(3)
    n = 5
    pop = np.full(n, 1e6)
    e = np.zeros(n)
    e[2] = 100.0
    state = initial_state(pop, n_members=20, E=e, Iu=e)
    traj = simulate(PARAMS, state, np.zeros((n, n)), 40, rng=rng, stochastic=stochastic)
    others = [i for i in range(n) if i != 2]
    assert traj.new_infections[:, :, others].sum() == 0
    assert traj.new_infections[:, :, 2].sum() > 0
    # A full travel ban by the multiplier is the same as no trips at all.
    m = _network(rng, n, 1.0, 1e5)
    banned = simulate(
        PARAMS,
        state,
        m,
        40,
        rng=np.random.default_rng(1),
        stochastic=stochastic,
        mobility_multiplier=0.0,
    )
    alone = simulate(
        PARAMS, state, np.zeros((n, n)), 40, rng=np.random.default_rng(1), stochastic=stochastic
    )
    np.testing.assert_array_equal(banned.new_documented, alone.new_documented)


def test_mobility_carries_the_epidemic_and_a_city_cut_delays_it() -> None:
    n = 3
    pop = np.full(n, 5e6)
    m = np.zeros((n, n))
    m[1, 0] = m[0, 1] = 5e4  # 0 <-> 1 only; 2 is isolated
    e = np.array([1000.0, 0.0, 0.0])
    state = initial_state(pop, n_members=1, E=e, Iu=e)
    free = simulate(PARAMS, state, m, 60, rng=np.random.default_rng(0), stochastic=False)
    cut = simulate(
        PARAMS,
        state,
        m,
        60,
        rng=np.random.default_rng(0),
        stochastic=False,
        mobility_multiplier=np.array([0.1, 1.0, 1.0]),
    )
    assert free.new_infections[:, 0, 2].sum() == 0
    arrival_free = int(np.argmax(free.new_infections[:, 0, 1] > 10))
    arrival_cut = int(np.argmax(cut.new_infections[:, 0, 1] > 10))
    assert 0 < arrival_free < arrival_cut


def test_transmission_multiplier_lowers_the_epidemic() -> None:
    pop = np.array([1e6])
    state = initial_state(pop, n_members=1, E=100.0, Iu=100.0)
    base = simulate(
        PARAMS, state, np.zeros((1, 1)), 60, rng=np.random.default_rng(0), stochastic=False
    )
    half = simulate(
        PARAMS,
        state,
        np.zeros((1, 1)),
        60,
        rng=np.random.default_rng(0),
        stochastic=False,
        transmission_multiplier=0.3,
    )
    # Re = 2.38 x 0.3 < 1: the epidemic shrinks instead of growing.
    assert (
        half.new_infections[-1].sum() < half.new_infections[0].sum() < base.new_infections[-1].sum()
    )


def test_reporting_delay_matches_the_papers_gamma() -> None:
    pmf = delay_pmf(ReportingDelay())
    assert pmf[0] == 0
    assert abs(pmf.sum() - 1) < 1e-12
    draws = np.ceil(np.random.default_rng(0).gamma(1.85, 9 / 1.85, 200_000))
    empirical = np.bincount(draws.astype(int), minlength=pmf.size)[: pmf.size] / draws.size
    np.testing.assert_allclose(pmf[:20], empirical[:20], atol=3e-3)


def test_expected_reports_are_the_convolution_with_the_delay() -> None:
    pmf = delay_pmf(ReportingDelay())
    doc = np.random.default_rng(4).poisson(30.0, (12, 3, 5)).astype(np.float64)
    naive = np.zeros((12 + pmf.size, 3, 5))
    for t in range(12):
        naive[t : t + pmf.size] += pmf[:, None, None] * doc[t]
    np.testing.assert_allclose(expected_reports(doc, pmf), naive, rtol=1e-12, atol=1e-12)


def test_expected_reports_account_for_every_documented_case() -> None:
    rng = np.random.default_rng(2)
    pop = np.full(3, 1e6)
    state = initial_state(pop, n_members=2, E=np.array([50.0, 0, 0]))
    traj = simulate(PARAMS, state, _network(rng, 3, 1.0), 20, rng=rng, stochastic=False)
    assert traj.reported is not None
    assert traj.pending_reports is not None
    np.testing.assert_allclose(
        traj.reported.sum() + traj.pending_reports.sum(), traj.new_documented.sum(), rtol=1e-9
    )
    # Continuing with the pending reports equals one longer run.
    longer = simulate(
        PARAMS, state, _network(np.random.default_rng(2), 3, 1.0), 30, rng=rng, stochastic=False
    )
    more = simulate(
        PARAMS,
        traj.final,
        _network(np.random.default_rng(2), 3, 1.0),
        10,
        rng=rng,
        stochastic=False,
        pending_reports=traj.pending_reports,
    )
    assert longer.reported is not None
    assert more.reported is not None
    np.testing.assert_allclose(longer.reported[20:], more.reported, rtol=1e-9)


def test_parameter_array_per_member() -> None:
    pop = np.full(2, 1e6)
    state = initial_state(pop, n_members=2, E=100.0, Iu=100.0)
    params = np.array([PARAMS.as_tuple(), PARAMS.as_tuple()])
    params[1, 0] = 1.5  # higher beta in member 1
    traj = simulate(
        params, state, np.zeros((2, 2)), 30, rng=np.random.default_rng(0), stochastic=False
    )
    totals = traj.new_infections.sum(axis=(0, 2))
    assert totals[1] > totals[0]


def test_bad_inputs_name_the_culprit() -> None:
    pop = np.full(3, 1e6)
    state = initial_state(pop, n_members=2)
    rng = np.random.default_rng(0)
    bad = np.zeros((3, 3))
    bad[2, 1] = -5
    with pytest.raises(InvalidMobility, match="from city 1 to city 2"):
        simulate(PARAMS, state, bad, 3, rng=rng)
    with pytest.raises(InvalidShape):
        simulate(PARAMS, state, np.zeros((4, 4)), 3, rng=rng)
    with pytest.raises(InvalidShape):
        simulate(PARAMS, state, np.zeros((3, 3)), 3, rng=rng, mobility_multiplier=np.ones(5))
    with pytest.raises(InvalidParameter, match="alpha"):
        ModelParams(alpha=1.5)
    params = np.tile(PARAMS.as_tuple(), (2, 1))
    params[1, 3] = 0.0
    with pytest.raises(InvalidParameter, match="Z of member 1"):
        simulate(params, state, np.zeros((3, 3)), 3, rng=rng)
    with pytest.raises(InvalidParameter):
        initial_state(np.array([1e6, -1.0]), n_members=1)
    with pytest.raises(InvalidParameter):
        initial_state(np.array([10.0]), n_members=1, E=20.0)


def test_li2020_seed() -> None:
    pop = np.array([1e7, 2e6, 3e6])
    m = np.zeros((3, 3))
    m[1, 0] = 1e5
    state = li2020_seed(pop, m, 0, n_members=50, rng=np.random.default_rng(0))
    assert isinstance(state, ModelState)
    assert ((state.E[:, 0] >= 0) & (state.E[:, 0] <= 2000)).all()
    np.testing.assert_allclose(state.E[:, 1], 3 * 1e5 / 1e7 * state.E[:, 0])
    assert (state.E[:, 2] == 0).all()
    assert PARAMS.re == pytest.approx(2.38, abs=0.01)
