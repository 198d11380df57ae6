"""Check an uploaded statistics table against the known cities and units; pure.

``parse_table`` is the entry point: bytes in (CSV or XLSX, see ``sheets``), the header understood
(long or wide layout, see ``header``), every cell checked (see ``cells``), and either every value
with its spreadsheet row or every problem out. Problems are located as a spreadsheet user sees
them, the header text as they wrote it: ``row 7, column value``; at most ``max_errors`` are
listed, then a count of the rest.

* Missing values: an empty cell in a wide table is no row, never zero. A long table carries one
  value per row, so an empty value cell there is an error.
* An empty ``unit`` cell of a long table means the stored unit of a known indicator.
* A ``source`` or ``year`` cell wins over the parameter of the same name, which fills empty
  cells; a year cell that contradicts the year parameter is an error.
* Units are compared after collapsing whitespace, case kept; a unit conflict is reported once
  per (indicator, unit) at its first row, with the count of further rows.
* Indicator names (long layout, optional columns) only name *new* indicators: the first
  non-empty name in the file wins and stored definitions are never renamed by an import.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from dyrd.region.compute.cells import (
    Cell,
    CellError,
    cell_text,
    check_indicator_code,
    is_blank,
    norm_unit,
    parse_city,
    parse_number,
    parse_year,
)
from dyrd.region.compute.header import Column, Header, find_header, read_header
from dyrd.region.compute.problems import Problems
from dyrd.region.compute.sheets import Rows, Unreadable, column_letter, read_grid
from dyrd.region.types import (
    IndicatorDefinition,
    ParsedRow,
    ParsedTable,
    StatisticRecord,
    TableLayout,
    TableRejected,
)

MAX_ROWS = 200_000
"""Default cap on data rows: ten years x 41 cities x 400 indicators is 164,000 long rows."""
MAX_ERRORS = 1_000
"""Default cap on listed problems; a last entry counts the rest."""


# --- rows --------------------------------------------------------------------------------------


@dataclass
class _State:
    """What checking the rows accumulates."""

    rows: list[ParsedRow] = field(default_factory=list)
    keys: dict[tuple[str, str, int], int] = field(default_factory=dict)
    wide_keys: dict[tuple[str, int], int] = field(default_factory=dict)
    units: dict[str, tuple[str, int]] = field(default_factory=dict)  # indicator -> (unit, row)
    unit_conflicts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    stored_conflicts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # in order of first use
    stray: dict[int, int] = field(default_factory=dict)  # headerless column -> first row


@dataclass(frozen=True, slots=True)
class _Context:
    header: Header
    cities: Collection[str]
    units: Mapping[str, str]
    year: int | None
    source: str | None
    allow_grouping: bool
    errors: Problems
    named: bool  # the table has indicator name columns
    stray_from: int  # cells from this index on have no header
    blank_columns: tuple[int, ...]  # headerless columns inside the header's width


def _cell(cells: tuple[Cell, ...], col: Column | None) -> Cell:
    if col is None or col.index >= len(cells):
        return None
    value = cells[col.index]
    if isinstance(value, str):  # the common case, checked without a call
        return value if value.strip() else None
    return value


def _city(ctx: _Context, row: int, cells: tuple[Cell, ...]) -> str | None:
    col = ctx.header.by_name["city_code"]
    raw = _cell(cells, col)
    if raw is None:
        where = f"row {row}, column {col.label}"
        ctx.errors.add(where, "Missing city code.", "缺少城市代码。", row=row, col=col.index)
        return None
    try:
        return parse_city(raw, ctx.cities)
    except CellError as exc:
        ctx.errors.cell(f"row {row}, column {col.label}", exc, raw, row=row, col=col.index)
        return None


def _year(ctx: _Context, row: int, cells: tuple[Cell, ...]) -> int | None:
    col = ctx.header.by_name.get("year")
    raw = _cell(cells, col)
    if col is None:
        return ctx.year
    where = f"row {row}, column {col.label}"
    if raw is None:
        if ctx.year is None:
            ctx.errors.add(where, "Missing year.", "缺少年份。", row=row, col=col.index)
        return ctx.year
    try:
        year = parse_year(raw)
    except CellError as exc:
        ctx.errors.cell(where, exc, raw, row=row, col=col.index)
        return None
    if ctx.year is not None and year != ctx.year:
        ctx.errors.add(
            where,
            f"The year {year} differs from the year parameter {ctx.year}.",
            f"年份 {year} 与年份参数 {ctx.year} 不一致。",
            raw,
            row=row,
            col=col.index,
        )
        return None
    return year


def _source(ctx: _Context, row: int, cells: tuple[Cell, ...]) -> str | None:
    col = ctx.header.by_name.get("source")
    raw = _cell(cells, col)
    if raw is not None:
        return cell_text(raw)
    if ctx.source is None and col is not None:
        ctx.errors.add(
            f"row {row}, column {col.label}",
            "Missing source: fill the cell or give the source parameter.",
            "缺少来源：请填写该单元格或提供来源参数。",
            row=row,
            col=col.index,
        )
    return ctx.source


def _value(ctx: _Context, row: int, col: Column, raw: Cell) -> float | None:
    try:
        return parse_number(raw, allow_grouping=ctx.allow_grouping)
    except CellError as exc:
        ctx.errors.cell(f"row {row}, column {col.label}", exc, raw, row=row, col=col.index)
        return None


def _long_unit(
    ctx: _Context, state: _State, row: int, cells: tuple[Cell, ...], indicator: str
) -> str | None:
    col = ctx.header.by_name["unit"]
    raw = _cell(cells, col)
    unit = norm_unit(cell_text(raw)) if raw is not None else None
    stored = ctx.units.get(indicator)
    if stored is not None and unit is None:
        return norm_unit(stored)  # an empty unit cell means the stored unit
    if unit is None:
        ctx.errors.add(
            f"row {row}, column {col.label}",
            f"Missing unit for the new indicator {indicator}.",
            f"新指标 {indicator} 缺少单位。",
            row=row,
            col=col.index,
        )
        return None
    if stored is not None and norm_unit(stored) != unit:
        state.stored_conflicts.setdefault((indicator, unit), []).append(row)
        return None
    first, _ = state.units.setdefault(indicator, (unit, row))
    if first != unit:
        state.unit_conflicts.setdefault((indicator, unit), []).append(row)
        return None
    return unit


def _long_row(ctx: _Context, state: _State, row: int, cells: tuple[Cell, ...]) -> None:
    errors, by_name = ctx.errors, ctx.header.by_name
    city, year, source = _city(ctx, row, cells), _year(ctx, row, cells), _source(ctx, row, cells)
    icol = by_name["indicator"]
    raw = _cell(cells, icol)
    indicator: str | None = None
    if raw is None:
        where = f"row {row}, column {icol.label}"
        errors.add(where, "Missing indicator code.", "缺少指标代码。", row=row, col=icol.index)
    else:
        try:
            indicator = check_indicator_code(cell_text(raw))
        except CellError as exc:
            errors.cell(f"row {row}, column {icol.label}", exc, raw, row=row, col=icol.index)

    vcol = by_name["value"]
    raw = _cell(cells, vcol)
    value: float | None = None
    if raw is None:
        errors.add(
            f"row {row}, column {vcol.label}",
            "Missing value: a long table carries one value per row; delete the row when the "
            "value is missing.",
            "缺少数值：长表每行对应一个数值；若数值缺失请删除该行。",
            row=row,
            col=vcol.index,
        )
    else:
        value = _value(ctx, row, vcol, raw)

    unit: str | None = None
    if indicator is not None:
        unit = _long_unit(ctx, state, row, cells, indicator)
        zh, en = state.names.setdefault(indicator, ("", ""))
        if not (zh and en) and ctx.named:
            zh = zh or cell_text(_cell(cells, by_name.get("indicator_name_zh")))
            en = en or cell_text(_cell(cells, by_name.get("indicator_name_en")))
            state.names[indicator] = (zh, en)

    if city is None or year is None or indicator is None:
        return
    first_row = state.keys.setdefault((city, indicator, year), row)
    if first_row != row:
        errors.add(
            f"row {row}",
            f"Duplicate of row {first_row}: both give {indicator} of city {city} in {year}.",
            f"与第 {first_row} 行重复：两行都给出城市 {city} {year} 年的 {indicator}。",
            row=row,
        )
    elif value is not None and unit is not None and source is not None:
        record = StatisticRecord(city, indicator, year, value, unit, source)
        state.rows.append(ParsedRow(row, record))


def _wide_row(ctx: _Context, state: _State, row: int, cells: tuple[Cell, ...]) -> None:
    city, year, source = _city(ctx, row, cells), _year(ctx, row, cells), _source(ctx, row, cells)
    if city is not None and year is not None:
        first_row = state.wide_keys.setdefault((city, year), row)
        if first_row != row:
            ctx.errors.add(
                f"row {row}",
                f"Duplicate of row {first_row}: both give city {city} in {year}.",
                f"与第 {first_row} 行重复：两行都是城市 {city} {year} 年的数据。",
                row=row,
            )
            city = None
    for col in ctx.header.columns:
        raw = _cell(cells, col) if col.code else None
        if raw is None:
            continue  # not an indicator column, or an empty cell: a missing value, no row
        value = _value(ctx, row, col, raw)
        if value is not None and city is not None and year is not None and source is not None:
            record = StatisticRecord(city, col.code, year, value, col.unit, source)
            state.rows.append(ParsedRow(row, record))


def _note_stray(ctx: _Context, state: _State, row: int, cells: tuple[Cell, ...]) -> None:
    for index in (*ctx.blank_columns, *range(ctx.stray_from, len(cells))):
        if index < len(cells) and not is_blank(cells[index]):
            state.stray.setdefault(index, row)


def _report(ctx: _Context, state: _State) -> None:
    """Problems found across rows: unit conflicts (once per unit) and headerless columns."""
    ucol = ctx.header.by_name.get("unit")
    label, index = (ucol.label, ucol.index) if ucol else ("unit", -1)
    for (indicator, unit), rows in state.unit_conflicts.items():
        first_unit, first_row = state.units[indicator]
        more = f" (and {len(rows) - 1} more row(s))" if len(rows) > 1 else ""
        more_zh = f"（另有 {len(rows) - 1} 行）" if len(rows) > 1 else ""
        ctx.errors.add(
            f"row {rows[0]}, column {label}",
            f"Unit conflict for {indicator}: {unit!r} here, {first_unit!r} in row "
            f"{first_row}{more}; one indicator has one unit.",
            f"指标 {indicator} 的单位冲突：此处为“{unit}”，第 {first_row} 行为“{first_unit}”"
            f"{more_zh}；一个指标只能有一个单位。",
            unit,
            row=rows[0],
            col=index,
            always=True,
        )
    for (indicator, unit), rows in state.stored_conflicts.items():
        stored = ctx.units[indicator]
        more = f" (and {len(rows) - 1} more row(s))" if len(rows) > 1 else ""
        more_zh = f"（另有 {len(rows) - 1} 行）" if len(rows) > 1 else ""
        ctx.errors.add(
            f"row {rows[0]}, column {label}",
            f"Unit conflict: {indicator} is stored in {stored!r}, this file says {unit!r}{more}; "
            "convert the values or use another indicator code.",
            f"单位冲突：指标 {indicator} 已存储的单位为“{stored}”，本文件为“{unit}”{more_zh}；"
            "请换算数值或使用其他指标代码。",
            unit,
            row=rows[0],
            col=index,
            always=True,
        )
    for index, row in sorted(state.stray.items()):
        letter = column_letter(index)
        ctx.errors.add(
            f"row {row}, column {letter}",
            f"Column {letter} has values but no header; name it or delete it.",
            f"第 {letter} 列有数据但没有表头；请添加表头或删除该列。",
            row=row,
            col=index,
            always=True,
        )


def _definitions(state: _State, units: Mapping[str, str]) -> tuple[IndicatorDefinition, ...]:
    unit_of: dict[str, str] = {}
    for parsed in state.rows:
        unit_of.setdefault(parsed.record.indicator, parsed.record.unit)
    out: list[IndicatorDefinition] = []
    # A wide indicator whose cells are all empty has no value, so it needs no definition.
    for code, unit in unit_of.items():
        if code not in units:
            zh, en = state.names.get(code, ("", ""))
            out.append(IndicatorDefinition(code, zh or code, en or code, unit))
    return tuple(out)


# --- entry point -------------------------------------------------------------------------------


def parse_table(
    content: bytes,
    filename: str,
    *,
    cities: Collection[str],
    units: Mapping[str, str],
    source: str | None = None,
    year: int | None = None,
    sheet: str | None = None,
    fmt: str | None = None,
    max_rows: int = MAX_ROWS,
    max_errors: int = MAX_ERRORS,
) -> ParsedTable | TableRejected:
    """Read a CSV/XLSX statistics table and check every cell; all problems or all values.

    ``cities`` are the known city codes and ``units`` the stored unit of each known indicator.
    ``source`` and ``year`` fill rows that leave them empty (a year cell must agree with it).
    ``sheet`` picks an XLSX sheet (else the first); ``fmt`` ("csv"/"xlsx") overrides the
    extension of ``filename``.
    """
    errors = Problems(cap=max_errors)
    source = source.strip() if source is not None and source.strip() else None
    if year is not None:
        try:
            parse_year(year)
        except CellError as exc:
            errors.cell("year", exc, year, row=0, col=-1)
            return errors.rejected(None)
    try:
        grid = read_grid(content, filename, fmt=fmt, sheet=sheet)
    except Unreadable as exc:
        errors.add("file", exc.message, exc.message_zh, always=True)
        return errors.rejected(None)
    try:
        return _parse_rows(
            grid.rows,
            allow_grouping=grid.allow_grouping,
            cities=cities,
            units=units,
            source=source,
            year=year,
            max_rows=max_rows,
            errors=errors,
        )
    except Unreadable as exc:
        errors.add("file", exc.message, exc.message_zh, always=True)
        return errors.rejected(None)
    finally:
        grid.close()


def _parse_rows(
    rows: Rows,
    *,
    allow_grouping: bool,
    cities: Collection[str],
    units: Mapping[str, str],
    source: str | None,
    year: int | None,
    max_rows: int,
    errors: Problems,
) -> ParsedTable | TableRejected:
    leading, at = find_header(rows)
    if not leading:
        errors.add("file", "The file is empty.", "文件为空。", always=True)
        return errors.rejected(None)
    header_row, header_cells = leading[at]
    header = read_header(
        header_row, header_cells, units=units, year=year, source=source, problems=errors
    )
    if header.fatal or header.layout is None:
        return errors.rejected(header.layout)
    ctx = _Context(
        header,
        cities,
        units,
        year,
        source,
        allow_grouping,
        errors,
        named=bool({"indicator_name_zh", "indicator_name_en"} & header.by_name.keys()),
        stray_from=len(header.columns),
        blank_columns=tuple(c.index for c in header.columns if c.blank),
    )
    state = _State()
    check = _long_row if header.layout is TableLayout.LONG else _wide_row

    def data() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        yield from leading[at + 1 :]
        yield from rows

    rows_read = 0
    for number, cells in data():
        if all(is_blank(c) for c in cells):
            continue
        if rows_read == max_rows:
            errors.add(
                f"row {number}",
                f"The file has more than {max_rows} data rows; split it into smaller files.",
                f"文件数据行超过 {max_rows} 行；请拆分为较小的文件。",
                row=number,
                always=True,
            )
            break
        rows_read += 1
        _note_stray(ctx, state, number, cells)
        check(ctx, state, number, cells)

    _report(ctx, state)
    if rows_read == 0:
        errors.add(
            "file",
            f"No data rows below the header (row {header.row}).",
            f"表头（第 {header.row} 行）下没有数据行。",
            always=True,
        )
    elif not state.rows and not errors:
        errors.add(
            "file",
            "The table has no values (every indicator cell is empty).",
            "表格中没有任何数值（所有指标单元格均为空）。",
            always=True,
        )
    if errors:
        return errors.rejected(header.layout)
    return ParsedTable(
        layout=header.layout,
        rows_read=rows_read,
        rows=tuple(state.rows),
        new_indicators=_definitions(state, units),
    )
