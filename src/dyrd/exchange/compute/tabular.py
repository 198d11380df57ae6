"""Reading uploaded CSV and Parquet files and checking them against a declared column schema.

Every problem is collected (not just the first), each with its row and column. Rows are numbered
from 1 for the first data row; row 0 is the header. Empty cells are missing values.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from dyrd.exchange.types import CellProblem, ColumnSpec, ColumnType

Cell = str | None
"""A raw cell as read from a file: text, or None when empty."""

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TRUE = frozenset({"true", "1", "yes", "y", "t", "是"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "否"})


class FileFormat(StrEnum):
    """Upload formats."""

    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True, slots=True)
class RawTable:
    """A decoded file: its header and rows of raw cells."""

    header: list[str]
    rows: list[list[Cell]]


class UnreadableFile(ValueError):
    """The bytes are not a file of the stated format."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message_zh = message_zh


def _cell(text: str) -> Cell:
    stripped = text.strip()
    return stripped or None


def read_csv(content: bytes) -> RawTable:
    """Decode a CSV file: UTF-8 (with or without BOM), else GB18030 as Chinese Excel writes it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                "The file is neither UTF-8 nor GB18030 text.",
                "文件既不是 UTF-8 也不是 GB18030 编码的文本。",
            ) from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise UnreadableFile(f"Malformed CSV: {exc}.", f"CSV 格式错误：{exc}。") from exc
    records = [r for r in records if any(c.strip() for c in r)]
    if not records:
        raise UnreadableFile("The file is empty: no header row.", "文件为空：缺少表头行。")
    header = [h.strip() for h in records[0]]
    return RawTable(header, [[_cell(c) for c in r] for r in records[1:]])


def _parquet_text(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Missing floats arrive as NaN from pandas-written files.
        return None if math.isnan(value) else repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return _cell(str(value))


def read_parquet(content: bytes) -> RawTable:
    """Decode a Parquet file; typed values are turned back into text and checked like CSV cells."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(content))
    except (pa.ArrowException, OSError) as exc:
        raise UnreadableFile(
            f"Not a readable Parquet file: {exc}.", "不是可读取的 Parquet 文件。"
        ) from exc
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [[_parquet_text(col[r]) for col in columns] for r in range(table.num_rows)]
    return RawTable([str(n) for n in table.column_names], rows)


def read_table(content: bytes, fmt: FileFormat) -> RawTable:
    """Decode ``content`` in format ``fmt``."""
    return read_parquet(content) if fmt is FileFormat.PARQUET else read_csv(content)


def _boolean(text: str) -> bool:
    low = text.casefold()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("boolean")


def _checked(pattern: re.Pattern[str], text: str) -> str:
    if not pattern.match(text):
        raise ValueError(pattern.pattern)
    return text


_PARSERS: dict[ColumnType, Callable[[str], Any]] = {
    ColumnType.STRING: lambda t: t,
    ColumnType.INTEGER: lambda t: int(_checked(_INTEGER, t)),
    ColumnType.NUMBER: lambda t: float(_checked(_NUMBER, t)),
    ColumnType.BOOLEAN: _boolean,
    ColumnType.DATE: lambda t: date.fromisoformat(_checked(_DATE, t)).isoformat(),
    ColumnType.DATETIME: lambda t: datetime.fromisoformat(
        _checked(_DATETIME, t).replace("Z", "+00:00")
    ).isoformat(),
}


def parse_cell(text: str, kind: ColumnType) -> Any:
    """The typed JSON value of a non-empty cell; raises ValueError when it is not of ``kind``."""
    return _PARSERS[kind](text)


_TYPE_HINT = {
    ColumnType.INTEGER: ("an integer such as 42", "整数，例如 42"),
    ColumnType.NUMBER: ("a number such as 3.14", "数字，例如 3.14"),
    ColumnType.BOOLEAN: (
        "true/false (also 1/0, yes/no, 是/否)",
        "布尔值 true/false（或 1/0、是/否）",
    ),
    ColumnType.DATE: ("a date YYYY-MM-DD", "日期 YYYY-MM-DD"),
    ColumnType.DATETIME: ("a date-time YYYY-MM-DDTHH:MM[:SS][±HH:MM]", "日期时间 YYYY-MM-DDTHH:MM"),
}


@dataclass(frozen=True, slots=True)
class ColumnStats:
    """Per-column counts the quality report is built from."""

    name: str
    rows: int
    present: int
    valid: int
    distinct: int


@dataclass(frozen=True, slots=True)
class CheckedTable:
    """Rows as typed JSON objects (declared column order), problems, and counts per column."""

    rows: list[dict[str, Any]]
    problems: list[CellProblem]
    stats: list[ColumnStats] = field(default_factory=list)


def _header_problems(columns: Sequence[ColumnSpec], header: Sequence[str]) -> list[CellProblem]:
    problems: list[CellProblem] = []
    declared = {c.name for c in columns}
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(
                CellProblem(
                    0, name, "Column appears twice in the header.", "表头中该列重复出现。", name
                )
            )
        seen.add(name)
        if name not in declared:
            problems.append(
                CellProblem(
                    0,
                    name or "(blank)",
                    "Column is not declared in the resource's schema.",
                    "该列未在资源的字段定义中声明。",
                    name,
                )
            )
    for col in columns:
        if col.name not in seen and col.required:
            problems.append(
                CellProblem(
                    0, col.name, "Required column is missing from the file.", "文件缺少必填列。"
                )
            )
    return problems


def check_table(columns: Sequence[ColumnSpec], table: RawTable) -> CheckedTable:
    """Parse every cell by its column type and report type, required and unique problems.

    Declared optional columns absent from the file are treated as empty.
    """
    problems = _header_problems(columns, table.header)
    position = {name: i for i, name in enumerate(table.header)}
    width = len(table.header)
    out_rows: list[dict[str, Any]] = [{} for _ in table.rows]
    stats: list[ColumnStats] = []
    for r, raw in enumerate(table.rows, start=1):
        if len(raw) != width:
            problems.append(
                CellProblem(
                    r,
                    "*",
                    f"Row has {len(raw)} cells but the header has {width}.",
                    f"该行有 {len(raw)} 个单元格，表头有 {width} 列。",
                )
            )
    for col in columns:
        idx = position.get(col.name)
        first_seen: dict[Any, int] = {}
        present = valid = 0
        for r, raw in enumerate(table.rows, start=1):
            text = raw[idx] if idx is not None and idx < len(raw) else None
            value: Any = None
            if text is None:
                if col.required and idx is not None:
                    problems.append(
                        CellProblem(r, col.name, "Required value is missing.", "必填值缺失。")
                    )
            else:
                present += 1
                try:
                    value = parse_cell(text, col.type)
                except ValueError:
                    en, zh = _TYPE_HINT[col.type]
                    problems.append(
                        CellProblem(r, col.name, f"Expected {en}.", f"应为{zh}。", text)
                    )
                else:
                    valid += 1
                    if value in first_seen and col.unique:
                        problems.append(
                            CellProblem(
                                r,
                                col.name,
                                f"Duplicate of row {first_seen[value]} in a unique column.",
                                f"唯一列中与第 {first_seen[value]} 行重复。",
                                text,
                            )
                        )
                    first_seen.setdefault(value, r)
            out_rows[r - 1][col.name] = value
        stats.append(ColumnStats(col.name, len(table.rows), present, valid, len(first_seen)))
    problems.sort(key=lambda p: (p.row, p.column))
    return CheckedTable(out_rows, problems, stats)


def cell_text(value: Any) -> Cell:
    """The raw-cell form of a stored JSON value, so stored rows can be re-checked."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def stored_as_table(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> RawTable:
    """Stored rows as a RawTable with the given header."""
    return RawTable(list(columns), [[cell_text(r.get(c)) for c in columns] for r in rows])
