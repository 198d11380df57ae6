"""Entropy weights, TOPSIS and linear weighting; pure numpy.

Conventions (research note economy.md §1.2; every choice is a parameter and recorded with results):

* Min–max normalisation aligns directions: benefit (x − min)/(max − min),
  cost (max − x)/(max − min).
  A constant column has no range: ``InputError``, never NaN.
* Entropy e_j = −(1/ln n) Σ_i p_ij ln p_ij with the convention **0·ln 0 = 0** (the limit), so
  no shift is needed; ``shift`` (e.g. 0.0001, as some papers add) is available and recorded.
* TOPSIS: v = w·r; with min–max r the ideal is the column max and the anti-ideal the column min;
  with vector r (x/√Σx², not aligned) the ideal is the max for benefit and the min for cost
  columns. Euclidean distances; closeness C = D⁻/(D⁺ + D⁻).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dyrd.economy.types import Direction, EntropyVariant, InputError, Normalisation

FloatArray = npt.NDArray[np.float64]

MIN_UNITS = 2
"""Entropy divides by ln n: at least two units (cities) are needed."""


def _matrix(values: npt.ArrayLike) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise InputError(
            "The decision matrix must be two-dimensional (units x indicators).",
            "决策矩阵必须是二维的（单元 x 指标）。",
        )
    if not np.all(np.isfinite(x)):
        raise InputError(
            "The decision matrix holds missing or infinite values; drop them first.",
            "决策矩阵含缺失值或无穷值，请先剔除。",
        )
    return x


def _benefit_mask(directions: Sequence[Direction], m: int) -> npt.NDArray[np.bool_]:
    if len(directions) != m:
        raise InputError(
            f"{len(directions)} directions given for {m} indicators.",
            f"给出了 {len(directions)} 个指标方向，但有 {m} 个指标。",
        )
    return np.array([Direction(d) is Direction.BENEFIT for d in directions], dtype=bool)


def _check_units(n: int) -> None:
    if n < MIN_UNITS:
        raise InputError(
            f"{n} unit(s) given; entropy weights and TOPSIS need at least {MIN_UNITS}.",
            f"只有 {n} 个单元；熵权与 TOPSIS 至少需要 {MIN_UNITS} 个。",
        )


def normalise(
    values: npt.ArrayLike,
    directions: Sequence[Direction],
    method: Normalisation,
    *,
    labels: Sequence[str] | None = None,
) -> FloatArray:
    """Normalised matrix r (units x indicators); min–max is direction-aligned, vector is not."""
    x = _matrix(values)
    benefit = _benefit_mask(directions, x.shape[1])
    if Normalisation(method) is Normalisation.VECTOR:
        norm = np.sqrt((x * x).sum(axis=0))
        _refuse_zero(norm == 0, labels, "all values are zero", "全部为零")
        return np.asarray(x / norm, dtype=np.float64)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    _refuse_zero(span == 0, labels, "every unit has the same value", "所有单元取值相同")
    return np.asarray(np.where(benefit, (x - lo) / span, (hi - x) / span), dtype=np.float64)


def _refuse_zero(
    bad: npt.NDArray[np.bool_], labels: Sequence[str] | None, why: str, why_zh: str
) -> None:
    if not bad.any():
        return
    cols = [int(j) for j in np.flatnonzero(bad)]
    names = ", ".join(labels[j] if labels else f"column {j + 1}" for j in cols)
    raise InputError(
        f"Cannot normalise {names}: {why}, so it carries no information (entropy undefined); "
        "leave it out of the index.",
        f"无法标准化 {names}：{why_zh}，不含信息（熵无定义）；请从指数中剔除。",
    )


def _entropy(p: FloatArray, n: int) -> FloatArray:
    """e_j = −(1/ln n) Σ_i p_ij ln p_ij with 0·ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return np.asarray(-plogp.sum(axis=0) / np.log(n), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class EntropyResult:
    """Entropy weights with the intermediate quantities papers report."""

    weights: FloatArray
    entropy: FloatArray
    divergence: FloatArray
    variant: EntropyVariant
    shift: float


def entropy_weights(
    values: npt.ArrayLike,
    directions: Sequence[Direction],
    *,
    variant: EntropyVariant = EntropyVariant.MINMAX,
    shift: float = 0.0,
    labels: Sequence[str] | None = None,
) -> EntropyResult:
    """Entropy weights w_j = (1 − e_j)/Σ(1 − e) of a units x indicators matrix."""
    x = _matrix(values)
    n, _ = x.shape
    _check_units(n)
    if EntropyVariant(variant) is EntropyVariant.RAW_SUM:
        _benefit_mask(directions, x.shape[1])
        if (x < 0).any():
            raise InputError(
                "Raw-sum entropy needs non-negative values; use the min–max variant.",
                "原值比重法熵权要求非负值；请改用极差标准化法。",
            )
        base = x
    else:
        base = normalise(x, directions, Normalisation.MINMAX, labels=labels)
    base = base + shift
    total = base.sum(axis=0)
    _refuse_zero(total == 0, labels, "all values are zero", "全部为零")
    p = base / total
    e = _entropy(p, n)
    d = 1.0 - e
    if not d.sum() > 0:
        raise InputError(
            "Every indicator is spread evenly over the units (divergence 0): entropy weights "
            "are undefined; give weights explicitly.",
            "所有指标在各单元间均匀分布（差异系数为 0），熵权无定义；请显式给出权重。",
        )
    return EntropyResult(d / d.sum(), e, d, EntropyVariant(variant), shift)


def _weights(weights: npt.ArrayLike, m: int) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (m,) or not np.all(np.isfinite(w)) or (w < 0).any() or not w.sum() > 0:
        raise InputError(
            f"Weights must be {m} finite non-negative numbers with a positive sum.",
            f"权重必须是 {m} 个有限非负数，且总和为正。",
        )
    return np.asarray(w / w.sum(), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class TopsisResult:
    """TOPSIS closeness C = D⁻/(D⁺ + D⁻) with both distances and the normalisation used."""

    closeness: FloatArray
    d_plus: FloatArray
    d_minus: FloatArray
    normalisation: Normalisation


def _ideals(
    v: FloatArray, benefit: npt.NDArray[np.bool_], aligned: bool
) -> tuple[FloatArray, FloatArray]:
    """Ideal and anti-ideal along the units axis (−2) of v (..., units, indicators)."""
    hi, lo = v.max(axis=-2), v.min(axis=-2)
    if aligned:
        return hi, lo
    return np.where(benefit, hi, lo), np.where(benefit, lo, hi)


def topsis(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    directions: Sequence[Direction],
    *,
    normalisation: Normalisation = Normalisation.MINMAX,
    labels: Sequence[str] | None = None,
) -> TopsisResult:
    """TOPSIS closeness of each unit (row) to the ideal solution."""
    x = _matrix(values)
    _check_units(x.shape[0])
    r = normalise(x, directions, normalisation, labels=labels)
    w = _weights(weights, x.shape[1])
    benefit = _benefit_mask(directions, x.shape[1])
    c, dp, dm = _closeness(r, w[None, :], benefit, Normalisation(normalisation))
    return TopsisResult(c[0], dp[0], dm[0], Normalisation(normalisation))


def _closeness(
    r: FloatArray, w: FloatArray, benefit: npt.NDArray[np.bool_], norm: Normalisation
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Closeness for k weight vectors at once: r (n, m), w (k, m) -> arrays (k, n)."""
    v = r[None, :, :] * w[:, None, :]
    best, worst = _ideals(v, benefit, norm is Normalisation.MINMAX)
    dp = np.sqrt(((v - best[:, None, :]) ** 2).sum(axis=2))
    dm = np.sqrt(((v - worst[:, None, :]) ** 2).sum(axis=2))
    total = dp + dm
    if (total == 0).any():
        raise InputError(
            "Every unit has the same weighted scores: TOPSIS closeness is undefined.",
            "所有单元的加权得分相同，TOPSIS 贴近度无定义。",
        )
    return dm / total, dp, dm


def linear_scores(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    directions: Sequence[Direction],
    *,
    normalisation: Normalisation = Normalisation.MINMAX,
    labels: Sequence[str] | None = None,
) -> FloatArray:
    """Linear weighting S_i = Σ_j w_j r_ij (with vector normalisation cost columns enter as −r)."""
    x = _matrix(values)
    r = normalise(x, directions, normalisation, labels=labels)
    w = _weights(weights, x.shape[1])
    if Normalisation(normalisation) is Normalisation.VECTOR:
        r = np.where(_benefit_mask(directions, x.shape[1]), r, -r)
    return np.asarray(r @ w, dtype=np.float64)


def ranks(scores: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Competition ranks, 1 = highest score; ties share the best rank ("1224")."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:
        return np.asarray((s[None, :] > s[:, None]).sum(axis=1) + 1, dtype=np.int64)
    return np.asarray((s[..., None, :] > s[..., :, None]).sum(axis=-1) + 1, dtype=np.int64)
