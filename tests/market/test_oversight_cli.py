"""`dyrd market ocds|red-flags|screens|risk` on the test database; exit codes on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.cli.main import app as root_app
from dyrd.core.cliutil import CliState
from dyrd.core.clock import Clock
from dyrd.market.cli import app
from dyrd.market.errors import MarketInputInvalid, OcdsInvalid

OCDS = Path(__file__).resolve().parents[1] / "external" / "ocds"
SAMPLE = OCDS / "sample-fictional-1.1" / "ocds-213czf-000-00001.json"
runner = CliRunner()


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_validate_json_and_exit_codes(tmp_path: Path) -> None:
    ok = runner.invoke(root_app, ["market", "ocds", "validate", str(SAMPLE), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"valid": True, "kind": "release-package", "issues": []}
    bad = json.loads(SAMPLE.read_text("utf-8"))
    bad["releases"][0]["tender"]["procurementMethod"] = "raffle"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), "utf-8")
    out = runner.invoke(root_app, ["market", "ocds", "validate", str(path), "--json"])
    assert out.exit_code == 1
    issues = json.loads(out.stdout)["issues"]
    assert [(i["path"], i["keyword"]) for i in issues] == [
        ("/releases/0/tender/procurementMethod", "enum")
    ]
    garbage = tmp_path / "g.json"
    garbage.write_text("{nope", "utf-8")
    broken = runner.invoke(root_app, ["market", "ocds", "validate", str(garbage)])
    assert broken.exit_code not in (0, 1)
    assert "Not JSON" in broken.output


def test_import_export_red_flags_screens_and_risk(obj: CliState, tmp_path: Path) -> None:
    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), obj=obj)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "imported 6" in run("ocds", "import", str(SAMPLE))
    package = json.loads(run("ocds", "export", "ocds-213czf-000-00001"))
    assert package["records"][0]["compiledRelease"]["ocid"] == "ocds-213czf-000-00001"
    flags = json.loads(run("red-flags", str(OCDS / "cardinal-fixtures" / "R028.jsonl"), "--json"))
    tenderers = flags["results"]["Tenderer"]
    assert (tenderers["D"]["R028"], tenderers["V"]["R028"]) == (1.0, 1.0)
    text = run("red-flags", str(OCDS / "cardinal-fixtures" / "R028.jsonl"), "--record")
    assert "投标报价完全相同" in text
    scores = json.loads(run("risk", "scores", "--json"))
    assert {s["enterprise_id"] for s in scores} == {"D", "V"}
    run("risk", "add", "D", "ip_infringement")
    run("risk", "add", "D", "complaint", "--severity", "2")
    alerts = json.loads(run("risk", "alerts", "--raise", "--json"))
    assert {a["enterprise_id"]: a["level"] for a in alerts} == {"D": "alert", "V": "watch"}
    tender = {
        "ocid": "t1",
        "bids": {
            "details": [
                {"id": str(i), "status": "valid", "value": {"amount": p, "currency": "CNY"}}
                for i, p in enumerate([100, 103, 104, 105, 107])
            ]
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tender), "utf-8")
    screened = json.loads(run("screens", str(path), "--cv-max", "0.03", "--json"))
    assert screened["tenders"][0]["flagged"] is True


def test_bad_input_is_refused(obj: CliState, tmp_path: Path) -> None:
    result = runner.invoke(app, ["risk", "add", "X", "gossip"], obj=obj)
    assert isinstance(result.exception, MarketInputInvalid)
    bad = json.loads(SAMPLE.read_text("utf-8"))
    del bad["releases"][3]["ocid"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), "utf-8")
    refused = runner.invoke(app, ["ocds", "import", str(path)], obj=obj)
    assert isinstance(refused.exception, OcdsInvalid)
    assert refused.exception.errors[0].location == "/releases/3"
    weights = tmp_path / "w.json"
    weights.write_text('{"weights": {"complaint": -1}}', "utf-8")
    wrong = runner.invoke(app, ["risk", "scores", "--weights", str(weights)], obj=obj)
    assert isinstance(wrong.exception, MarketInputInvalid)
