"""`dyrd epidemic calibrate`: JSON posterior table, table output, bad options refused."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from dyrd.cli.main import app as cli_app
from dyrd.epidemic.calibration_cli import register
from dyrd.epidemic.service.calibration import calibrate_li2020


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root."""

    register(app)
    return app


def test_json_posterior_table() -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "calibrate",
            "--members",
            "20",
            "--iterations",
            "1",
            "--days",
            "3",
            "--scheme",
            "euler",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["window"] == ["2020-01-10", "2020-01-12"]
    names = [row["name"] for row in out["posterior"]]
    assert names == ["beta", "mu", "theta", "Z", "alpha", "D", "Re"]
    for row in out["posterior"]:
        assert row["low"] <= row["median"] <= row["high"]
        assert row["paper"] is None  # the paper's values are for the full 14-day window


def test_table_output_and_bad_options() -> None:
    ok = CliRunner().invoke(
        _app(),
        ["calibrate", "--members", "10", "--iterations", "1", "--days", "2", "--scheme", "euler"],
    )
    assert ok.exit_code == 0, ok.output
    assert "alpha" in ok.stdout
    assert "后验 Posterior" in ok.stdout
    for args in (["--days", "15"], ["--scheme", "rk5"], ["--members", "3"]):
        bad = CliRunner().invoke(_app(), ["calibrate", *args])
        assert bad.exit_code == 2, (args, bad.output)


def test_service_marks_the_papers_interval_on_the_full_window() -> None:
    report = calibrate_li2020(members=10, iterations=1, scheme="euler", seed=1)
    rows = {r.name: r for r in report.rows}
    assert rows["alpha"].paper_median == 0.14
    assert rows["alpha"].inside_paper_interval == (0.10 <= rows["alpha"].estimate <= 0.18)
    assert rows["beta"].inside_paper_interval is None


def test_wired_into_the_root_cli(engine: Engine, tmp_path: Path) -> None:
    env = {
        "DYRD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DYRD_LEDGER_KEY_PATH": str(tmp_path / "ledger.pem"),
        "DYRD_LOG_JSON": "false",
    }
    args = ["epidemic", "calibrate", "--members", "10", "--iterations", "1", "--days", "2"]
    result = CliRunner().invoke(cli_app, [*args, "--scheme", "euler", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["members"] == 10
    bad = CliRunner().invoke(cli_app, ["epidemic", "calibrate", "--iterations", "0"], env=env)
    assert bad.exit_code == 2
