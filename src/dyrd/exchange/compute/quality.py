"""Data-quality report of an upload: completeness, validity, uniqueness, freshness.

Dimensions follow the DAMA UK "Six primary dimensions for data quality assessment" (2013):
completeness = present / rows, validity = valid / present, uniqueness = distinct valid / valid.
Freshness compares the time since the last data update with the declared update frequency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from dyrd.exchange.compute.tabular import ColumnStats
from dyrd.exchange.types import Frequency


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass(frozen=True, slots=True)
class ColumnQuality:
    """Quality figures of one column (None when undefined, e.g. no value present)."""

    name: str
    rows: int
    present: int
    valid: int
    distinct: int
    completeness: float | None
    validity: float | None
    uniqueness: float | None


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Per-column figures and cell-weighted totals."""

    rows: int
    columns: list[ColumnQuality]
    completeness: float | None
    validity: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON form stored with the version."""
        return {
            "rows": self.rows,
            "completeness": self.completeness,
            "validity": self.validity,
            "columns": [
                {
                    "name": c.name,
                    "rows": c.rows,
                    "present": c.present,
                    "valid": c.valid,
                    "distinct": c.distinct,
                    "completeness": c.completeness,
                    "validity": c.validity,
                    "uniqueness": c.uniqueness,
                }
                for c in self.columns
            ],
        }


def quality_report(stats: Sequence[ColumnStats]) -> QualityReport:
    """The report of one checked table."""
    cols = [
        ColumnQuality(
            name=s.name,
            rows=s.rows,
            present=s.present,
            valid=s.valid,
            distinct=s.distinct,
            completeness=_ratio(s.present, s.rows),
            validity=_ratio(s.valid, s.present),
            uniqueness=_ratio(s.distinct, s.valid),
        )
        for s in stats
    ]
    rows = stats[0].rows if stats else 0
    return QualityReport(
        rows=rows,
        columns=cols,
        completeness=_ratio(sum(s.present for s in stats), sum(s.rows for s in stats)),
        validity=_ratio(sum(s.valid for s in stats), sum(s.present for s in stats)),
    )


class FreshnessStatus(StrEnum):
    """Whether the data keeps its declared update promise."""

    FRESH = "fresh"
    STALE = "stale"
    NOT_APPLICABLE = "not_applicable"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class Freshness:
    """Freshness at a moment: age of the data, when the next update is due."""

    status: FreshnessStatus
    frequency: Frequency
    last_update: datetime | None
    due_at: datetime | None
    age_seconds: float | None


def freshness(frequency: Frequency, last_update: datetime | None, now: datetime) -> Freshness:
    """Fresh while ``now`` is no later than the last update plus the frequency's longest gap."""
    if last_update is None:
        return Freshness(FreshnessStatus.NO_DATA, frequency, None, None, None)
    age = (now - last_update).total_seconds()
    gap = frequency.max_interval
    if gap is None:
        return Freshness(FreshnessStatus.NOT_APPLICABLE, frequency, last_update, None, age)
    due = last_update + gap
    status = FreshnessStatus.FRESH if now <= due else FreshnessStatus.STALE
    return Freshness(status, frequency, last_update, due, age)
