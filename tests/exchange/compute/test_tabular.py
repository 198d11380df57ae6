"""Reading CSV/Parquet uploads and checking them against declared columns (pure)."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.exchange.compute.tabular import (
    FileFormat,
    UnreadableFile,
    check_table,
    parse_cell,
    read_table,
)
from dyrd.exchange.types import ColumnSpec, ColumnType

COLUMNS = [
    ColumnSpec("code", ColumnType.STRING, required=True, unique=True),
    ColumnSpec("n", ColumnType.INTEGER),
    ColumnSpec("x", ColumnType.NUMBER),
    ColumnSpec("ok", ColumnType.BOOLEAN),
    ColumnSpec("day", ColumnType.DATE),
    ColumnSpec("at", ColumnType.DATETIME),
]


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_valid_csv_is_parsed_into_typed_values() -> None:
    raw = read_table(
        csv_bytes(
            "code,n,x,ok,day,at\n"
            "A,1,2.5,true,2024-01-31,2024-01-31T08:00:00+08:00\n"
            "B,-3,1e3,否,,2024-02-01 09:30\n"
        ),
        FileFormat.CSV,
    )
    checked = check_table(COLUMNS, raw)
    assert checked.problems == []
    assert checked.rows == [
        {
            "code": "A",
            "n": 1,
            "x": 2.5,
            "ok": True,
            "day": "2024-01-31",
            "at": "2024-01-31T08:00:00+08:00",
        },
        {"code": "B", "n": -3, "x": 1000.0, "ok": False, "day": None, "at": "2024-02-01T09:30:00"},
    ]


def test_every_problem_is_listed_with_row_and_column() -> None:
    raw = read_table(
        csv_bytes("code,n,x,extra\nA,1,abc,\n,2.0,1,\nA,,1,\nC,4\n"),
        FileFormat.CSV,
    )
    checked = check_table(COLUMNS, raw)
    found = {(p.row, p.column) for p in checked.problems}
    assert found == {
        (0, "extra"),  # undeclared column
        (1, "x"),  # not a number
        (2, "code"),  # required value missing
        (2, "n"),  # 2.0 is not an integer
        (3, "code"),  # duplicate of row 1
        (4, "*"),  # ragged row
    }
    dup = next(p for p in checked.problems if (p.row, p.column) == (3, "code"))
    assert "row 1" in dup.message
    assert dup.value == "A"


def test_missing_required_column_is_a_header_problem() -> None:
    checked = check_table(COLUMNS, read_table(b"n\n1\n", FileFormat.CSV))
    assert [(p.row, p.column) for p in checked.problems] == [(0, "code")]


def test_gb18030_and_bom_are_decoded() -> None:
    cols = [ColumnSpec("名称", ColumnType.STRING)]
    gb = read_table(csv_bytes("名称\n企业\n", "gb18030"), FileFormat.CSV)
    bom = read_table(b"\xef\xbb\xbf" + csv_bytes("名称\n企业\n"), FileFormat.CSV)
    assert check_table(cols, gb).rows == check_table(cols, bom).rows == [{"名称": "企业"}]


def test_empty_and_binary_files_are_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        read_table(b"", FileFormat.CSV)
    with pytest.raises(UnreadableFile):
        read_table(b"not parquet", FileFormat.PARQUET)


def test_parquet_values_are_checked_like_csv_cells() -> None:
    table = pa.table(
        {
            "code": ["A", "B", None],
            "n": [1, None, 3],
            "x": [1.5, float("nan"), 2.0],
            "ok": [True, False, None],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    checked = check_table(COLUMNS, read_table(buf.getvalue(), FileFormat.PARQUET))
    assert [(p.row, p.column) for p in checked.problems] == [(3, "code")]
    assert checked.rows[0] == {"code": "A", "n": 1, "x": 1.5, "ok": True, "day": None, "at": None}
    assert checked.rows[1]["x"] is None  # NaN is a missing value


@given(st.integers(-(10**12), 10**12))
def test_integers_round_trip(n: int) -> None:
    assert parse_cell(str(n), ColumnType.INTEGER) == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_finite_floats_round_trip(x: float) -> None:
    assert parse_cell(repr(x), ColumnType.NUMBER) == x


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1.5", ColumnType.INTEGER),
        ("nan", ColumnType.NUMBER),
        ("inf", ColumnType.NUMBER),
        ("maybe", ColumnType.BOOLEAN),
        ("2024-13-01", ColumnType.DATE),
        ("2024/01/01", ColumnType.DATE),
        ("yesterday", ColumnType.DATETIME),
    ],
)
def test_wrong_cells_are_rejected(text: str, kind: ColumnType) -> None:
    with pytest.raises(ValueError, match=r".*"):
        parse_cell(text, kind)
