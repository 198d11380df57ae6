"""The header row of an uploaded table: which column is which, and which layout; pure.

* **long**: ``city_code, indicator, year, value, unit`` and optionally ``source``,
  ``indicator_name_zh``, ``indicator_name_en``;
* **wide** (how yearbooks look): ``city_code``, ``year`` (or a year parameter), optionally
  ``source``, and one column per indicator headed ``code [unit]`` (or ``code【unit】``).

A header with an ``indicator`` or ``value`` column is long; else one with a ``code [unit]``
column is wide. Chinese aliases (城市代码/代码, 指标, 年份, 数值, 单位, 来源, ...) are accepted,
and informational columns (城市, city_name, 备注, note, ...) are read past. The header is the first
non-blank row naming a city-code column within the first ten, so a yearbook title line above it
is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dyrd.region.compute.cells import Cell, CellError, cell_text, check_indicator_code, norm_unit
from dyrd.region.compute.problems import Problems
from dyrd.region.compute.sheets import Rows, column_letter
from dyrd.region.types import TableLayout

MAX_COLUMNS = 1_024
"""Cap on header width; a yearbook table has a few dozen indicator columns."""
HEADER_SCAN = 10
"""Non-blank rows searched for the header (title lines of a yearbook table sit above it)."""

_WIDE_HEADER = re.compile(
    r"(?P<code>[^\[\]【】]*?)\s*(?:\[(?P<unit>[^\[\]]*)\]|【(?P<unit_fw>[^【】]*)】)", re.DOTALL
)
ALIASES: dict[str, tuple[str, ...]] = {
    "city_code": ("city_code", "城市代码", "代码", "行政区划代码", "区划代码"),
    "indicator": ("indicator", "indicator_code", "指标", "指标代码"),
    "year": ("year", "年份", "年度"),
    "value": ("value", "数值", "值"),
    "unit": ("unit", "单位"),
    "source": ("source", "来源", "数据来源"),
    "indicator_name_zh": ("indicator_name_zh", "指标名称", "指标中文名称"),
    "indicator_name_en": ("indicator_name_en", "指标英文名称"),
}
"""Canonical column name -> header texts that mean it (compared lower-case, spaces as '_')."""
IGNORED = frozenset(
    {"city_name", "name", "name_zh", "name_en", "城市", "城市名称", "地区"}
    | {"note", "notes", "remark", "remarks", "备注"}
)
"""Informational columns a yearbook table often carries: read past, never stored."""
_CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_WIDE_ALLOWED = frozenset(("city_code", "year", "source"))


@dataclass(frozen=True, slots=True)
class Column:
    """One header cell, as understood."""

    index: int
    label: str
    """The header as the user wrote it, or the column letter when blank."""
    name: str | None = None
    """Canonical name of a recognised column (city_code, year, ...)."""
    code: str = ""
    """Wide layout: the indicator code of an indicator column."""
    unit: str = ""
    """Wide layout: the unit from the header."""
    blank: bool = False


@dataclass
class Header:
    """The header row: its columns, the layout, and whether rows can be checked at all."""

    row: int
    columns: list[Column]
    layout: TableLayout | None
    by_name: dict[str, Column]
    fatal: bool
    """A required column is missing (or none usable), so the rows cannot be checked."""


def normalise(label: str) -> str:
    """A header text as compared with the aliases."""
    return re.sub(r"[\s\-]+", "_", label.replace("\ufeff", "").strip().lower())


def _names_city_code(cells: tuple[Cell, ...]) -> bool:
    return any(isinstance(c, str) and _CANONICAL.get(normalise(c)) == "city_code" for c in cells)


def find_header(rows: Rows) -> tuple[list[tuple[int, tuple[Cell, ...]]], int]:
    """The non-blank rows read up to the header, and the header's index among them."""
    leading: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        leading.append((number, cells))
        if _names_city_code(cells):
            return leading, len(leading) - 1
        if len(leading) >= HEADER_SCAN:
            break
    return leading, 0


@dataclass
class _Reader:
    row: int
    layout: TableLayout | None
    units: Mapping[str, str]
    problems: Problems
    by_name: dict[str, Column] = field(default_factory=dict)
    indicators: dict[str, Column] = field(default_factory=dict)

    def problem(self, index: int, label: str, message: str, message_zh: str) -> Column:
        where = f"row {self.row}, column {label}"
        self.problems.add(where, message, message_zh, row=self.row, col=index)
        return Column(index, label)

    def column(self, index: int, label: str) -> Column:
        if not label:
            return Column(index, column_letter(index), blank=True)
        name = _CANONICAL.get(normalise(label))
        if name is None:
            if normalise(label) in IGNORED:
                return Column(index, label)
            return self.unknown(index, label)
        if name in self.by_name:
            first = self.by_name[name].label
            return self.problem(
                index,
                label,
                f"Column {label!r} repeats column {first!r} (both mean {name!r}).",
                f"列“{label}”与列“{first}”重复（均表示 {name}）。",
            )
        if self.layout is TableLayout.WIDE and name not in _WIDE_ALLOWED:
            return self.problem(
                index,
                label,
                f"Column {label!r} belongs to the long layout; a wide table has city_code, year, "
                "source and one 'code [unit]' column per indicator.",
                f"列“{label}”属于长表格式；宽表只含 city_code、year、source 及每个指标一列"
                "“代码 [单位]”。",
            )
        col = Column(index, label, name)
        self.by_name[name] = col
        return col

    def unknown(self, index: int, label: str) -> Column:
        if self.layout is TableLayout.WIDE:
            return self.indicator(index, label)
        return self.problem(
            index,
            label,
            f"Unknown column {label!r}. A long table has city_code, indicator, year, value, unit "
            "and optionally source, indicator_name_zh, indicator_name_en; a wide table heads "
            "each indicator column 'code [unit]'.",
            f"未知的列“{label}”。长表的列为 city_code、indicator、year、value、unit，可选 source、"
            "indicator_name_zh、indicator_name_en；宽表的指标列表头为“代码 [单位]”。",
        )

    def indicator(self, index: int, label: str) -> Column:
        match = _WIDE_HEADER.fullmatch(label)
        if match is None:
            return self.problem(
                index,
                label,
                f"Column {label!r} is not an indicator: a wide table's indicator columns are "
                "headed 'code [unit]', e.g. 'urban_disposable_income [yuan]'.",
                f"列“{label}”不是指标列：宽表的指标列表头应为“代码 [单位]”，"
                "如“urban_disposable_income [yuan]”。",
            )
        code = match["code"].strip()
        unit = norm_unit(match["unit"] if match["unit"] is not None else match["unit_fw"])
        try:
            check_indicator_code(code)
        except CellError as exc:
            return self.problem(index, label, exc.message, exc.message_zh)
        if not unit:
            return self.problem(
                index,
                label,
                f"Column {label!r} has an empty unit; write it as '{code} [unit]'.",
                f"列“{label}”的单位为空；请写作“{code} [单位]”。",
            )
        clash = self.clash(code, unit)
        if clash is not None:
            return self.problem(index, label, *clash)
        col = Column(index, label, code=code, unit=unit)
        self.indicators[code] = col
        return col

    def clash(self, code: str, unit: str) -> tuple[str, str] | None:
        """Why an indicator column cannot be taken: seen before, or a unit conflict."""
        if code in self.indicators:
            first = self.indicators[code]
            if first.unit != unit:
                return (
                    f"Unit conflict for {code}: {unit!r} here, {first.unit!r} in column "
                    f"{first.label!r}; one indicator has one unit.",
                    f"指标 {code} 的单位冲突：此处为“{unit}”，列“{first.label}”中为"
                    f"“{first.unit}”；一个指标只能有一个单位。",
                )
            return (
                f"Indicator {code} has two columns (also {first.label!r}).",
                f"指标 {code} 出现了两列（另见列“{first.label}”）。",
            )
        stored = self.units.get(code)
        if stored is not None and norm_unit(stored) != unit:
            return (
                f"Unit conflict: {code} is stored in {stored!r}, this column says {unit!r}; "
                "convert the values or use another indicator code.",
                f"单位冲突：指标 {code} 已存储的单位为“{stored}”，此列为“{unit}”；"
                "请换算数值或使用其他指标代码。",
            )
        return None

    def missing(self, header_text: str, *, year: int | None, source: str | None) -> bool:
        required = ["city_code"] + (["year"] if year is None else [])
        if self.layout is not TableLayout.WIDE:
            required += ["indicator", "value", "unit"]
        missing = [n for n in required if n not in self.by_name]
        undetected = self.layout is None
        for name in missing:
            zh = "、".join(ALIASES[name][1:]) or name
            or_year = " or give the year parameter" if name == "year" else ""
            or_year_zh = "，或提供年份参数" if name == "year" else ""
            or_wide = (
                " (or, for a wide table, one column per indicator headed 'code [unit]')"
                if undetected
                else ""
            )
            or_wide_zh = "（或宽表：每个指标一列，表头为“代码 [单位]”）" if undetected else ""
            self.problems.add(
                f"row {self.row}",
                f"Missing required column {name!r}{or_year}{or_wide}. "
                f"The header read was: {header_text or '(empty)'}.",
                f"缺少必需的列 {name}（{zh}）{or_year_zh}{or_wide_zh}。"
                f"读到的表头为：{header_text or '（空）'}。",
                header_text,
                row=self.row,
                always=True,
            )
        if source is None and "source" not in self.by_name:
            self.problems.add(
                f"row {self.row}",
                "No source: add a 'source' column or give the source parameter; every number "
                "in this product has a source.",
                "缺少来源：请添加“source（来源）”列或提供来源参数；本系统中的每个数字都必须有来源。",
                header_text,
                row=self.row,
                always=True,
            )
        return bool(missing)


def read_header(
    row: int,
    cells: tuple[Cell, ...],
    *,
    units: Mapping[str, str],
    year: int | None,
    source: str | None,
    problems: Problems,
) -> Header:
    """Understand the header row; every problem with it goes to ``problems``."""
    labels = [cell_text(c).replace("\ufeff", "") for c in cells]
    while labels and not labels[-1]:
        labels.pop()
    if len(labels) > MAX_COLUMNS:
        problems.add(
            f"row {row}",
            f"The header has {len(labels)} columns; at most {MAX_COLUMNS} are accepted.",
            f"表头有 {len(labels)} 列，最多允许 {MAX_COLUMNS} 列。",
            row=row,
            always=True,
        )
        return Header(row, [], None, {}, fatal=True)
    if {"indicator", "value"} & {_CANONICAL.get(normalise(label)) for label in labels}:
        layout: TableLayout | None = TableLayout.LONG
    elif any(_WIDE_HEADER.fullmatch(label) for label in labels):
        layout = TableLayout.WIDE
    else:
        layout = None
    reader = _Reader(row, layout, units, problems)
    columns = [reader.column(index, label) for index, label in enumerate(labels)]
    fatal = reader.missing(", ".join(labels), year=year, source=source)
    return Header(row, columns, layout, reader.by_name, fatal=fatal or layout is None)
