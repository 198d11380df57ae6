"""The Li et al. (2020) model encoded for epydemix 1.5, and the check that both curves match.

epydemix (GPL-3) has no spatial layer: one population split into demographic groups that mix
through a contact matrix. The comparable model therefore takes the 41 cities as 41 groups with
an identity contact matrix (a city infects only itself), the Li et al. compartments S, E, Ir, Iu,
R and their rates (beta through Ir, mu x beta through Iu, alpha/Z and (1 - alpha)/Z out of E,
1/D out of Ir and Iu), one step per day with epydemix's linear probabilities (rate x dt, the
expected flows of dyrd's one-stage Poisson day). dyrd runs the same model with travel switched
off (theta = 0) and no reporting delay. epydemix is imported here only, and only by the
benchmark: it is never a dependency of the platform (``make bench`` installs the ``bench-gpl``
group).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.model import initial_state, simulate
from dyrd.epidemic.types import ModelParams

FloatArray = npt.NDArray[np.float64]

SEED_SHARE = 2e-5
"""E and Iu at day 0 in every city, as a share of its population (about 500 in Shanghai)."""

MATCH_GAP = 0.02
"""Largest gap between the two ensemble-mean curves of daily documented infections (all cities),
as a share of the peak, for the curves to count as matching; Monte Carlo error of 100 members is
far below it (0.1% measured)."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One timed epydemix run and the curve match against dyrd's."""

    epydemix_s: float
    curve_gap: float
    """max_t |dyrd(t) - epydemix(t)| / max_t epydemix(t), ensemble means of all cities."""
    peak_day_dyrd: int
    peak_day_epydemix: int
    final_size_ratio: float
    """dyrd / epydemix documented infections over the run, all cities."""

    @property
    def matching(self) -> bool:
        """Curves within ``MATCH_GAP`` and peaks within a day of each other."""
        return curves_match(self.curve_gap, self.peak_day_dyrd, self.peak_day_epydemix)


def curves_match(gap: float, peak_day_dyrd: int, peak_day_epydemix: int) -> bool:
    """The match rule: gap at most ``MATCH_GAP`` of the peak, peak days at most a day apart."""
    return gap <= MATCH_GAP and abs(peak_day_dyrd - peak_day_epydemix) <= 1


def _seed(population: FloatArray) -> FloatArray:
    return np.round(population * SEED_SHARE)


def dyrd_curves(
    population: FloatArray, mobility: FloatArray, members: int, days: int, params: ModelParams
) -> FloatArray:
    """Daily documented infections (days, members, cities) of dyrd's model without travel."""
    seed = _seed(population)
    start = initial_state(population, n_members=members, E=seed, Iu=seed)
    traj = simulate(
        dataclasses.replace(params, theta=0.0),
        start,
        mobility,
        days,
        rng=np.random.default_rng(7),
        scheme="euler",
        delay=None,
    )
    return traj.new_documented


def epydemix_curves(
    population: FloatArray, names: list[str], members: int, days: int, params: ModelParams
) -> FloatArray:
    """The same from epydemix (members, days, cities); raises ImportError when it is absent."""
    import pandas as pd
    from epydemix import EpiModel  # type: ignore[import-not-found, unused-ignore]
    from epydemix.population import Population  # type: ignore[import-not-found, unused-ignore]

    n = population.size
    model: Any = EpiModel(name="li2020", compartments=["S", "E", "Ir", "Iu", "R"])
    groups: Any = Population(name="yrd")
    groups.add_population(Nk=list(population), Nk_names=names)
    groups.add_contact_matrix(np.eye(n), layer_name="all")
    model.set_population(groups)
    model.add_parameter(
        parameters_dict={
            "beta": params.beta,
            "beta_u": params.mu * params.beta,
            "to_ir": params.alpha / params.Z,
            "to_iu": (1.0 - params.alpha) / params.Z,
            "recover": 1.0 / params.D,
        }
    )
    model.add_transition("S", "E", kind="mediated", params=("beta", "Ir"))
    model.add_transition("S", "E", kind="mediated", params=("beta_u", "Iu"))
    model.add_transition("E", "Ir", kind="spontaneous", params="to_ir")
    model.add_transition("E", "Iu", kind="spontaneous", params="to_iu")
    model.add_transition("Ir", "R", kind="spontaneous", params="recover")
    model.add_transition("Iu", "R", kind="spontaneous", params="recover")
    seed = _seed(population)
    zero = np.zeros(n)
    start = pd.Timestamp("2020-01-10")
    # epydemix 1.5 compares pandas' inferred frequency with "D" as a string: keep that answer.
    with pd.option_context("future.infer_freq_returns_offset", False):
        result = model.run_simulations(
            start_date=start,
            end_date=start + pd.Timedelta(days=days - 1),
            initial_conditions_dict={
                "S": population - 2 * seed,
                "E": seed,
                "Ir": zero,
                "Iu": seed,
                "R": zero,
            },
            Nsim=members,
            dt=1.0,
            apply_linear_approximation=True,
            rng=0,
        )
    return np.stack(
        [
            np.stack(
                [np.asarray(t.transitions[f"E_to_Ir_{c}"], dtype=np.float64) for c in names], 1
            )
            for t in result.trajectories
        ]
    )


def compare(
    population: FloatArray,
    mobility: FloatArray,
    names: list[str],
    *,
    members: int,
    days: int,
    params: ModelParams | None = None,
) -> Comparison:
    """Time epydemix on the comparable model and compare its curves with dyrd's."""
    p = params or ModelParams()
    began = time.perf_counter()
    theirs = epydemix_curves(population, names, members, days, p).mean(axis=0).sum(axis=1)
    seconds = time.perf_counter() - began
    ours = dyrd_curves(population, mobility, members, days, p).mean(axis=1).sum(axis=1)
    peak = float(theirs.max())
    return Comparison(
        epydemix_s=seconds,
        curve_gap=float(np.abs(ours - theirs).max() / peak) if peak > 0 else 0.0,
        peak_day_dyrd=int(ours.argmax()),
        peak_day_epydemix=int(theirs.argmax()),
        final_size_ratio=float(ours.sum() / theirs.sum()) if theirs.sum() > 0 else 1.0,
    )
