"""Users' case series and origin-destination tables: parsing with located errors.

Case series (long form): columns ``date`` (ISO date), ``city`` (division code or a known
name) and ``cases`` (daily new cases, or cumulative totals with ``cumulative=True``).
OD tables: ``origin``, ``destination``, ``trips`` and optionally ``date`` (one matrix per date).
Rows are numbered from 1 after the header, as a spreadsheet shows them (header = row 1,
first data row = row 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from dyrd.core.errors import FieldError
from dyrd.epidemic.compute.incidence import daily_from_cumulative
from dyrd.epidemic.errors import (
    EpidemicError,
    InvalidCaseSeries,
    InvalidMobility,
    UnknownCity,
    field,
)

FloatArray = NDArray[np.float64]
MAX_ERRORS = 20
"""At most this many located problems are listed in one error."""


@dataclass(frozen=True, slots=True, eq=False)
class CaseSeries:
    """Daily new cases (days, cities) on consecutive dates, cities in the given order."""

    dates: tuple[date, ...]
    daily: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class ODMatrix:
    """Trips M[day, dest, orig] (T, n, n); ``dates`` empty when the table had no date column."""

    dates: tuple[date, ...]
    trips: FloatArray


def _require(df: pl.DataFrame, columns: tuple[str, ...], err: type[EpidemicError]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise err(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}",
            f"缺少列 {', '.join(missing)}; 应有 {', '.join(columns)}",
            errors=[field(c, "missing column", "缺少列") for c in missing],
        )


def _raise(err: type[EpidemicError], problems: list[FieldError]) -> None:
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise err(
            f"{first.location}: {first.message}{more}",
            f"{first.location}: {first.message_zh}",
            errors=problems[:MAX_ERRORS],
        )


def _city_index(
    values: list[str], cities: list[str], aliases: dict[str, str], column: str
) -> list[int]:
    pos = {c: k for k, c in enumerate(cities)}
    out: list[int] = []
    unknown: list[FieldError] = []
    for row, raw in enumerate(values, start=2):
        code = aliases.get(raw.strip(), raw.strip())
        if code not in pos:
            unknown.append(
                field(f"row {row}, {column}", f"unknown city {raw!r}", f"未知城市 {raw!r}", raw)
            )
            out.append(-1)
        else:
            out.append(pos[code])
    if unknown:
        first = unknown[0]
        raise UnknownCity(
            f"{first.location}: {first.message}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
            f"{first.location}: {first.message_zh}",
            hint="use the 6-digit division code or the city's name",
            errors=unknown[:MAX_ERRORS],
        )
    return out


def _dates(df: pl.DataFrame, err: type[EpidemicError]) -> list[date]:
    col = df["date"]
    if col.dtype == pl.Date:
        parsed = col
    else:
        parsed = col.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    problems = [
        field(f"row {k + 2}, date", "not a YYYY-MM-DD date", "不是 YYYY-MM-DD 日期", v)
        for k, (v, p) in enumerate(zip(col.to_list(), parsed.to_list(), strict=True))
        if p is None
    ]
    _raise(err, problems)
    return list(parsed.to_list())


def _numbers(df: pl.DataFrame, column: str, err: type[EpidemicError]) -> FloatArray:
    raw = df[column].to_list()
    values = df[column].cast(pl.Float64, strict=False).to_numpy()
    problems = [
        field(f"row {k + 2}, {column}", "must be a finite number >= 0", "须为非负有限数", raw[k])
        for k in np.flatnonzero(~np.isfinite(values) | (values < 0))
    ]
    _raise(err, problems)
    return np.asarray(values, dtype=np.float64)


def parse_case_series(
    df: pl.DataFrame,
    cities: list[str],
    *,
    aliases: dict[str, str] | None = None,
    cumulative: bool = False,
) -> CaseSeries:
    """A long-form case table as daily counts (days, cities); missing (date, city) pairs are 0.

    Cumulative tables must not decrease (the error names the row); they become daily counts.
    """
    _require(df, ("date", "city", "cases"), InvalidCaseSeries)
    if df.height == 0:
        raise InvalidCaseSeries("the case table has no rows", "病例表没有数据行")
    days = _dates(df, InvalidCaseSeries)
    idx = _city_index([str(v) for v in df["city"].to_list()], cities, aliases or {}, "city")
    counts = _numbers(df, "cases", InvalidCaseSeries)
    first, last = min(days), max(days)
    n_days = (last - first).days + 1
    table = np.zeros((n_days, len(cities)))
    seen: dict[tuple[int, int], int] = {}
    problems: list[FieldError] = []
    for row, (d, c, v) in enumerate(zip(days, idx, counts, strict=True), start=2):
        t = (d - first).days
        if (t, c) in seen:
            problems.append(
                field(
                    f"row {row}",
                    f"duplicate of row {seen[t, c]} ({d}, {cities[c]})",
                    f"与第 {seen[t, c]} 行重复 ({d}, {cities[c]})",
                )
            )
        seen[t, c] = row
        table[t, c] = v
    _raise(InvalidCaseSeries, problems)
    if cumulative:
        # Carry the last total over days a city is absent, then refuse any fall.
        present = np.zeros_like(table, dtype=bool)
        for t, c in seen:
            present[t, c] = True
        for c in range(len(cities)):
            for t in range(1, n_days):
                if not present[t, c]:
                    table[t, c] = table[t - 1, c]
        for (t, c), row in sorted(seen.items(), key=lambda kv: kv[1]):
            earlier = table[:t, c]
            if earlier.size and table[t, c] < earlier.max():
                raise InvalidCaseSeries(
                    f"row {row}: cumulative cases of {cities[c]} fall from {earlier.max():g}"
                    f" to {table[t, c]:g}; a cumulative series must not decrease",
                    f"第 {row} 行: {cities[c]} 的累计病例数由 {earlier.max():g} 降至"
                    f" {table[t, c]:g}; 累计序列不得下降",
                    errors=[field(f"row {row}, cases", "cumulative count falls", "累计数下降")],
                )
        table = daily_from_cumulative(table, cities=cities, strict=True).daily
    dates = tuple(date.fromordinal(first.toordinal() + t) for t in range(n_days))
    return CaseSeries(dates=dates, daily=table)


def parse_od(
    df: pl.DataFrame, cities: list[str], *, aliases: dict[str, str] | None = None
) -> ODMatrix:
    """An OD table as trips M[day, dest, orig]; absent pairs are 0, self-trips are refused."""
    _require(df, ("origin", "destination", "trips"), InvalidMobility)
    if df.height == 0:
        raise InvalidMobility("the OD table has no rows", "OD 表没有数据行")
    al = aliases or {}
    orig = _city_index([str(v) for v in df["origin"].to_list()], cities, al, "origin")
    dest = _city_index([str(v) for v in df["destination"].to_list()], cities, al, "destination")
    trips = _numbers(df, "trips", InvalidMobility)
    if "date" in df.columns:
        days = _dates(df, InvalidMobility)
        uniq = sorted(set(days))
    else:
        days = []
        uniq = []
    day_pos = {d: k for k, d in enumerate(uniq)}
    n = len(cities)
    out = np.zeros((max(len(uniq), 1), n, n))
    seen: dict[tuple[int, int, int], int] = {}
    problems: list[FieldError] = []
    for row in range(df.height):
        t = day_pos[days[row]] if days else 0
        i, j = dest[row], orig[row]
        key = (t, i, j)
        if i == j:
            problems.append(
                field(f"row {row + 2}", "origin equals destination", "起点与终点相同", cities[i])
            )
        elif key in seen:
            problems.append(
                field(f"row {row + 2}", f"duplicate of row {seen[key]}", f"与第 {seen[key]} 行重复")
            )
        seen[key] = row + 2
        out[t, i, j] = trips[row]
    _raise(InvalidMobility, problems)
    return ODMatrix(dates=tuple(uniq), trips=out)
