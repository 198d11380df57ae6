"""Quantile forecasts of weekly reported cases per city from the metapopulation model; pure numpy.

Method (one forecast origin t0, daily reported incidence y[0:t0] of n cities):

1. **Warm start** at s = t0 - ``window`` (at least day 0): each city's compartments are set from
   the reports about one mean reporting delay after s (reports then are documented infections
   around s), assuming locally steady flows of the Li et al. (2020) model: documented infections
   leave E at alpha E / Z = r, so E = r Z / alpha; Ir = r D; Iu = (1 - alpha) E / Z x D.
   This is a moment-matching start, not a filter (the IF-EAKF of ``eakf.py`` can replace it).
2. **Fit**: two effective transmission factors (multipliers on beta that absorb the
   interventions in force), kappa1 for the first half of the window and kappa2 for the second
   half and the forecast, on a grid, by the negative-binomial likelihood of the reports in the
   window after a one-week burn-in, under the deterministic model with the reporting delay.
   Members draw (kappa1, kappa2) in proportion to the likelihood (grid posterior, flat prior).
3. **Forecast**: the stochastic model (Poisson flows, multinomial reporting delay) runs every
   member through the window and ``weeks`` weeks beyond t0; weekly sums of reported cases after
   t0 get negative-binomial observation noise and become the 23 hub quantiles. With a
   calibration's posterior ensemble, each member also carries its own parameter row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.model import (
    ModelState,
    Scheme,
    initial_state,
    param_array,
    simulate,
)
from dyrd.epidemic.compute.quantiles import HUB_QUANTILES, ensemble_quantiles
from dyrd.epidemic.types import ModelParams, ReportingDelay

FloatArray = npt.NDArray[np.float64]

KAPPA_GRID: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 21))
"""Multipliers on beta tried by the fit: 0.05 .. 1.0. The top is Li et al.'s 10-23 Jan 2020
posterior (Re 2.38, before any control measure); interventions only lower transmission, so the
fit looks below it (Re from about 0.12 to 2.38)."""

NB_DISPERSION = 5.0
"""Negative-binomial size k of the observation model (variance m + m^2/k). Daily city counts in
2020 were over-dispersed; k = 5 is the order Li et al.-style filters imply with OEV = max(4, y^2/4)
(variance of about y^2/4 for large counts, i.e. k of about 4); a platform choice, configurable."""


DEFAULT_DELAY = ReportingDelay()
"""Li et al. ``inference.m``: Gamma, mean 9 days, shape 1.85 (see ``types.ReportingDelay``)."""


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    """Knobs of the forecaster; defaults justified in the module docstring."""

    window: int = 28
    weeks: int = 4
    n_members: int = 200
    dispersion: float = NB_DISPERSION
    use_mobility: bool = True
    delay: ReportingDelay = DEFAULT_DELAY

    def __post_init__(self) -> None:
        if self.window < 14 or self.weeks < 1 or self.n_members < 10 or self.dispersion <= 0:
            raise ValueError(
                "window >= 14 days, weeks >= 1, n_members >= 10 and dispersion > 0 are required"
            )


@dataclass(frozen=True, slots=True, eq=False)
class CityForecast:
    """Weekly forecasts of all cities at one origin."""

    origin: int
    """Index of the first forecast day in the daily series."""
    quantiles: FloatArray
    """(23, weeks, n_cities) quantiles of weekly reported cases."""
    samples: FloatArray
    """(n_members, weeks, n_cities) weekly sample paths (after observation noise)."""
    kappa_median: float
    """Median of the members' current transmission factor kappa2."""


def _nb_loglik(y: FloatArray, m: FloatArray, k: float) -> FloatArray:
    """Log-likelihood summed over days and cities; ``m`` has a leading member axis."""
    m = np.maximum(m, 1e-9)
    ll = k * np.log(k / (k + m)) + y[None] * np.log(m / (k + m))
    # Terms that depend on y only (lgamma) are the same for every member and drop out.
    return np.asarray(ll.sum(axis=(1, 2)), dtype=np.float64)


def warm_start(
    incidence: FloatArray, start: int, population: FloatArray, p: ModelParams, lag: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(E, Ir, Iu) per city at day ``start`` from the reports about ``lag`` days later."""
    lo = min(start + max(lag - 3, 0), incidence.shape[0] - 1)
    r = incidence[lo : lo + 7].mean(axis=0)
    e = r * p.Z / p.alpha
    ir = r * p.D
    iu = (1.0 - p.alpha) * e / p.Z * p.D
    cap = 0.3 * population
    return np.minimum(e, cap), np.minimum(ir, cap), np.minimum(iu, cap)


def _two_phase(  # noqa: PLR0917 - private helper; the arguments are the model's inputs
    members: FloatArray,
    k1: FloatArray,
    k2: FloatArray,
    init: ModelState,
    mob: FloatArray,
    split: int,
    rest: int,
    *,
    rng: np.random.Generator,
    stochastic: bool,
    delay: ReportingDelay,
) -> FloatArray:
    """Reported cases (days, members, n) with beta x k1 before ``split`` and beta x k2 after."""
    p1 = members.copy()
    p1[:, 0] *= k1
    p2 = members.copy()
    p2[:, 0] *= k2
    scheme: Scheme = "euler"
    a = simulate(p1, init, mob, split, rng=rng, stochastic=stochastic, delay=delay, scheme=scheme)
    b = simulate(
        p2,
        a.final,
        mob,
        rest,
        rng=rng,
        stochastic=stochastic,
        delay=delay,
        pending_reports=a.pending_reports,
        scheme=scheme,
    )
    if a.reported is None or b.reported is None:  # unreachable: a delay was given
        raise ValueError("the model returned no reported cases")
    return np.concatenate([a.reported, b.reported], axis=0)


def forecast_at(
    incidence: npt.ArrayLike,
    origin: int,
    population: npt.ArrayLike,
    mobility: npt.ArrayLike,
    *,
    params: ModelParams,
    rng: np.random.Generator,
    settings: ForecastSettings | None = None,
    ensemble: npt.ArrayLike | None = None,
) -> CityForecast:
    """Forecast weekly reported cases for the ``weeks`` weeks after day ``origin``.

    ``params`` anchors the warm start and the transmission-factor fit. ``ensemble`` (k, 6), a
    calibration's posterior members in ``PARAMETERS`` order, gives each stochastic member its own
    parameters (drawn with replacement) instead of ``params``; the fitted factors multiply their
    beta relative to ``params.beta``.
    """
    st = settings or ForecastSettings()
    y = np.asarray(incidence, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    mob = np.asarray(mobility, dtype=np.float64)
    if y.ndim != 2 or y.shape[1] != pop.size:
        raise ValueError("incidence must be (days, n_cities) matching the population")
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("incidence must be finite and non-negative")
    if not 14 <= origin <= y.shape[0]:
        raise ValueError(f"origin must lie in [14, {y.shape[0]}], got {origin}")
    if not st.use_mobility:
        mob = np.zeros_like(mob)
    start = max(origin - st.window, 0)
    window = origin - start
    split = window // 2
    lag = round(st.delay.mean_days)
    e, ir, iu = warm_start(y, start, pop, params, lag)
    grid = np.asarray(KAPPA_GRID)
    g1, g2 = (a.ravel() for a in np.meshgrid(grid, grid, indexing="ij"))
    base = np.asarray(params.as_tuple())
    init = initial_state(pop, n_members=g1.size, E=e[None, :], Ir=ir[None, :], Iu=iu[None, :])
    det = _two_phase(
        np.tile(base, (g1.size, 1)),
        g1,
        g2,
        init,
        mob,
        split,
        window - split,
        rng=rng,
        stochastic=False,
        delay=st.delay,
    )
    burn = 7
    loglik = _nb_loglik(
        y[start + burn : origin], np.transpose(det[burn:], (1, 0, 2)), st.dispersion
    )
    w = np.exp(loglik - loglik.max())
    w /= w.sum()
    pick = rng.choice(g1.size, size=st.n_members, p=w)
    init_m = initial_state(
        pop, n_members=st.n_members, E=e[None, :], Ir=ir[None, :], Iu=iu[None, :]
    )
    if ensemble is None:
        members = np.tile(base, (st.n_members, 1))
    else:
        rows = np.asarray(ensemble, dtype=np.float64)
        members = param_array(rows, rows.shape[0] if rows.ndim == 2 else -1)
        members = members[rng.integers(0, members.shape[0], st.n_members)]
        # kappa was fitted against params.beta: keep each member's beta relative to it.
        members[:, 0] = base[0] * members[:, 0] / members[:, 0].mean()
    rep = _two_phase(
        members,
        g1[pick],
        g2[pick],
        init_m,
        mob,
        split,
        window - split + 7 * st.weeks,
        rng=rng,
        stochastic=True,
        delay=st.delay,
    )
    future = rep[window:]  # (7 * weeks, members, n)
    weekly = future.reshape(st.weeks, 7, st.n_members, pop.size).sum(axis=1)
    weekly = np.transpose(weekly, (1, 0, 2))  # (members, weeks, n)
    k = st.dispersion
    noisy = rng.negative_binomial(k, k / (k + np.maximum(weekly, 1e-9))).astype(np.float64)
    q = ensemble_quantiles(noisy, HUB_QUANTILES, axis=0)
    return CityForecast(
        origin=origin, quantiles=q, samples=noisy, kappa_median=float(np.median(g2[pick]))
    )
