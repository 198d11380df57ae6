"""Quality report and freshness on a small hand-computed example (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dyrd.exchange.compute.quality import FreshnessStatus, freshness, quality_report
from dyrd.exchange.compute.tabular import FileFormat, check_table, read_table
from dyrd.exchange.types import ColumnSpec, ColumnType, Frequency

COLUMNS = [
    ColumnSpec("code", ColumnType.STRING, required=True, unique=True),
    ColumnSpec("name", ColumnType.STRING),
    ColumnSpec("score", ColumnType.NUMBER),
]
CSV = b"code,name,score\nA1,Alice,1.5\nA2,,2\nA3,Bob,x\nA4,Bob,\n"


def test_quality_numbers_match_hand_computation() -> None:
    checked = check_table(COLUMNS, read_table(CSV, FileFormat.CSV))
    report = quality_report(checked.stats)
    by_name = {c.name: c for c in report.columns}
    # code: 4 of 4 present, all valid, all distinct
    assert (by_name["code"].completeness, by_name["code"].validity) == (1.0, 1.0)
    assert by_name["code"].uniqueness == 1.0
    # name: 3 of 4 present (row 2 empty), 2 distinct of 3 (Bob twice)
    assert by_name["name"].completeness == pytest.approx(3 / 4)
    assert by_name["name"].validity == 1.0
    assert by_name["name"].uniqueness == pytest.approx(2 / 3)
    # score: 3 of 4 present, 2 of them numbers ("x" is not), both distinct
    assert by_name["score"].completeness == pytest.approx(3 / 4)
    assert by_name["score"].validity == pytest.approx(2 / 3)
    assert by_name["score"].uniqueness == 1.0
    # totals are cell-weighted: 10 of 12 cells present, 9 of those 10 valid
    assert report.rows == 4
    assert report.completeness == pytest.approx(10 / 12)
    assert report.validity == pytest.approx(9 / 10)


def test_an_empty_column_has_undefined_ratios() -> None:
    checked = check_table(COLUMNS, read_table(b"code,name\nA,\n", FileFormat.CSV))
    score = quality_report(checked.stats).columns[2]
    assert (score.completeness, score.validity, score.uniqueness) == (0.0, None, None)


LAST = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("frequency", "now", "status"),
    [
        (Frequency.MONTHLY, LAST + timedelta(days=31), FreshnessStatus.FRESH),
        (Frequency.MONTHLY, LAST + timedelta(days=31, seconds=1), FreshnessStatus.STALE),
        (Frequency.DAILY, LAST + timedelta(hours=23), FreshnessStatus.FRESH),
        (Frequency.DAILY, LAST + timedelta(days=2), FreshnessStatus.STALE),
        (Frequency.ANNUAL, LAST + timedelta(days=300), FreshnessStatus.FRESH),
        (Frequency.IRREG, LAST + timedelta(days=3000), FreshnessStatus.NOT_APPLICABLE),
    ],
)
def test_freshness_against_the_declared_frequency(
    frequency: Frequency, now: datetime, status: FreshnessStatus
) -> None:
    result = freshness(frequency, LAST, now)
    assert result.status is status
    assert result.age_seconds == (now - LAST).total_seconds()


def test_freshness_without_data() -> None:
    assert freshness(Frequency.DAILY, None, LAST).status is FreshnessStatus.NO_DATA
    assert freshness(Frequency.MONTHLY, LAST, LAST).due_at == LAST + timedelta(days=31)
