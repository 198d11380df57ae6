"""`dyrd epidemic backtest|forecast|levels|scenario`: JSON keys, the per-city table, exit codes."""

from __future__ import annotations

import csv
import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from dyrd.cli.main import app as cli_app
from dyrd.epidemic.bundled import read_yrd_2020
from dyrd.epidemic.service.inputs import bundled_inputs


@pytest.fixture
def cli_env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "DYRD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DYRD_LEDGER_KEY_PATH": str(tmp_path / "ledger.pem"),
        "DYRD_LOG_JSON": "false",
    }


def test_backtest_json_and_table(cli_env: dict[str, str], tmp_path: Path) -> None:
    table = tmp_path / "cities.csv"
    args = ["epidemic", "backtest", "--first-origin", "2020-03-18", "--members", "20"]
    result = CliRunner().invoke(cli_app, [*args, "--table", str(table), "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "origins",
        "forecasts",
        "relative_wis_vs_flat",
        "relative_wis_vs_no_mobility",
        "coverage_50",
        "coverage_95",
    ):
        assert key in data
    assert data["origins"] == ["2020-03-18", "2020-03-25"]
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 41
    assert sum(int(r["forecasts"]) for r in rows) == data["forecasts"]


def test_bad_input_exits_with_a_message(cli_env: dict[str, str]) -> None:
    bad = CliRunner().invoke(
        cli_app, ["epidemic", "forecast", "--origin", "2020-13-01"], env=cli_env
    )
    assert bad.exit_code == 3  # ValidationFailed
    assert "YYYY-MM-DD" in bad.output
    early = CliRunner().invoke(
        cli_app, ["epidemic", "forecast", "--origin", "2020-01-16"], env=cli_env
    )
    assert early.exit_code == 3
    unknown = CliRunner().invoke(
        cli_app,
        ["epidemic", "scenario", "--mobility-cut", "0.5", "--city", "999999", "--deterministic"],
        env=cli_env,
    )
    assert unknown.exit_code == 4  # NotFoundError: unknown city
    order = CliRunner().invoke(
        cli_app, ["epidemic", "levels", "--level-iii", "90", "--level-ii", "50"], env=cli_env
    )
    assert order.exit_code == 3


def test_scenario_json(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "scenario",
            "--days",
            "30",
            "--transmission-cut",
            "0.5",
            "--deterministic",
            "--members",
            "1",
            "--json",
        ],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["infections_averted"] > 0


def test_forecast_and_backtest_on_a_saved_posterior(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    saved = tmp_path / "posterior.json"
    cal = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "calibrate",
            "--members",
            "20",
            "--iterations",
            "1",
            "--days",
            "3",
            "--scheme",
            "euler",
            "--save",
            str(saved),
            "--json",
        ],
        env=cli_env,
    )
    assert cal.exit_code == 0, cal.output
    fc = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "forecast",
            "--origin",
            "2020-03-18",
            "--members",
            "20",
            "--posterior",
            str(saved),
            "--json",
        ],
        env=cli_env,
    )
    assert fc.exit_code == 0, fc.output
    out = json.loads(fc.stdout)
    assert out["parameters"].startswith("IF-EAKF on ")
    assert len(out["cities"]) == 41
    bt = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "backtest",
            "--first-origin",
            "2020-03-25",
            "--members",
            "20",
            "--posterior",
            str(saved),
            "--json",
        ],
        env=cli_env,
    )
    assert bt.exit_code == 0, bt.output
    assert json.loads(bt.stdout)["parameters"] == out["parameters"]
    default = CliRunner().invoke(
        cli_app,
        ["epidemic", "forecast", "--origin", "2020-03-18", "--members", "20", "--json"],
        env=cli_env,
    )
    assert json.loads(default.stdout)["parameters"].startswith("Li et al. (2020) published")
    spread = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "forecast",
            "--origin",
            "2020-03-18",
            "--members",
            "20",
            "--posterior",
            str(saved),
            "--member-spread",
            "--json",
        ],
        env=cli_env,
    )
    assert spread.exit_code == 0, spread.output
    assert json.loads(spread.stdout)["parameters"].endswith("drawn from its posterior ensemble")
    alone = CliRunner().invoke(cli_app, ["epidemic", "forecast", "--member-spread"], env=cli_env)
    assert alone.exit_code != 0
    assert "--member-spread needs --posterior" in alone.output
    bad = CliRunner().invoke(
        cli_app, ["epidemic", "forecast", "--posterior", str(tmp_path / "nope.json")], env=cli_env
    )
    assert bad.exit_code != 0
    assert "无法读取后验文件" in bad.output


def _own_files(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled series up to 19 Feb 2020 as a user's daily case CSV (every other city by its
    Chinese name) and the bundled trips as a Parquet OD table (English names)."""
    series = read_yrd_2020()
    inc = bundled_inputs().incidence
    rows = [
        (day, series.names_zh[i] if i % 2 else code, float(inc[t, i]))
        for t, day in enumerate(series.dates[:36])
        for i, code in enumerate(series.codes)
    ]
    cases = tmp_path / "cases.csv"
    pl.DataFrame(rows, schema=["date", "city", "cases"], orient="row").write_csv(cases)
    mob = bundled_inputs().mobility
    dest, orig = np.nonzero(mob)
    trips = tmp_path / "trips.parquet"
    pl.DataFrame(
        {
            "origin": [series.codes[j] for j in orig],
            "destination": [series.codes[i] for i in dest],
            "trips": mob[dest, orig],
        }
    ).write_parquet(trips)
    return cases, trips


def test_forecast_and_backtest_on_the_users_own_files(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    cases, trips = _own_files(tmp_path)
    own = ["--cases", str(cases), "--trips", str(trips)]
    fc = CliRunner().invoke(
        cli_app, ["epidemic", "forecast", *own, "--members", "20", "--json"], env=cli_env
    )
    assert fc.exit_code == 0, fc.output
    out = json.loads(fc.stdout)
    assert (
        out["inputs"]
        == "cases from cases.csv (daily); trips from trips.parquet (mean over its days)"
    )
    assert out["origin"] == "2020-02-20"  # the day after the user's last row
    assert len(out["cities"][0]["observed_daily"]) == 36
    bt = CliRunner().invoke(
        cli_app,
        ["epidemic", "backtest", "--cases", str(cases), "--members", "20", "--json"],
        env=cli_env,
    )
    assert bt.exit_code == 0, bt.output
    # Default first origin: three weeks into the user's series (15 Jan + 21 d), weekly after.
    assert json.loads(bt.stdout)["origins"] == ["2020-02-05", "2020-02-12"]

    bad = tmp_path / "bad.csv"
    bad.write_text("date,city,cases\n2020-01-20,Shanghai,3\n2020-01-21,Atlantis,4\n")
    refused = CliRunner().invoke(
        cli_app, ["epidemic", "forecast", "--cases", str(bad)], env=cli_env
    )
    assert refused.exit_code != 0
    assert "row 3, city" in refused.output
    assert "未知城市" in refused.output
    alone = CliRunner().invoke(cli_app, ["epidemic", "forecast", "--cumulative"], env=cli_env)
    assert alone.exit_code != 0
    assert "--cumulative" in alone.output


def test_levels_and_scenarios_on_own_files_and_the_bundled_posterior(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    cases, trips = _own_files(tmp_path)
    posterior = Path(str(files("dyrd.epidemic").joinpath("data", "calibration_li2020.json")))
    levels = CliRunner().invoke(
        cli_app,
        ["epidemic", "levels", "--cases", str(cases), "--members", "20", "--json"],
        env=cli_env,
    )
    assert levels.exit_code == 0, levels.output
    rep = json.loads(levels.stdout)
    assert rep["origin"] == "2020-02-20"
    assert rep["inputs"].startswith("cases from cases.csv (daily)")
    assert len(rep["cities"]) == 41
    scen = CliRunner().invoke(
        cli_app,
        [
            "epidemic",
            "scenario",
            "--posterior",
            str(posterior),
            "--trips",
            str(trips),
            "--days",
            "30",
            "--mobility-cut",
            "0.9",
            "--deterministic",
            "--members",
            "1",
            "--json",
        ],
        env=cli_env,
    )
    assert scen.exit_code == 0, scen.output
    out = json.loads(scen.stdout)
    assert out["parameters"].startswith("IF-EAKF on ")
    assert out["inputs"].startswith("trips from trips.parquet")
