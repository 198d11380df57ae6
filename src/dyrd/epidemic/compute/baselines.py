"""The forecast hubs' flat baseline; pure numpy.

COVIDhub-baseline (reichlab/covidModels, "quantile baseline" vignette; Cramer et al., PNAS 2022):
the median forecast at every horizon is the last observed incidence; the uncertainty comes from
the empirical distribution of past one-step differences of the incidence, symmetrised (each
difference d enters as d and -d). For horizon h, sample paths add h independent draws from that
distribution to the last value; the median equals the last value and the quantiles are
truncated at 0 (incidence cannot be negative), as covidModels does. Horizon 1 uses the
symmetrised differences themselves; longer horizons pair every sampled path with its mirror
image (antithetic draws), so the sampled distribution stays exactly symmetric and its median is
the last value without a Monte-Carlo re-centring.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.quantiles import HUB_QUANTILES

FloatArray = npt.NDArray[np.float64]

# covidModels draws 100 000 sample trajectories; 20 000 keeps the 1%/99% quantiles within about
# 1% of that at a fifth of the cost (a Monte-Carlo choice, not a published figure).
DEFAULT_SAMPLES = 20_000


def flat_baseline(
    history: npt.ArrayLike,
    horizons: tuple[int, ...],
    *,
    rng: np.random.Generator,
    levels: tuple[float, ...] = HUB_QUANTILES,
    n_samples: int = DEFAULT_SAMPLES,
) -> FloatArray:
    """Quantiles (levels x horizons) of the flat baseline from a 1-D incidence ``history``."""
    h = np.asarray(history, dtype=np.float64)
    if h.ndim != 1 or h.size < 1:
        raise ValueError("the baseline needs a non-empty one-dimensional incidence history")
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("incidence history must be finite and non-negative")
    if any(k < 1 for k in horizons):
        raise ValueError("horizons are counted in steps from 1")
    last = float(h[-1])
    diffs = np.diff(h)
    out = np.empty((len(levels), len(horizons)), dtype=np.float64)
    if diffs.size == 0 or not np.any(diffs):
        out[:] = last  # no observed variation: a point mass at the last value
        return out
    sym = np.concatenate([diffs, -diffs])
    for j, k in enumerate(horizons):
        if k == 1:
            steps = sym
        else:
            half = rng.choice(sym, size=(max(n_samples // 2, 1), k), replace=True).sum(axis=1)
            steps = np.concatenate([half, -half])
        q = np.quantile(last + steps, np.asarray(levels))
        out[:, j] = np.maximum(q, 0.0)
    return out
