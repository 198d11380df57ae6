"""Intervention scenarios on the metapopulation model: travel cuts, transmission cuts, both.

A scenario is a list of interventions, each a reduction (share in [0, 1]) of either mobility
(trips to and from the named cities; a trip obeys the stricter of its two cities, see
``model.simulate``) or transmission (a factor 1 - share on beta in the named cities), from a
start day, optionally until an end day. The baseline (no intervention) and the scenario run with
the same random numbers (common random numbers: the same seed), so their difference is the
effect of the intervention, not sampling noise.

Per city it reports (means or medians over members, as named):

* infections and documented infections over the horizon, and those averted (baseline - scenario);
* the peak day of the median daily new infections;
* the arrival day, the first day the cumulative documented infections reach ``arrival_threshold``
  (Tian et al., Science 2020 date arrival by the first reported case), median over members;
  the arrival delay is scenario minus baseline (None if a run never arrives);
* the exposed share of GDP: the intensity-weighted share of the horizon's city-days under a
  restriction (the strictest of the two kinds on each day), i.e. the share of the city's GDP
  produced under restriction; and the exposed GDP itself (GDP x share x days / 365, in the GDP's
  unit). A proxy for the economic exposure the supply-chain and economy work consume, not an
  estimate of GDP loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.model import ModelState, Scheme, simulate
from dyrd.epidemic.types import ModelParams

FloatArray = npt.NDArray[np.float64]


class InterventionKind(StrEnum):
    """What an intervention reduces."""

    MOBILITY = "mobility"
    TRANSMISSION = "transmission"


@dataclass(frozen=True, slots=True)
class Intervention:
    """A reduction of mobility or transmission in some cities over a span of days."""

    kind: InterventionKind
    reduction: float
    start_day: int
    end_day: int | None = None
    cities: tuple[int, ...] | None = None
    """City indices; None means every city."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.reduction <= 1.0:
            raise ValueError(f"reduction must lie in [0, 1], got {self.reduction}")
        if self.start_day < 0 or (self.end_day is not None and self.end_day <= self.start_day):
            raise ValueError("start_day must be >= 0 and end_day, if given, after it")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named set of interventions."""

    name: str
    interventions: tuple[Intervention, ...]


def multipliers(scenario: Scenario, days: int, n_cities: int) -> tuple[FloatArray, FloatArray]:
    """(mobility, transmission) multipliers of shape (days, n_cities); overlaps multiply."""
    mob = np.ones((days, n_cities))
    trans = np.ones((days, n_cities))
    for iv in scenario.interventions:
        cities = list(range(n_cities)) if iv.cities is None else list(iv.cities)
        if any(not 0 <= c < n_cities for c in cities):
            raise ValueError(f"intervention names a city index outside 0..{n_cities - 1}")
        end = days if iv.end_day is None else min(iv.end_day, days)
        target = mob if iv.kind is InterventionKind.MOBILITY else trans
        target[iv.start_day : end, cities] *= 1.0 - iv.reduction
    return mob, trans


@dataclass(frozen=True, slots=True)
class CityImpact:
    """Effect of a scenario on one city."""

    city: int
    infections_baseline: float
    infections_scenario: float
    documented_baseline: float
    documented_scenario: float
    peak_day_baseline: int
    peak_day_scenario: int
    arrival_day_baseline: float | None
    arrival_day_scenario: float | None
    exposed_gdp_share: float
    exposed_gdp: float | None

    @property
    def infections_averted(self) -> float:
        """Baseline minus scenario infections (negative if the scenario has more)."""
        return self.infections_baseline - self.infections_scenario

    @property
    def arrival_delay(self) -> float | None:
        """Days by which arrival moves later; None if either run never arrives."""
        if self.arrival_day_baseline is None or self.arrival_day_scenario is None:
            return None
        return self.arrival_day_scenario - self.arrival_day_baseline


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioResult:
    """Per-city impacts and the median daily new infections of both runs (days, n)."""

    scenario: Scenario
    cities: list[CityImpact]
    daily_baseline: FloatArray
    daily_scenario: FloatArray


def _arrival(documented: FloatArray, threshold: float) -> list[float | None]:
    """Median over members of the first day cumulative documented infections reach threshold."""
    cum = np.cumsum(documented, axis=0)  # (days, members, n)
    reached = cum >= threshold
    first = np.where(reached.any(axis=0), reached.argmax(axis=0), np.inf)  # (members, n)
    med = np.median(first, axis=0)
    return [None if not np.isfinite(v) else float(v) for v in med]


def run_scenario(
    params: ModelParams | FloatArray,
    initial: ModelState,
    mobility: npt.ArrayLike,
    days: int,
    scenario: Scenario,
    *,
    rng: np.random.Generator,
    stochastic: bool = True,
    gdp: npt.ArrayLike | None = None,
    arrival_threshold: float = 1.0,
    scheme: Scheme = "rk4",
) -> ScenarioResult:
    """Run the baseline and the scenario with the same random numbers and compare per city."""
    if days < 1:
        raise ValueError("a scenario needs at least one day")
    if arrival_threshold <= 0:
        raise ValueError("the arrival threshold must be > 0")
    n = initial.shape[1]
    mob_mult, trans_mult = multipliers(scenario, days, n)
    gdp_arr = None if gdp is None else np.asarray(gdp, dtype=np.float64)
    if gdp_arr is not None and gdp_arr.shape != (n,):
        raise ValueError(f"gdp must have one value per city ({n})")
    seed = int(rng.integers(2**63 - 1))
    base = simulate(
        params,
        initial,
        np.asarray(mobility, dtype=np.float64),
        days,
        rng=np.random.default_rng(seed),
        stochastic=stochastic,
        delay=None,
        scheme=scheme,
    )
    scen = simulate(
        params,
        initial,
        np.asarray(mobility, dtype=np.float64),
        days,
        rng=np.random.default_rng(seed),
        stochastic=stochastic,
        delay=None,
        mobility_multiplier=mob_mult,
        transmission_multiplier=trans_mult,
        scheme=scheme,
    )
    inf_b = base.new_infections
    inf_s = scen.new_infections
    med_b = np.median(inf_b, axis=1)
    med_s = np.median(inf_s, axis=1)
    arr_b = _arrival(base.new_documented, arrival_threshold)
    arr_s = _arrival(scen.new_documented, arrival_threshold)
    restricted = 1.0 - np.minimum(mob_mult, trans_mult)
    share = restricted.mean(axis=0)
    out: list[CityImpact] = []
    for i in range(n):
        out.append(
            CityImpact(
                city=i,
                infections_baseline=float(inf_b[:, :, i].sum(axis=0).mean()),
                infections_scenario=float(inf_s[:, :, i].sum(axis=0).mean()),
                documented_baseline=float(base.new_documented[:, :, i].sum(axis=0).mean()),
                documented_scenario=float(scen.new_documented[:, :, i].sum(axis=0).mean()),
                peak_day_baseline=int(np.argmax(med_b[:, i])),
                peak_day_scenario=int(np.argmax(med_s[:, i])),
                arrival_day_baseline=arr_b[i],
                arrival_day_scenario=arr_s[i],
                exposed_gdp_share=float(share[i]),
                exposed_gdp=None
                if gdp_arr is None
                else float(gdp_arr[i] * share[i] * days / 365.0),
            )
        )
    return ScenarioResult(scenario=scenario, cities=out, daily_baseline=med_b, daily_scenario=med_s)
