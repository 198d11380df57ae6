"""`dyrd supply ...`: enterprises, chains, matching and a disruption scenario file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.cli import main as cli_main
from dyrd.core.cliutil import CliState
from dyrd.core.clock import Clock
from dyrd.supply.cli import build_app
from dyrd.supply.errors import InvalidCode, InvalidInput
from tests.supply.support import CODES, FIRMS, LINKS, RULES

runner = CliRunner()


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_offline_checks_need_no_database() -> None:
    app = build_app()
    ok = runner.invoke(app, ["enterprise", "check", "91330100716105852F", "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["division"] == "330100"
    bad = runner.invoke(app, ["enterprise", "check", "91330100716105852G"])
    assert isinstance(bad.exception, InvalidCode)
    assert runner.invoke(app, ["product", "check", "73513537"]).output.strip() == "00000073513537"
    # Through the root command an error becomes exit code 3 and a bilingual message.
    root = runner.invoke(cli_main.app, ["supply", "enterprise", "check", "ABC"])
    assert root.exit_code == 3
    assert "统一社会信用代码" in root.output


def test_register_join_match_and_run_a_scenario(obj: CliState, tmp_path: Path) -> None:
    app = build_app()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), obj=obj)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    for code, zh, en, city, industry, final in FIRMS:
        run(
            "enterprise",
            "add",
            code,
            "--name-zh",
            zh,
            "--name-en",
            en,
            "--city",
            city,
            "--industry",
            industry,
            "--grade",
            "A",
            "--final-demand",
            str(final),
        )
    for s, c, cls, value in LINKS:
        run("link", "add", CODES[s], CODES[c], "--class", cls, "--value", str(value))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    run(
        "chain",
        "create",
        "yrd-auto",
        "--name-zh",
        "汽车",
        "--name-en",
        "Auto",
        "--class",
        "C36",
        str(rules),
    )
    run(
        "enterprise",
        "certify",
        CODES[0],
        "--name",
        "IATF 16949",
        "--from",
        "2025-01-01",
        "--until",
        "2028-01-01",
    )
    out = run("chain", "join", "yrd-auto", CODES[0])
    assert "admitted" in out
    assert "✓ certification" in out
    refused = json.loads(run("chain", "join", "yrd-auto", CODES[1], "--json"))
    assert refused["outcome"] == "refused"
    decisions = json.loads(run("chain", "decisions", "--chain", "yrd-auto", "--json"))
    assert [d["rule_version"] for d in decisions] == [1, 1]

    run(
        "match",
        "offer",
        CODES[1],
        "--class",
        "C3670",
        "--quantity",
        "5",
        "--unit",
        "pcs",
        "--lead-days",
        "1",
    )
    run(
        "match",
        "need",
        CODES[0],
        "--class",
        "C36",
        "--quantity",
        "5",
        "--unit",
        "pcs",
        "--max-lead-days",
        "2",
        "--max-km",
        "300",
    )
    report = json.loads(run("match", "run", "--json"))
    assert report["matches"][0]["supplier"] == CODES[1]

    scenario = tmp_path / "scenario.json"
    scenario.write_text(
        json.dumps(
            {
                "name": "Jiangsu level I",
                "start": "2020-01-25",
                "days": 30,
                "levels": [
                    {
                        "jurisdiction": "320000",
                        "start": "2020-01-25",
                        "end": "2020-02-24",
                        "level": 1,
                    }
                ],
                "level_shares": {"1": 0.6},
            }
        )
    )
    result = json.loads(run("disruption", "run", str(scenario), "--json"))
    assert result["direct"] > 0
    assert "间接损失 indirect" in run("disruption", "run", str(scenario))
    run("disruption", "save", "js-l1", str(scenario))
    assert "js-l1" in run("disruption", "list")

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "x", "start": "2020-01-01", "days": 0}))
    failed = runner.invoke(app, ["disruption", "run", str(broken)], obj=obj)
    assert isinstance(failed.exception, InvalidInput)
    assert failed.exception.errors[0].location == "days"
