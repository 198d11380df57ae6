"""Co-visitor search: who was at the same venue in an overlapping time window (pure polars).

Visits are closed intervals ``[start, end]`` in integer seconds (Unix time). A scan overlaps a
case's visit at the same venue when ``scan.start <= visit.end + margin`` and
``scan.end >= visit.start - margin``: the margin widens every case window on both sides (air
in a room outlasts the person; clocks of scanning phones disagree).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import polars as pl

DEFAULT_DWELL = timedelta(minutes=60)
"""Window assumed when a scan records entry only (most 场所码 scans in 2020-2022 did): a policy
choice of this platform, not a published figure; every query may set its own."""

DEFAULT_MARGIN = timedelta(minutes=30)
"""Widening of a case's window on both sides: a policy choice of this platform, not a published
figure (WHO's close-contact definition, 15 minutes within 1 m, needs data scans do not give)."""

VISITS_SCHEMA: dict[str, pl.DataType] = {
    "venue": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
}
"""Columns of a case's visits frame."""

SCANS_SCHEMA: dict[str, pl.DataType] = {
    "idx": pl.Int64(),
    "venue": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
}
"""Columns of a scans frame (``idx``: the caller's row number of each scan)."""


def window(entered_at: datetime, left_at: datetime | None, dwell: timedelta) -> tuple[int, int]:
    """``(start, end)`` seconds of one scan: ``left_at``, or ``entered_at + dwell``."""
    end = left_at if left_at is not None else entered_at + dwell
    return int(entered_at.timestamp()), int(end.timestamp())


def visits_frame(visits: Sequence[tuple[str, int, int]]) -> pl.DataFrame:
    """A visits frame from ``(venue, start, end)`` tuples."""
    return pl.DataFrame(list(visits), schema=VISITS_SCHEMA, orient="row")


def scans_frame(scans: Sequence[tuple[str, int, int]]) -> pl.DataFrame:
    """A scans frame from ``(venue, start, end)`` tuples, ``idx`` their positions."""
    frame = pl.DataFrame(list(scans), schema=VISITS_SCHEMA, orient="row")
    return (
        frame.with_row_index("idx")
        .with_columns(pl.col("idx").cast(pl.Int64))
        .select(list(SCANS_SCHEMA))
    )


def co_visits(visits: pl.DataFrame, scans: pl.DataFrame, margin_seconds: int) -> pl.DataFrame:
    """Every (scan, case visit) pair at one venue whose windows overlap, widened by the margin.

    Columns: ``idx`` (the scan), ``venue``, ``overlap`` (seconds of the overlap of the scan
    with the widened visit, at least 0). Sorted by ``idx``, then venue; one row per scan and
    overlapping visit. Vectorised: an equi-join on venue, then one filter; the join produces
    pairs only within a venue, so the cost follows visits per venue, not the whole table.
    """
    if margin_seconds < 0:
        raise ValueError("margin_seconds must not be negative")
    if visits.height == 0 or scans.height == 0:
        return pl.DataFrame(schema={"idx": pl.Int64, "venue": pl.String, "overlap": pl.Int64})
    case = visits.select(
        pl.col("venue"),
        (pl.col("start") - margin_seconds).alias("case_start"),
        (pl.col("end") + margin_seconds).alias("case_end"),
    )
    pairs = scans.join(case, on="venue", how="inner").filter(
        (pl.col("start") <= pl.col("case_end")) & (pl.col("end") >= pl.col("case_start"))
    )
    return pairs.select(
        pl.col("idx"),
        pl.col("venue"),
        (pl.min_horizontal("end", "case_end") - pl.max_horizontal("start", "case_start")).alias(
            "overlap"
        ),
    ).sort(["idx", "venue", "overlap"])


def co_visitor_rows(visits: pl.DataFrame, scans: pl.DataFrame, margin_seconds: int) -> list[int]:
    """Row numbers (``idx``) of the scans overlapping any of the case's visits, ascending."""
    pairs = co_visits(visits, scans, margin_seconds)
    return [int(i) for i in pairs["idx"].unique().sort().to_list()]
