"""`dyrd supply epcis ...`: offline validation (one JSON object per file), capture, query and
the inventory views on the test database."""

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
from dyrd.supply.epcis_cli import build_app
from tests.supply.epcis.conftest import (
    EPCIS_DIR,
    document,
    example,
    manifest,
    needs_suite,
    object_event,
)

pytestmark = needs_suite
runner = CliRunner()


def test_validate_prints_one_object_per_file_and_fails_if_any_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DYRD_EPCIS_ARTEFACTS_DIR", str(EPCIS_DIR))
    rows = manifest()
    valid = [str(example(r["local_path"])) for r in rows if r["expected_json_schema"] == "valid"]
    invalid = [
        str(example(r["local_path"])) for r in rows if r["expected_json_schema"] == "invalid"
    ]
    broken = tmp_path / "broken.json"
    broken.write_text("{nope", encoding="utf-8")
    result = runner.invoke(root_app, ["supply", "epcis", "validate", *valid, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["file"] for x in lines] == valid
    assert all(x["valid"] and x["errors"] == [] for x in lines)

    result = runner.invoke(
        root_app, ["supply", "epcis", "validate", valid[0], *invalid, str(broken), "--json"]
    )
    assert result.exit_code == 3
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["valid"] for x in lines] == [True, False, False, False, False]
    for line in lines[1:]:
        assert line["errors"]
        assert {"pointer", "message", "message_zh"} <= set(line["errors"][0])
    assert lines[-1]["errors"][0]["message"].startswith("not JSON")


def test_validate_without_artefacts_says_where_to_get_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DYRD_EPCIS_ARTEFACTS_DIR", raising=False)
    result = runner.invoke(root_app, ["supply", "epcis", "validate", "x.json"])
    assert result.exit_code == 8  # ConfigurationError
    assert "ref.gs1.org" in result.output


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_capture_query_and_inventory(obj: CliState, tmp_path: Path) -> None:
    app = build_app(artefacts=lambda: EPCIS_DIR)
    doc = document(
        [
            object_event(
                epcs=["urn:epc:id:sgtin:1.2.3"], action="ADD", location="A", eventID="urn:x:1"
            ),
            object_event(
                epcs=["urn:epc:id:sgtin:1.2.4"],
                action="ADD",
                location="B",
                time="2026-11-21T09:00:00+08:00",
                eventID="urn:x:2",
            ),
        ]
    )
    path = tmp_path / "doc.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["capture", str(path), "--json"], obj=obj)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["eventCount"] == 2

    result = runner.invoke(app, ["events", "-p", "EQ_bizLocation=B"], obj=obj)
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in events] == ["urn:x:2"]

    result = runner.invoke(app, ["events", "-p", "perPage=1"], obj=obj)
    token = json.loads(result.stdout)["nextPageToken"]
    result = runner.invoke(
        app, ["events", "-p", "perPage=1", "-p", f"nextPageToken={token}"], obj=obj
    )
    events = json.loads(result.stdout)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in events] == ["urn:x:2"]

    result = runner.invoke(app, ["inventory", "--json", "--location", "A"], obj=obj)
    assert result.exit_code == 0, result.output
    stock = json.loads(result.stdout)["stock"]
    assert [(s["location"], s["quantity"], s["events"]) for s in stock] == [("A", 1.0, ["urn:x:1"])]
    result = runner.invoke(app, ["inventory"], obj=obj)
    assert result.exit_code == 0
    assert "Stock" in result.stdout
