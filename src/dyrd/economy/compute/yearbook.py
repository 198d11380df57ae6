"""Read a user's yearbook table in long form and check it against the catalog; pure.

Columns (header row first; Chinese aliases accepted): ``code`` (or ``city_code``, 城市代码),
``indicator`` (指标), ``year`` (年份), ``value`` (数值), ``unit`` (单位), ``source`` (来源).
Checks: the indicator is a *base* indicator of the catalog (derived ones are computed, never
typed in); the unit is the catalog's (an empty unit cell means the catalog's unit; no unit is
converted); year 1949–2100; value a finite number; a source for every row (cell or default);
no (code, indicator, year) twice. City codes are checked against the stored cities on import.
Every problem is reported at its row and column; nothing is partly accepted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dyrd.economy.compute.catalog import CATALOG
from dyrd.economy.types import InputError

HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "city_code", "城市代码", "代码", "行政区划代码"),
    "indicator": ("indicator", "指标", "指标代码"),
    "year": ("year", "年份", "年度"),
    "value": ("value", "数值", "值"),
    "unit": ("unit", "单位"),
    "source": ("source", "来源", "数据来源"),
}
REQUIRED = ("code", "indicator", "year", "value")
MAX_PROBLEMS = 200
_CODE = re.compile(r"^\d{6}$")
MIN_YEAR, MAX_YEAR = 1949, 2100


@dataclass(frozen=True, slots=True)
class YearbookRow:
    """One checked value with the spreadsheet row it came from (header = row 1)."""

    row: int
    code: str
    indicator: str
    year: int
    value: float
    unit: str
    source: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at a row and column."""

    location: str
    message: str
    message_zh: str


Cell = str | int | float | None


def _rows(content: bytes, filename: str) -> Iterator[list[Cell]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise InputError(
                f"{filename} is not a readable XLSX workbook.",
                f"{filename} 不是可读取的 XLSX 文件。",
            ) from exc
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [v if isinstance(v, str | int | float) or v is None else str(v) for v in values]
        book.close()
        return
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise InputError(
            "The file is neither UTF-8 nor GBK text.", "文件既不是 UTF-8 也不是 GBK 文本。"
        )
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:  # a stray quote or a bare carriage return inside a field
        raise InputError(
            f"The CSV cannot be read: {exc}. Save it again as UTF-8 CSV.",
            f"无法读取该 CSV：{exc}。请重新另存为 UTF-8 CSV。",
        ) from None


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(cells: list[Cell]) -> dict[str, int]:
    alias = {a.lower(): name for name, names in HEADERS.items() for a in names}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = alias.get(_text(cell).lower().replace(" ", "_"))
        if name is not None and name not in found:
            found[name] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InputError(
            f"The header row lacks column(s) {', '.join(missing)}; expected "
            "code, indicator, year, value, unit, source.",
            f"表头缺少列 {'、'.join(missing)}；应为 code, indicator, year, value, unit, source。",
        )
    return found


def parse_yearbook(
    content: bytes, filename: str, *, default_source: str | None = None
) -> tuple[list[YearbookRow], list[Problem]]:
    """Checked rows, or every problem found (rows are only meaningful when problems is empty)."""
    rows = _rows(content, filename)
    header: dict[str, int] | None = None
    out: list[YearbookRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, int], int] = {}
    for number, cells in enumerate(rows, start=1):
        if header is None:
            if not any(_text(c) for c in cells):
                continue
            header = _header(cells)
            continue
        if not any(_text(c) for c in cells):
            continue
        row = _row(number, cells, header, default_source, problems)
        if row is None:
            continue
        key = (row.code, row.indicator, row.year)
        if key in seen:
            problems.append(
                Problem(
                    f"row {number}",
                    f"{row.code}/{row.indicator}/{row.year} already given in row {seen[key]}.",
                    f"{row.code}/{row.indicator}/{row.year} 已在第 {seen[key]} 行给出。",
                )
            )
            continue
        seen[key] = number
        out.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    if header is None:
        raise InputError("The file is empty.", "文件为空。")
    if not out and not problems:
        raise InputError("The file has a header but no data rows.", "文件只有表头，没有数据行。")
    return out, problems


def _row(
    number: int,
    cells: list[Cell],
    header: dict[str, int],
    default_source: str | None,
    problems: list[Problem],
) -> YearbookRow | None:
    def get(name: str) -> str:
        i = header.get(name)
        return _text(cells[i]) if i is not None and i < len(cells) else ""

    def bad(col: str, msg: str, msg_zh: str) -> None:
        problems.append(Problem(f"row {number}, column {col}", msg, msg_zh))

    before = len(problems)
    code, indicator = get("code"), get("indicator")
    if not _CODE.match(code):
        bad("code", f"{code!r} is not a 6-digit division code.", f"{code} 不是 6 位行政区划代码。")
    spec = CATALOG.get(indicator)
    if spec is None:
        bad(
            "indicator",
            f"Unknown indicator {indicator!r}; list them with `dyrd economy indicators`.",
            f"未知指标 {indicator}；可用 `dyrd economy indicators` 查看。",
        )
    elif spec.formula is not None:
        bad(
            "indicator",
            f"{indicator} is derived ({spec.definition}); import its inputs "
            f"({', '.join(spec.formula.inputs)}) instead.",
            f"{indicator} 为计算指标，请导入其输入指标（{'、'.join(spec.formula.inputs)}）。",
        )
    year = _year(get("year"))
    if year is None:
        bad("year", f"{get('year')!r} is not a year 1949–2100.", "年份须为 1949–2100 的整数。")
    value = _number(get("value"))
    if value is None:
        bad("value", f"{get('value')!r} is not a finite number.", "数值不是有限数字。")
    unit = get("unit")
    if spec is not None and spec.formula is None:
        if not unit:
            unit = spec.unit
        elif unit != spec.unit:
            bad(
                "unit",
                f"{indicator} is kept in {spec.unit!r}, not {unit!r}; convert the values "
                "(nothing is converted on import).",
                f"{indicator} 的单位为 {spec.unit}，而非 {unit}；请先换算（导入时不换算）。",
            )
    source = get("source") or (default_source or "")
    if not source:
        bad("source", "No source; give a source cell or a default source.", "缺少来源。")
    if len(problems) > before or year is None or value is None:
        return None
    return YearbookRow(number, code, indicator, year, value, unit, source)


def _year(text: str) -> int | None:
    try:
        year = int(float(text))
    except ValueError:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR and float(text) == year else None


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
