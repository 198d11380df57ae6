"""Coupling-coordination degree (耦合协调度) of k subsystems per unit; pure numpy.

The form used is the normative one of 王淑佳、孔伟、任亮 et al., "国内耦合协调度模型的误区及修正",
《自然资源学报》 36(3):793-810 (2021), which corrects the miswritten variants common in the
literature (research note §1.4 warns that papers differ):

* coupling degree C = [Π_i U_i / ((1/k) Σ_i U_i)^k]^(1/k), in [0, 1]: the ratio of the geometric
  to the arithmetic mean of the subsystem scores, 1 when every subsystem is at the same level;
* comprehensive development T = Σ_i α_i U_i, with Σ α_i = 1 (equal α_i = 1/k by default);
* coupling-coordination degree D = √(C · T).

Subsystem scores U_i must lie in [0, 1] (for instance the concept sub-indices of the composite
index). Convention, stated rather than hidden: when every U_i of a unit is 0 the ratio defining C
is 0/0; C is then reported as 0, and D = 0 in any case because T = 0.

Classification of D: the ten equal-width bands (0.1 wide, each ``lower < D <= upper``, the first
closed at 0) of 廖重斌, "环境与经济协调发展的定量评判及其分类体系", 《热带地理》 19(2):171-177
(1999), as tabulated for instance in 田深圳 et al., 《地理学报》 76(4):781 (2021), Table 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dyrd.economy.types import InputError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Band:
    """One class of the coupling-coordination degree: ``lower < D <= upper``."""

    level: int
    lower: float
    upper: float
    name_zh: str
    name_en: str


BANDS: tuple[Band, ...] = (
    Band(1, 0.0, 0.1, "极度失调", "extreme imbalance"),
    Band(2, 0.1, 0.2, "严重失调", "serious imbalance"),
    Band(3, 0.2, 0.3, "中度失调", "moderate imbalance"),
    Band(4, 0.3, 0.4, "轻度失调", "mild imbalance"),
    Band(5, 0.4, 0.5, "濒临失调", "on the verge of imbalance"),
    Band(6, 0.5, 0.6, "勉强协调", "barely coordinated"),
    Band(7, 0.6, 0.7, "初级协调", "primary coordination"),
    Band(8, 0.7, 0.8, "中级协调", "intermediate coordination"),
    Band(9, 0.8, 0.9, "良好协调", "good coordination"),
    Band(10, 0.9, 1.0, "优质协调", "high-quality coordination"),
)
"""廖重斌 (1999) ten-band classification (see the module docstring)."""

MIN_SUBSYSTEMS = 2


@dataclass(frozen=True, slots=True)
class CouplingResult:
    """Per unit: coupling C, development T, coordination D and the band of D (index into BANDS)."""

    coupling: FloatArray
    development: FloatArray
    coordination: FloatArray
    band: npt.NDArray[np.int64]


def band_of(d: float) -> Band:
    """The band holding D (``lower < D <= upper``; D = 0 is in the first band)."""
    if not 0.0 <= d <= 1.0:
        raise InputError(
            f"A coupling-coordination degree lies in [0, 1]; got {d}.",
            f"耦合协调度应在 [0, 1] 之间；实际为 {d}。",
        )
    return BANDS[int(_band_index(np.array([d]))[0])]


def _band_index(d: FloatArray) -> npt.NDArray[np.int64]:
    uppers = np.array([b.upper for b in BANDS[:-1]])
    # side="left": D equal to an upper bound belongs to the band it closes.
    return np.asarray(np.searchsorted(uppers, d, side="left"), dtype=np.int64)


def coupling_coordination(u: npt.ArrayLike, alpha: Sequence[float] | None = None) -> CouplingResult:
    """C, T, D of each row of ``u`` (units x subsystems, scores in [0, 1])."""
    x = np.asarray(u, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < MIN_SUBSYSTEMS or x.shape[0] < 1:
        raise InputError(
            f"Coupling needs a units x subsystems table with at least {MIN_SUBSYSTEMS} "
            f"subsystems; got shape {x.shape}.",
            f"耦合协调度需要“单元 x 子系统”表，至少 {MIN_SUBSYSTEMS} 个子系统；"
            f"实际形状 {x.shape}。",
        )
    if not np.all(np.isfinite(x)) or (x < 0).any() or (x > 1).any():
        raise InputError(
            "Subsystem scores must be finite and within [0, 1] (normalise them first).",
            "子系统得分须为 [0, 1] 内的有限数（请先标准化）。",
        )
    k = x.shape[1]
    if alpha is None:
        a = np.full(k, 1.0 / k)
    else:
        a = np.asarray(alpha, dtype=np.float64)
        if a.shape != (k,) or not np.all(np.isfinite(a)) or (a < 0).any() or not a.sum() > 0:
            raise InputError(
                f"Subsystem weights α must be {k} non-negative numbers, not all 0.",
                f"子系统权重 α 须为 {k} 个非负数且不全为 0。",
            )
        a = a / a.sum()
    mean = x.mean(axis=1)
    positive: npt.NDArray[np.bool_] = np.asarray((x > 0).all(axis=1))
    # C = exp(mean_i ln(U_i / Ū)): the product Π U_i itself underflows for tiny scores, the ratios
    # U_i / Ū lie in (0, k] and do not. A zero subsystem gives C = 0 exactly (the limit).
    safe = np.where(positive[:, None], x, 1.0) / np.where(positive, mean, 1.0)[:, None]
    c = np.where(positive, np.exp(np.log(safe).mean(axis=1)), 0.0)
    # Rounding can give 1 + 1e-16 when every U_i is equal: C is at most 1 by AM-GM.
    c = np.minimum(c, 1.0)
    t = x @ a
    d = np.sqrt(c * t)
    return CouplingResult(
        coupling=np.asarray(c, dtype=np.float64),
        development=np.asarray(t, dtype=np.float64),
        coordination=np.asarray(d, dtype=np.float64),
        band=_band_index(d),
    )
