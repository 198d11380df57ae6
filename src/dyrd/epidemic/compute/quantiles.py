"""Forecast-hub quantile levels and quantiles of ensemble trajectories; pure numpy.

The 23 levels are the US COVID-19 Forecast Hub's for deaths and hospitalisations (Cramer et al.,
PNAS 2022; Bracher et al., PLoS Comput Biol 2021): 0.01, 0.025, 0.05, 0.10, ..., 0.95, 0.975, 0.99.
They pair into 11 central prediction intervals (alpha = 0.02, 0.05, 0.1, 0.2, ..., 0.9) around
the median.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# 0.05 .. 0.95 in steps of 0.05, plus the two tails on each side (forecast hub, 23 levels).
HUB_QUANTILES: tuple[float, ...] = (
    0.01,
    0.025,
    *(round(0.05 * k, 3) for k in range(1, 20)),
    0.975,
    0.99,
)


def interval_alphas(levels: tuple[float, ...] = HUB_QUANTILES) -> tuple[float, ...]:
    """The alphas of the central (1 - alpha) intervals the levels form, ascending."""
    lower = [q for q in levels if q < 0.5]
    return tuple(sorted(round(2.0 * q, 6) for q in lower))


def check_levels(levels: tuple[float, ...]) -> None:
    """Refuse level sets that do not form symmetric intervals around a median."""
    arr = np.asarray(levels, dtype=np.float64)
    if arr.ndim != 1 or arr.size % 2 != 1 or np.any(np.diff(arr) <= 0):
        raise ValueError("quantile levels must be an odd number of strictly increasing values")
    if not np.allclose(arr + arr[::-1], 1.0) or not np.isclose(arr[arr.size // 2], 0.5):
        raise ValueError("quantile levels must be symmetric around a median (0.5)")
    if arr[0] <= 0.0 or arr[-1] >= 1.0:
        raise ValueError("quantile levels must lie strictly between 0 and 1")


def ensemble_quantiles(
    samples: npt.ArrayLike, levels: tuple[float, ...] = HUB_QUANTILES, *, axis: int = 0
) -> FloatArray:
    """Quantiles of ensemble members along ``axis``; the level axis comes first in the result.

    numpy's default (linear interpolation, Hyndman-Fan type 7) is what the hubs' R tooling uses
    for sample-based submissions (``quantile()`` default). The result is non-decreasing in the
    level by construction, so no sorting is needed.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.shape[axis] < 1:
        raise ValueError("need at least one ensemble member")
    if not np.all(np.isfinite(x)):
        raise ValueError("ensemble samples contain NaN or infinite values")
    return np.asarray(np.quantile(x, np.asarray(levels), axis=axis), dtype=np.float64)
