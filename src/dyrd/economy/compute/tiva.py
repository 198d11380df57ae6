"""Value added in exports from a multi-region input–output table (Leontief decomposition).

Hummels–Ishii–Yi (2001) / Koopman–Wang–Wei (2014) value-added origin, as R ``decompr::leontief``:

    A = Z diag(x)⁻¹,  v = 1 − colsum(A),  L = (I − A)⁻¹,  VA = diag(v) L diag(E)

where E_i is region-sector i's gross exports to *other* regions (intermediate plus final). Column j
of VA says where the value added in j's exports was created; its sum is E_j (the identity
``colsum(VA) = E``). Domestic value added (DVA) of j is the part created in j's own region, foreign
value added (FVA) the rest. ``post="output"`` puts gross output x in place of E.

A sector with zero gross output has no input coefficients: its column of A is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from dyrd.economy.types import InputError

FloatArray = npt.NDArray[np.float64]


class Post(StrEnum):
    """What the Leontief inverse is multiplied by."""

    EXPORTS = "exports"
    OUTPUT = "output"


@dataclass(frozen=True, slots=True)
class ValueAdded:
    """The value-added origin matrix and its summaries, per region-sector and per region."""

    matrix: FloatArray
    """VA (N x N): row = where value added is created, column = whose exports carry it."""
    exports: FloatArray
    """E (N): gross exports of each region-sector to other regions."""
    domestic: FloatArray
    """DVA (N): value added created in the column's own region."""
    foreign: FloatArray
    """FVA (N): value added created in other regions."""
    value_added_coefficients: FloatArray
    post: Post
    n_regions: int
    n_sectors: int

    def by_region(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(E, DVA, FVA) summed over each region's sectors."""
        shape = (self.n_regions, self.n_sectors)
        return (
            self.exports.reshape(shape).sum(axis=1),
            self.domestic.reshape(shape).sum(axis=1),
            self.foreign.reshape(shape).sum(axis=1),
        )


def gross_exports(z: npt.ArrayLike, y: npt.ArrayLike, n_regions: int, n_sectors: int) -> FloatArray:
    """E_i: intermediate and final sales of region-sector i to regions other than its own."""
    zz, yy = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    region = np.repeat(np.arange(n_regions), n_sectors)
    foreign_cols = region[:, None] != region[None, :]
    foreign_final = region[:, None] != np.arange(n_regions)[None, :]
    return np.asarray((zz * foreign_cols).sum(axis=1) + (yy * foreign_final).sum(axis=1))


def leontief_value_added(
    z: npt.ArrayLike,
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    n_regions: int,
    n_sectors: int,
    post: Post = Post.EXPORTS,
) -> ValueAdded:
    """Value-added origin of exports (or output) of every region-sector."""
    zz = np.asarray(z, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64)
    xx = np.asarray(x, dtype=np.float64).reshape(-1)
    size = n_regions * n_sectors
    if n_regions < 1 or n_sectors < 1 or zz.shape != (size, size):
        raise InputError(
            f"Z must be {size} x {size} ({n_regions} regions x {n_sectors} sectors); "
            f"got {zz.shape[0]} x {zz.shape[1] if zz.ndim == 2 else '?'}.",
            f"中间流量矩阵 Z 应为 {size} x {size}（{n_regions} 个地区 x {n_sectors} 个部门）。",
        )
    if yy.shape != (size, n_regions) or xx.shape != (size,):
        raise InputError(
            f"Final demand Y must be {size} x {n_regions} (one column per destination region) "
            f"and gross output x must have {size} entries.",
            f"最终需求 Y 应为 {size} x {n_regions}（每个目的地区一列），"
            f"总产出 x 应有 {size} 个值。",
        )
    if not (np.all(np.isfinite(zz)) and np.all(np.isfinite(yy)) and np.all(np.isfinite(xx))):
        raise InputError(
            "The table holds missing or infinite values.", "投入产出表含缺失值或无穷值。"
        )
    if (xx < 0).any() or (zz < 0).any():
        raise InputError(
            "Gross output and intermediate flows must be non-negative.",
            "总产出与中间流量必须非负。",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(xx[None, :] > 0, zz / np.where(xx > 0, xx, 1.0)[None, :], 0.0)
    v = 1.0 - a.sum(axis=0)
    if (v < -1e-12).any():
        raise InputError(
            "Some sector buys more intermediate inputs than its gross output (value added < 0): "
            "check that x is gross output in the same unit as Z.",
            "有部门的中间投入超过总产出（增加值为负）：请检查 x 是否为与 Z 同单位的总产出。",
        )
    try:
        leontief = np.linalg.inv(np.eye(size) - a)
    except np.linalg.LinAlgError as exc:
        raise InputError(
            "I − A is singular: the table has no Leontief inverse.",
            "I − A 为奇异矩阵，无里昂惕夫逆矩阵。",
        ) from exc
    e = gross_exports(zz, yy, n_regions, n_sectors)
    carrier = e if Post(post) is Post.EXPORTS else xx
    va = v[:, None] * leontief * carrier[None, :]
    region = np.repeat(np.arange(n_regions), n_sectors)
    own = region[:, None] == region[None, :]
    domestic = (va * own).sum(axis=0)
    return ValueAdded(
        matrix=va,
        exports=e,
        domestic=domestic,
        foreign=va.sum(axis=0) - domestic,
        value_added_coefficients=v,
        post=Post(post),
        n_regions=n_regions,
        n_sectors=n_sectors,
    )
