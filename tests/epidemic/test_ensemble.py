"""Ensembles and sweeps give the same numbers in-process and on a Dask LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

from dyrd.epidemic.adapters.runners import DaskRunner, InProcessRunner
from dyrd.epidemic.compute.ensemble import Scenario, Task, run_ensemble, split, sweep
from dyrd.epidemic.compute.model import initial_state
from dyrd.epidemic.errors import InvalidParameter
from dyrd.epidemic.types import ModelParams


def _task(members: int = 12) -> Task:
    rng = np.random.default_rng(5)
    n = 6
    pop = rng.uniform(1e6, 5e6, n)
    m = rng.uniform(0, 2e4, (n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(m, 0)
    e = np.zeros(n)
    e[0] = 300
    return Task(
        params=ModelParams(),
        initial=initial_state(pop, n_members=members, E=e, Iu=e),
        mobility=m,
        days=30,
        seed=42,
        scheme="euler",
    )


def test_chunks_are_reproducible_and_independent() -> None:
    task = _task()
    local = InProcessRunner()
    a = run_ensemble(task, n_chunks=3, mapper=local.map)
    b = run_ensemble(task, n_chunks=3, mapper=local.map)
    np.testing.assert_array_equal(a.new_documented, b.new_documented)
    assert a.new_documented.shape == (30, 12, 6)
    # Different chunks draw different numbers (no repeated seed).
    totals = a.new_documented.sum(axis=(0, 2))
    assert len(set(totals.round(6))) > 1
    with pytest.raises(InvalidParameter):
        split(task, 13)


def test_dask_local_cluster_equals_in_process() -> None:
    task = _task()
    scenarios = [Scenario("base"), Scenario("travel cut", mobility_multiplier=0.1)]
    local = InProcessRunner()
    expected = run_ensemble(task, n_chunks=3, mapper=local.map)
    expected_sweep = sweep(task, scenarios, n_chunks=2, mapper=local.map)
    with DaskRunner.local(n_workers=2, processes=False) as dask:
        got = run_ensemble(task, n_chunks=3, mapper=dask.map)
        got_sweep = sweep(task, scenarios, n_chunks=2, mapper=dask.map)
    np.testing.assert_array_equal(got.new_documented, expected.new_documented)
    assert got.reported is not None
    assert expected.reported is not None
    np.testing.assert_array_equal(got.reported, expected.reported)
    for name in ("base", "travel cut"):
        np.testing.assert_array_equal(
            got_sweep[name].new_documented, expected_sweep[name].new_documented
        )
    # Common random numbers: the cut only moves cases away from the seeded city's neighbours.
    assert (
        got_sweep["travel cut"].new_documented[:, :, 1:].sum()
        < got_sweep["base"].new_documented[:, :, 1:].sum()
    )
