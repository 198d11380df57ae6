"""Users' case series and origin-destination matrices from CSV or Parquet files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dyrd.epidemic.compute.tables import CaseSeries, ODMatrix, parse_case_series, parse_od
from dyrd.epidemic.errors import EpidemicError, InvalidCaseSeries, InvalidMobility, field

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Refuse larger files: a 375-city daily OD table for a year is about 50 MB as CSV."""


def _read(path: Path, err: type[EpidemicError]) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise err(
            f"{path.name}: only .csv and .parquet files can be read",
            f"{path.name}: 仅支持 .csv 与 .parquet 文件",
            errors=[field("file", "unsupported format", "格式不受支持", path.suffix)],
        )
    if not path.is_file():
        raise err(f"{path.name}: no such file", f"{path.name}: 文件不存在")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise err(
            f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB",
            f"{path.name} 超过 {MAX_FILE_BYTES // 2**20} MB",
        )
    try:
        if suffix == ".csv":
            # Everything as text first: the parsers report bad cells by row, not polars.
            return pl.read_csv(path, infer_schema=False)
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise err(f"{path.name} cannot be read: {exc}", f"无法读取 {path.name}: {exc}") from None


def read_case_file(
    path: Path,
    cities: list[str],
    *,
    aliases: dict[str, str] | None = None,
    cumulative: bool = False,
) -> CaseSeries:
    """A case table (``date, city, cases``) as daily counts; errors name the row."""
    return parse_case_series(
        _read(path, InvalidCaseSeries), cities, aliases=aliases, cumulative=cumulative
    )


def read_od_file(
    path: Path, cities: list[str], *, aliases: dict[str, str] | None = None
) -> ODMatrix:
    """An OD table (``origin, destination, trips[, date]``) as M[day, dest, orig]."""
    return parse_od(_read(path, InvalidMobility), cities, aliases=aliases)


@dataclass(frozen=True, slots=True)
class UserData:
    """A user's own case table and/or trip table, in place of the bundled 2020 series."""

    cases: Path | None = None
    cumulative: bool = False
    """The case table holds cumulative totals (they must not fall; they become daily counts)."""
    trips: Path | None = None

    def __post_init__(self) -> None:
        if self.cumulative and self.cases is None:
            raise InvalidCaseSeries(
                "--cumulative describes a case table: name one with --cases",
                "--cumulative 描述的是病例表：请用 --cases 指定",
                errors=[field("cumulative", "needs --cases", "须指定 --cases")],
            )

    @property
    def given(self) -> bool:
        """Whether any file was named."""
        return self.cases is not None or self.trips is not None

    def describe(self) -> str:
        """What replaced the bundled inputs, for reports."""
        parts = []
        if self.cases is not None:
            kind = "cumulative" if self.cumulative else "daily"
            parts.append(f"cases from {self.cases.name} ({kind})")
        if self.trips is not None:
            parts.append(f"trips from {self.trips.name} (mean over its days)")
        return "; ".join(parts)
