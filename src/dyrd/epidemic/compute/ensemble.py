"""Ensembles and scenario sweeps as independent seeded tasks, for any task runner.

An ensemble of ``n_members`` is cut into chunks; chunk k draws from
``SeedSequence(seed, spawn_key=(k,))`` (the k-th child ``SeedSequence(seed).spawn`` gives), so
the result depends on (seed, chunking) only and is the same whether the chunks run in this
process or on a Dask cluster. A scenario sweep runs every scenario with the same seed (common
random numbers), so differences between scenarios are not sampling noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from dyrd.epidemic.compute.model import DEFAULT_DELAY, ModelState, Scheme, Trajectory, simulate
from dyrd.epidemic.errors import InvalidParameter
from dyrd.epidemic.types import ModelParams, ReportingDelay

FloatArray = NDArray[np.float64]
Mapper = Callable[[Callable[["Task"], Trajectory], Sequence["Task"]], list[Trajectory]]


@dataclass(frozen=True, slots=True, eq=False)
class Task:
    """One chunk of one run: everything :func:`simulate` needs, picklable."""

    params: ModelParams | FloatArray
    initial: ModelState
    mobility: FloatArray
    days: int
    seed: int
    spawn_key: tuple[int, ...] = ()
    """Chunk k of a run with ``seed`` draws from ``SeedSequence(seed, spawn_key=(k,))``."""
    stochastic: bool = True
    mobility_multiplier: FloatArray | float | None = None
    transmission_multiplier: FloatArray | float | None = None
    delay: ReportingDelay | None = DEFAULT_DELAY
    scheme: Scheme = "rk4"


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """An intervention: per-city multipliers on travel and on transmission."""

    name: str
    mobility_multiplier: FloatArray | float | None = None
    transmission_multiplier: FloatArray | float | None = None


def run_task(task: Task) -> Trajectory:
    """Run one chunk (the function the runners execute)."""
    return simulate(
        task.params,
        task.initial,
        task.mobility,
        task.days,
        rng=np.random.default_rng(np.random.SeedSequence(task.seed, spawn_key=task.spawn_key)),
        stochastic=task.stochastic,
        mobility_multiplier=task.mobility_multiplier,
        transmission_multiplier=task.transmission_multiplier,
        delay=task.delay,
        scheme=task.scheme,
    )


def _slice_state(state: ModelState, sl: slice) -> ModelState:
    return ModelState(
        S=state.S[sl], E=state.E[sl], Ir=state.Ir[sl], Iu=state.Iu[sl], N=state.N[sl], N0=state.N0
    )


def split(task: Task, n_chunks: int) -> list[Task]:
    """The task cut into ``n_chunks`` member chunks with independent child seeds."""
    m = task.initial.shape[0]
    if not 1 <= n_chunks <= m:
        raise InvalidParameter(
            f"n_chunks must be between 1 and the number of members ({m}), got {n_chunks}",
            f"分块数须在 1 与成员数 ({m}) 之间, 实为 {n_chunks}",
        )
    bounds = np.linspace(0, m, n_chunks + 1).astype(int)
    out = []
    for k in range(n_chunks):
        sl = slice(int(bounds[k]), int(bounds[k + 1]))
        params = task.params if isinstance(task.params, ModelParams) else task.params[sl]
        out.append(
            replace(
                task,
                params=params,
                initial=_slice_state(task.initial, sl),
                spawn_key=(*task.spawn_key, k),
            )
        )
    return out


def concat(parts: Sequence[Trajectory]) -> Trajectory:
    """Chunks of one run joined along the member axis."""

    def cat(arrays: list[FloatArray | None], axis: int) -> FloatArray | None:
        if any(a is None for a in arrays):
            return None
        return np.concatenate([a for a in arrays if a is not None], axis=axis)

    finals = [p.final for p in parts]
    final = ModelState(
        S=np.concatenate([f.S for f in finals]),
        E=np.concatenate([f.E for f in finals]),
        Ir=np.concatenate([f.Ir for f in finals]),
        Iu=np.concatenate([f.Iu for f in finals]),
        N=np.concatenate([f.N for f in finals]),
        N0=finals[0].N0,
    )
    return Trajectory(
        new_documented=np.concatenate([p.new_documented for p in parts], axis=1),
        new_undocumented=np.concatenate([p.new_undocumented for p in parts], axis=1),
        reported=cat([p.reported for p in parts], 1),
        final=final,
        pending_reports=cat([p.pending_reports for p in parts], 1),
    )


def run_ensemble(task: Task, *, n_chunks: int, mapper: Mapper) -> Trajectory:
    """The task's ensemble run chunk by chunk through ``mapper`` (a runner's ``map``)."""
    return concat(mapper(run_task, split(task, n_chunks)))


def sweep(
    base: Task, scenarios: Sequence[Scenario], *, n_chunks: int, mapper: Mapper
) -> dict[str, Trajectory]:
    """Every scenario run from the same start and seed; all chunks go to ``mapper`` at once."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InvalidParameter("scenario names must be unique", "情景名称须唯一")
    tasks: list[Task] = []
    for s in scenarios:
        variant = replace(
            base,
            mobility_multiplier=s.mobility_multiplier,
            transmission_multiplier=s.transmission_multiplier,
        )
        tasks.extend(split(variant, n_chunks))
    results = mapper(run_task, tasks)
    return {
        name: concat(results[k * n_chunks : (k + 1) * n_chunks]) for k, name in enumerate(names)
    }
