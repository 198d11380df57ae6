"""`dyrd epidemic backtest|forecast|levels|scenario`: JSON keys, the per-city table, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from dyrd.cli.main import app as cli_app


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
