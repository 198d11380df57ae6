"""Case and OD files (CSV, Parquet) through the service: same checks, file-level errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dyrd.epidemic.errors import InvalidCaseSeries, InvalidMobility
from dyrd.epidemic.service.data import read_case_file, read_od_file

CITIES = ["310000", "320100"]


def test_csv_and_parquet_cases(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {"date": ["2020-01-20", "2020-01-21"], "city": ["310000", "320100"], "cases": [3, 4]}
    )
    df.write_csv(tmp_path / "c.csv")
    df.write_parquet(tmp_path / "c.parquet")
    for name in ("c.csv", "c.parquet"):
        series = read_case_file(tmp_path / name, CITIES)
        assert series.daily.tolist() == [[3, 0], [0, 4]]


def test_bad_cells_in_a_csv_name_the_row(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("date,city,cases\n2020-01-20,310000,3\n2020-01-21,310000,x\n")
    with pytest.raises(InvalidCaseSeries, match="row 3, cases"):
        read_case_file(tmp_path / "c.csv", CITIES)


def test_od_file_and_file_errors(tmp_path: Path) -> None:
    (tmp_path / "od.csv").write_text("origin,destination,trips\n310000,320100,12.5\n")
    od = read_od_file(tmp_path / "od.csv", CITIES)
    assert od.trips[0, 1, 0] == 12.5
    with pytest.raises(InvalidMobility, match=r"only \.csv and \.parquet"):
        read_od_file(tmp_path / "od.xlsx", CITIES)
    with pytest.raises(InvalidMobility, match="no such file"):
        read_od_file(tmp_path / "missing.csv", CITIES)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(InvalidMobility, match="cannot be read"):
        read_od_file(tmp_path / "broken.parquet", CITIES)
