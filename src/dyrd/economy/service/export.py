"""A composite index report as a table: CSV text and an XLSX workbook.

One row per city and year, with its score, rank, the sub-index of every one of the five concepts
(empty when the concept has no indicator in the index: missing, never zero), the rank range under
weight perturbation, and the method columns repeated on every row so that a CSV file read alone
still says how its scores were made. The workbook adds a ``method`` sheet and an ``indicators``
sheet with the weights.
"""

from __future__ import annotations

import csv
import io

from dyrd.economy.schemas import IndexReport
from dyrd.economy.types import Concept

Cell = str | int | float | None

CITY_COLUMNS = (
    "city_code",
    "name_zh",
    "name_en",
    "province_code",
    "year",
    "score",
    "rank",
)
STABILITY_COLUMNS = ("rank_median", "rank_p05", "rank_p95", "rank_unchanged_share")
METHOD_COLUMNS = (
    "aggregation",
    "normalisation",
    "entropy",
    "weights",
    "missing",
    "stability_draws",
    "stability_seed",
)


def sub_index_column(concept: Concept) -> str:
    """The column of one concept's sub-index."""
    return f"sub_{concept.value}"


def index_header() -> list[str]:
    """The columns of the index table, in order."""
    return [
        *CITY_COLUMNS,
        *(sub_index_column(c) for c in Concept),
        *STABILITY_COLUMNS,
        *METHOD_COLUMNS,
    ]


def index_rows(report: IndexReport) -> list[list[Cell]]:
    """The index table's rows (without header), in the report's order (year, then rank)."""
    m = report.method
    method: list[Cell] = [
        m.aggregation.value,
        m.normalisation.value,
        m.entropy.value if m.entropy is not None else None,
        m.weights.value,
        m.missing,
        report.stability_draws,
        report.stability_seed,
    ]
    rows: list[list[Cell]] = []
    for c in report.cities:
        st = c.stability
        stab: list[Cell] = (
            [st.median_rank, st.rank_p05, st.rank_p95, st.unchanged_share]
            if st is not None
            else [None] * len(STABILITY_COLUMNS)
        )
        rows.append(
            [
                c.city_code,
                c.name_zh,
                c.name_en,
                c.province_code,
                c.year,
                c.score,
                c.rank,
                *(c.sub_indices.get(k.value) for k in Concept),
                *stab,
                *method,
            ]
        )
    return rows


def index_csv(report: IndexReport) -> str:
    """The index table as CSV (UTF-8; an empty field is a missing value). Floats keep ``repr``."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(index_header())
    for row in index_rows(report):
        w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return out.getvalue()


def index_xlsx(report: IndexReport) -> bytes:
    """The index table as an XLSX workbook: sheets ``index``, ``method`` and ``indicators``."""
    # Imported here: openpyxl is only needed when a workbook is asked for.
    from openpyxl import Workbook

    # Write-only: rows stream out, and the book starts with no default sheet.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("index")
    sheet.append(index_header())
    for row in index_rows(report):
        sheet.append(row)
    m = report.method
    meth = book.create_sheet("method")
    meth.append(["key", "value"])
    for key, value in (
        ("years", ", ".join(str(y) for y in report.years)),
        ("aggregation", m.aggregation.value),
        ("normalisation", m.normalisation.value),
        ("entropy", m.entropy.value if m.entropy is not None else None),
        ("entropy_convention", m.entropy_convention),
        ("shift", m.shift),
        ("weights", m.weights.value),
        ("missing", m.missing),
        ("stability_draws", report.stability_draws),
        ("stability_spread", report.stability_spread),
        ("stability_seed", report.stability_seed),
        ("concepts_without_data", ", ".join(c.value for c in report.concepts_without_data)),
        ("dropped_cities", ", ".join(report.dropped_cities)),
        ("sources", "; ".join(report.sources)),
    ):
        meth.append([key, value])
    for code, why in sorted(report.dropped_indicators.items()):
        meth.append([f"dropped:{code}", why])
    ind = book.create_sheet("indicators")
    ind.append(["code", "concept", "direction", "unit", "year", "weight", "entropy"])
    for i in report.indicators:
        for year, weight, entropy in zip(report.years, i.weight, i.entropy, strict=False):
            ind.append([i.code, i.concept.value, i.direction.value, i.unit, year, weight, entropy])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
