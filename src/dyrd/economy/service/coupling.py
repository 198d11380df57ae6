"""Coupling-coordination degree of the five development concepts across the cities."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy.orm import Session

from dyrd.economy.compute import coupling as ccd
from dyrd.economy.compute.composite import Method
from dyrd.economy.errors import InsufficientData, refused
from dyrd.economy.schemas import CouplingBand, CouplingCity, CouplingReport, IndexReport
from dyrd.economy.service.index import composite_index
from dyrd.economy.types import Concept, InputError

FORMULA = "C = [Π U_i / ((1/k) Σ U_i)^k]^(1/k); T = Σ α_i U_i; D = √(C·T)"
REFERENCE = (
    "王淑佳 et al., 自然资源学报 36(3):793-810 (2021) (formula); "
    "廖重斌, 热带地理 19(2):171-177 (1999) (ten bands of D)"
)


def coupling(
    session: Session,
    *,
    year: int,
    concepts: Sequence[Concept] | None = None,
    method: Method = Method(),  # noqa: B008  # frozen dataclass: an immutable default
) -> CouplingReport:
    """D of each city over the concept sub-indices (U_i in [0, 1]) of the composite index.

    Subsystems are the concepts asked for (default: every concept the index has data for), each
    weighted equally (α_i = 1/k). A concept asked for without data is refused, never filled in.
    """
    report = composite_index(session, years=[year], method=method)
    return coupling_of_index(report, concepts=concepts)


def coupling_of_index(
    report: IndexReport, *, concepts: Sequence[Concept] | None = None
) -> CouplingReport:
    """D of each city over the concept sub-indices of an index already computed (one year)."""
    if len(report.years) != 1:
        raise InsufficientData(
            "Coupling is computed for one year at a time.", "耦合协调度按单一年份计算。"
        )
    year = report.years[0]
    available = [c for c in Concept if c not in report.concepts_without_data]
    wanted = list(dict.fromkeys(concepts)) if concepts else available
    absent = [c for c in wanted if c not in available]
    if absent:
        names = ", ".join(c.value for c in absent)
        raise InsufficientData(
            f"No indicator of {names} has data in {year}: its sub-index does not exist.",
            f"{year} 年{'、'.join(c.zh for c in absent)}维度无指标数据，无法计算其分指数。",
            hint="Import its statistics (`dyrd economy import`) or leave the concept out.",
        )
    if len(wanted) < ccd.MIN_SUBSYSTEMS:
        raise InsufficientData(
            f"Coupling needs at least {ccd.MIN_SUBSYSTEMS} subsystems with data in {year}; "
            f"got {len(wanted)}.",
            f"{year} 年有数据的子系统不足 {ccd.MIN_SUBSYSTEMS} 个（实际 {len(wanted)} 个）。",
        )
    u = np.array([[c.sub_indices[k.value] for k in wanted] for c in report.cities])
    try:
        result = ccd.coupling_coordination(u)
    except InputError as exc:
        raise refused(exc) from exc
    alpha = [1.0 / len(wanted)] * len(wanted)
    rows = []
    for i, c in enumerate(report.cities):
        band = ccd.BANDS[int(result.band[i])]
        rows.append(
            CouplingCity(
                city_code=c.city_code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                province_code=c.province_code,
                subsystems={k.value: float(u[i, j]) for j, k in enumerate(wanted)},
                coupling=float(result.coupling[i]),
                development=float(result.development[i]),
                coordination=float(result.coordination[i]),
                band=band.level,
                band_zh=band.name_zh,
                band_en=band.name_en,
            )
        )
    return CouplingReport(
        year=year,
        subsystems=wanted,
        alpha=alpha,
        formula=FORMULA,
        reference=REFERENCE,
        bands=[
            CouplingBand(
                level=b.level, lower=b.lower, upper=b.upper, name_zh=b.name_zh, name_en=b.name_en
            )
            for b in ccd.BANDS
        ],
        cities=sorted(rows, key=lambda r: (-r.coordination, r.city_code)),
        concepts_without_data=report.concepts_without_data,
        index_method=report.method,
        sources=report.sources,
    )
