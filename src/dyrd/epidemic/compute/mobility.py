"""Mobility matrices: Li et al. (2020) node fixes, sub-networks, and a gravity model.

Convention everywhere: M[i, j] = trips from city j to city i (destination first), as the
paper's ``M(dest, orig, day)``.

Li et al.'s 375 nodes follow the 2010s prefecture list: ``Chaohu`` (341400) was abolished in
2011 and mostly merged into Hefei (340100), so :func:`merge_node` adds its population and its
trips to Hefei's (trips between the two disappear: they are now inside one city). A few
names are misspelt (``PEI_NAME_FIXES``); we join on the 6-digit division code, which is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dyrd.epidemic.errors import InvalidMobility, InvalidParameter, InvalidShape, field

FloatArray = NDArray[np.float64]

PEI_NAME_FIXES: dict[str, str] = {"Liushui": "Lishui", "Wuhui": "Wuhu", "Liu'an": "Lu'an"}
"""Misspelt YRD names in Li et al.'s ``pop.csv`` (checked against the division codes)."""

CHAOHU_CODE = "341400"
HEFEI_CODE = "340100"

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for great-circle distances."""


def merge_node(
    mobility: FloatArray, population: FloatArray, *, source: int, target: int
) -> tuple[FloatArray, FloatArray]:
    """Merge node ``source`` into ``target``: add population and trips, drop ``source``.

    ``mobility`` is (n, n) or (T, n, n). Trips between the two nodes become internal and vanish.
    """
    m = np.asarray(mobility, dtype=np.float64)
    squeeze = m.ndim == 2
    if squeeze:
        m = m[None]
    m = m.copy()
    pop = np.asarray(population, dtype=np.float64).copy()
    m[:, target, :] += m[:, source, :]
    m[:, :, target] += m[:, :, source]
    m[:, target, target] = 0.0
    pop[target] += pop[source]
    keep = np.array([k for k in range(pop.size) if k != source])
    out = m[:, keep][:, :, keep]
    return (out[0] if squeeze else out), pop[keep]


def subnetwork(mobility: FloatArray, index: list[int]) -> FloatArray:
    """Trips among the cities ``index`` only (rows and columns in that order)."""
    m = np.asarray(mobility, dtype=np.float64)
    idx = np.asarray(index)
    return m[..., idx[:, None], idx[None, :]]


def great_circle_km(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Pairwise great-circle distances (km) between points given in degrees (haversine)."""
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


@dataclass(frozen=True, slots=True)
class GravityModel:
    """T_ij = k P_i^a P_j^b / d_ij^gamma (trips from j to i), fitted by log-linear least squares.

    The form is Zipf's gravity law (G. K. Zipf, Am. Sociol. Rev. 11:677, 1946) with free
    exponents, as in the epidemic-mobility literature (e.g. Viboud et al., Science 312:447, 2006).
    """

    log_k: float
    a_dest: float
    b_orig: float
    gamma: float
    r2: float
    """Share of the variance of log trips the fit explains (on the training pairs)."""
    n_pairs: int

    def predict(self, population: FloatArray, distance_km: FloatArray) -> FloatArray:
        """Daily trips for every pair (zero on the diagonal)."""
        pop = np.asarray(population, dtype=np.float64)
        d = np.asarray(distance_km, dtype=np.float64)
        with np.errstate(divide="ignore"):
            log_t = (
                self.log_k
                + self.a_dest * np.log(pop)[:, None]
                + self.b_orig * np.log(pop)[None, :]
                - self.gamma * np.log(d)
            )
        out = np.exp(log_t)
        np.fill_diagonal(out, 0.0)
        return np.asarray(out)


def fit_gravity(flows: FloatArray, population: FloatArray, distance_km: FloatArray) -> GravityModel:
    """Fit the gravity model to the positive off-diagonal flows of an (n, n) matrix."""
    m = np.asarray(flows, dtype=np.float64)
    pop = np.asarray(population, dtype=np.float64)
    d = np.asarray(distance_km, dtype=np.float64)
    n = pop.size
    if m.shape != (n, n) or d.shape != (n, n):
        raise InvalidShape(
            f"flows and distances must be ({n}, {n}), got {m.shape} and {d.shape}",
            f"流量与距离矩阵须为 ({n}, {n}), 实为 {m.shape} 与 {d.shape}",
        )
    if (m < 0).any() or not np.isfinite(m).all():
        i, j = (int(x) for x in np.argwhere(~(m >= 0))[0])
        raise InvalidMobility(
            f"flow from city {j} to city {i} is {m[i, j]}: flows must be finite and >= 0",
            f"由城市 {j} 至城市 {i} 的流量为 {m[i, j]}: 流量须为非负有限数",
            errors=[field(f"flows[{i}, {j}]", "negative flow", "流量为负", m[i, j])],
        )
    if (pop <= 0).any():
        raise InvalidParameter("populations must be > 0", "人口须大于 0")
    off = ~np.eye(n, dtype=bool)
    use = off & (m > 0) & (d > 0)
    n_use = int(use.sum())
    if n_use < 4:
        raise InvalidMobility(
            f"a gravity fit needs at least 4 positive flows, got {n_use}",
            f"重力模型拟合至少需要 4 个正流量, 实有 {n_use}",
        )
    rows, cols = np.nonzero(use)
    x = np.column_stack(
        [np.ones(n_use), np.log(pop[rows]), np.log(pop[cols]), -np.log(d[rows, cols])]
    )
    y = np.log(m[rows, cols])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum()) if n_use > 1 else math.nan
    return GravityModel(
        log_k=float(coef[0]),
        a_dest=float(coef[1]),
        b_orig=float(coef[2]),
        gamma=float(coef[3]),
        r2=r2,
        n_pairs=n_use,
    )
