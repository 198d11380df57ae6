"""Scenarios: multipliers, common random numbers, and the anchors' qualitative results."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from dyrd.epidemic.compute.model import initial_state, li2020_seed
from dyrd.epidemic.compute.scenarios import (
    Intervention,
    InterventionKind,
    Scenario,
    multipliers,
    run_scenario,
)
from dyrd.epidemic.types import ModelParams
from tests.conftest import SHARED

PEI = SHARED / "data" / "epidemic" / "pei2020"
SHUTDOWN_DAY = 13  # 23 Jan 2020 counted from 10 Jan, the start of Li et al.'s fitting window


def _pei() -> tuple[np.ndarray, np.ndarray, int]:
    if not (PEI / "Mobility.csv").exists():
        pytest.skip(f"Li et al. 2020 data not found under {PEI} (shared data set absent)")
    with (PEI / "pop.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    index = {r["City"]: i for i, r in enumerate(rows)}
    pop = np.array([float(r["Population"]) for r in rows])
    m = np.zeros((14, len(rows), len(rows)))
    with (PEI / "Mobility.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            day = int(r["Day"]) - 1
            m[day, index[r["Destination"]], index[r["Origin"]]] = float(r["Mobility Index"])
    return pop, m, index["Wuhan"]


def test_multipliers_cover_the_named_cities_and_days() -> None:
    sc = Scenario(
        "s",
        (
            Intervention(InterventionKind.MOBILITY, 0.5, 2, 4, (1,)),
            Intervention(InterventionKind.TRANSMISSION, 0.25, 3),
            Intervention(InterventionKind.MOBILITY, 0.5, 3, None, (1, 2)),
        ),
    )
    mob, trans = multipliers(sc, 6, 3)
    assert mob[:, 1].tolist() == [1.0, 1.0, 0.5, 0.25, 0.5, 0.5]
    assert mob[:, 0].tolist() == [1.0] * 6
    assert trans[:, 2].tolist() == [1.0, 1.0, 1.0, 0.75, 0.75, 0.75]
    with pytest.raises(ValueError, match="city index"):
        multipliers(
            Scenario("x", (Intervention(InterventionKind.MOBILITY, 0.5, 0, None, (7,)),)), 3, 3
        )
    with pytest.raises(ValueError, match="reduction"):
        Intervention(InterventionKind.MOBILITY, 1.5, 0)


def test_empty_scenario_changes_nothing_and_gdp_exposure_is_reported() -> None:
    pop = np.array([1e6, 2e6, 5e5])
    mob = np.array([[0.0, 500.0, 100.0], [500.0, 0.0, 50.0], [100.0, 50.0, 0.0]])
    init = initial_state(pop, n_members=20, E=np.array([[50.0, 0.0, 0.0]]))
    rng = np.random.default_rng(4)
    same = run_scenario(ModelParams(), init, mob, 40, Scenario("none", ()), rng=rng)
    for c in same.cities:
        assert c.infections_averted == 0.0
        assert c.arrival_delay in (0.0, None)
        assert c.exposed_gdp_share == 0.0
    cut = Scenario("cut", (Intervention(InterventionKind.TRANSMISSION, 0.5, 10, 30),))
    res = run_scenario(
        ModelParams(), init, mob, 40, cut, rng=rng, gdp=np.array([100.0, 200.0, 50.0])
    )
    assert res.cities[0].exposed_gdp_share == pytest.approx(0.5 * 20 / 40)
    assert res.cities[1].exposed_gdp == pytest.approx(200.0 * 0.25 * 40 / 365)
    assert sum(c.infections_averted for c in res.cities) > 0


def test_wuhan_style_shutdown_delays_arrival_by_days_not_weeks() -> None:
    # Tian et al. (Science 2020): the Wuhan shutdown delayed arrival elsewhere by 2.91 days
    # (95% CI 2.54-3.29); Chinazzi et al.: 3-5 days. Li et al.'s network, seeding and posterior.
    pop, m, wuhan = _pei()
    init = li2020_seed(pop, m[0], wuhan, n_members=1, rng=np.random.default_rng(5))
    shutdown = Scenario(
        "wuhan", (Intervention(InterventionKind.MOBILITY, 0.98, SHUTDOWN_DAY, None, (wuhan,)),)
    )
    res = run_scenario(
        ModelParams(),
        init,
        m,
        80,
        shutdown,
        rng=np.random.default_rng(6),
        stochastic=False,
        arrival_threshold=10.0,
    )
    later = [
        c.arrival_delay
        for c in res.cities
        if c.arrival_delay is not None
        and c.arrival_day_baseline is not None
        and c.arrival_day_baseline > SHUTDOWN_DAY
    ]
    assert len(later) > 100
    delays = np.asarray(later)
    assert np.all(delays >= 0)  # a shutdown never brings arrival forward
    assert 0.0 < float(np.median(delays)) <= 7.0  # days ...
    assert float(np.percentile(delays, 90)) < 14.0  # ... not weeks


def test_travel_cuts_alone_change_little_without_transmission_reduction() -> None:
    # Chinazzi et al. (Science 2020): a sustained 90% travel restriction only modestly changes
    # the trajectory unless transmission also falls by at least 50%.
    pop, m, wuhan = _pei()
    init = li2020_seed(pop, m[0], wuhan, n_members=1, rng=np.random.default_rng(7))
    travel = Intervention(InterventionKind.MOBILITY, 0.9, SHUTDOWN_DAY)
    both = Intervention(InterventionKind.TRANSMISSION, 0.5, SHUTDOWN_DAY)
    kw = {"rng": np.random.default_rng(8), "stochastic": False}
    only = run_scenario(ModelParams(), init, m, 150, Scenario("travel", (travel,)), **kw)
    comb = run_scenario(ModelParams(), init, m, 150, Scenario("both", (travel, both)), **kw)
    total = sum(c.infections_baseline for c in only.cities)
    averted_travel = sum(c.infections_averted for c in only.cities) / total
    averted_both = sum(c.infections_averted for c in comb.cities) / total
    assert abs(averted_travel) < 0.1
    assert averted_both > 0.5
