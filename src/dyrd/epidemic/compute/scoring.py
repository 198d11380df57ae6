"""Weighted interval score and interval coverage for quantile forecasts; pure numpy.

Bracher, Ray, Gneiting & Reich, "Evaluating epidemic forecasts in an interval format",
PLoS Comput Biol 17(2):e1008618 (2021), eq. 1-3:

* IS_alpha(F, y) = (u - l) + (2/alpha)(l - y) 1{y < l} + (2/alpha)(y - u) 1{y > u}
* WIS(F, y) = [w0 |y - m| + sum_k w_k IS_alpha_k(F, y)] / (K + 1/2), w0 = 1/2, w_k = alpha_k / 2

An equivalent form sums the pinball losses of all 2K + 1 quantiles (same paper, section 2.2):
WIS = sum_tau 2 rho_tau(y - q_tau) / (2K + 1) with rho_tau(e) = e (tau - 1{e < 0}). Both are here
so that each checks the other.

Relative WIS: the hubs' pairwise-tournament geometric mean (Cramer et al., PNAS 2022, "relative
WIS") needs a set of models; with one model against one baseline on the same forecasts it reduces
to the ratio of mean WIS, which is what ``relative_wis`` returns.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.quantiles import HUB_QUANTILES, check_levels

FloatArray = npt.NDArray[np.float64]


def interval_score(
    lower: npt.ArrayLike, upper: npt.ArrayLike, y: npt.ArrayLike, alpha: float
) -> FloatArray:
    """IS_alpha of the central (1 - alpha) interval [lower, upper] for observation y."""
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must lie in (0, 1)")
    lo = np.asarray(lower, dtype=np.float64)
    up = np.asarray(upper, dtype=np.float64)
    obs = np.asarray(y, dtype=np.float64)
    below = np.where(obs < lo, lo - obs, 0.0)
    above = np.where(obs > up, obs - up, 0.0)
    return np.asarray((up - lo) + (2.0 / alpha) * below + (2.0 / alpha) * above, dtype=np.float64)


def _split(
    quantiles: npt.ArrayLike, levels: tuple[float, ...]
) -> tuple[FloatArray, tuple[float, ...]]:
    check_levels(levels)
    q = np.asarray(quantiles, dtype=np.float64)
    if q.shape[0] != len(levels):
        raise ValueError(f"expected {len(levels)} quantiles on the first axis, got {q.shape[0]}")
    if not np.all(np.isfinite(q)):
        raise ValueError("quantiles contain NaN or infinite values")
    if np.any(np.diff(q, axis=0) < 0):
        raise ValueError("quantiles must be non-decreasing in the level (no crossing)")
    return q, levels


def weighted_interval_score(
    quantiles: npt.ArrayLike, y: npt.ArrayLike, levels: tuple[float, ...] = HUB_QUANTILES
) -> FloatArray:
    """WIS per forecast: ``quantiles`` has the level axis first, ``y`` the remaining shape."""
    q, lv = _split(quantiles, levels)
    obs = np.asarray(y, dtype=np.float64)
    n = len(lv)
    k_intervals = n // 2
    total = 0.5 * np.abs(obs - q[k_intervals])
    for i in range(k_intervals):
        alpha = 2.0 * lv[i]
        total = total + (alpha / 2.0) * interval_score(q[i], q[n - 1 - i], obs, alpha)
    return np.asarray(total / (k_intervals + 0.5), dtype=np.float64)


def pinball_wis(
    quantiles: npt.ArrayLike, y: npt.ArrayLike, levels: tuple[float, ...] = HUB_QUANTILES
) -> FloatArray:
    """WIS from the quantile (pinball) losses; equals ``weighted_interval_score``."""
    q, lv = _split(quantiles, levels)
    obs = np.asarray(y, dtype=np.float64)
    tau = np.asarray(lv, dtype=np.float64).reshape((-1,) + (1,) * (q.ndim - 1))
    err = obs - q
    loss = err * (tau - (err < 0))
    return np.asarray(2.0 * loss.sum(axis=0) / len(lv), dtype=np.float64)


def coverage(
    quantiles: npt.ArrayLike,
    y: npt.ArrayLike,
    nominal: float,
    levels: tuple[float, ...] = HUB_QUANTILES,
) -> FloatArray:
    """1.0 where y lies in the closed central ``nominal`` interval (as the hubs count), else 0."""
    q, lv = _split(quantiles, levels)
    lo_level = round((1.0 - nominal) / 2.0, 6)
    matches = [i for i, v in enumerate(lv) if np.isclose(v, lo_level)]
    if not matches:
        raise ValueError(f"no {nominal:.0%} interval among the quantile levels")
    i = matches[0]
    obs = np.asarray(y, dtype=np.float64)
    inside = (obs >= q[i]) & (obs <= q[len(lv) - 1 - i])
    return np.asarray(inside, dtype=np.float64)


def relative_wis(model_wis: npt.ArrayLike, baseline_wis: npt.ArrayLike) -> float:
    """Ratio of mean WIS over the same forecasts; below 1 beats the baseline; NaN if undefined."""
    m = np.asarray(model_wis, dtype=np.float64)
    b = np.asarray(baseline_wis, dtype=np.float64)
    if m.shape != b.shape or m.size == 0:
        raise ValueError("model and baseline must be scored on the same non-empty set of forecasts")
    denom = float(b.mean())
    return float(m.mean()) / denom if denom > 0.0 else float("nan")


def log_transform(x: npt.ArrayLike) -> FloatArray:
    """log(x + 1): scoring on a relative scale, as Bosse et al. (2023) recommend for counts."""
    return np.log1p(np.maximum(np.asarray(x, dtype=np.float64), 0.0))
