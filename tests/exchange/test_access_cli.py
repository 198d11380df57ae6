"""`dyrd exchange ...` commands on the test database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState
from dyrd.core.errors import ValidationFailed
from dyrd.exchange.access_cli import build_app
from tests.exchange.access_support import CONSUMER, OWNER, POLICY, MovingClock, make_resource

runner = CliRunner()
app = build_app(policy=lambda: POLICY, epsilon_per_grant=lambda: 2.0)


@pytest.fixture
def moving() -> MovingClock:
    return MovingClock()


@pytest.fixture
def obj(connection: Connection, moving: MovingClock) -> CliState:
    """CLI state whose sessions join the test transaction, on a clock the test moves."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=moving)


def run(obj: CliState, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"], obj=obj)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_request_decide_grants_revoke_and_escalate(obj: CliState, moving: MovingClock) -> None:
    with obj.session_factory() as session:
        res = make_resource(session, moving, "conditional")
    args = ["--consumer", CONSUMER, "--purpose-code", "statistics", "--purpose-zh", "统计分析"]
    args += ["--legal-basis", "《统计法》第七条", "--field", "code", "--field", "score"]
    first = run(obj, "request", res, *args, "--days", "20")
    second = run(obj, "request", res, *args)
    assert (first["status"], first["due_date"]) == ("pending", "2026-12-10")
    listed = run(obj, "requests", "--member", OWNER, "--side", "owner")
    assert {r["id"] for r in listed["items"]} == {first["id"], second["id"]}

    decided = run(obj, "decide", first["id"], "--approve", "--field", "score", "--days", "5")
    assert decided["status"] == "granted"
    grants = run(obj, "grants", "--member", CONSUMER, "--side", "consumer")
    assert [(g["id"], g["fields"]) for g in grants["items"]] == [(decided["grant_id"], ["score"])]
    assert run(obj, "revoke", decided["grant_id"], "--reason", "done")["status"] == "revoked"

    moving.advance(days=20)
    escalated = run(obj, "escalate")
    assert [(e["request_id"], e["escalated_to"]) for e in escalated] == [
        (second["id"], "CN-YRD/GOV/330000")
    ]
    assert run(obj, "escalate") == []
    inbox = run(obj, "requests", "--member", "CN-YRD/GOV/330000", "--escalated")
    assert [r["id"] for r in inbox["items"]] == [second["id"]]
    assert run(obj, "requests", "--member", OWNER, "--escalated")["total"] == 0


def test_refusal_without_a_reason_is_a_validation_error(obj: CliState, moving: MovingClock) -> None:
    with obj.session_factory() as session:
        res = make_resource(session, moving, "conditional")
    req = run(
        obj,
        "request",
        res,
        "--consumer",
        CONSUMER,
        "--purpose-code",
        "planning",
        "--purpose-zh",
        "规划",
        "--legal-basis",
        "规定",
        "--field",
        "code",
    )
    result = runner.invoke(app, ["decide", req["id"], "--refuse"], obj=obj)
    assert isinstance(result.exception, ValidationFailed)
    assert "reason" in result.exception.errors[0].message


def test_budget_shows_and_sets_a_grants_epsilon(obj: CliState, moving: MovingClock) -> None:
    with obj.session_factory() as session:
        res = make_resource(session, moving, "conditional")
    args = ["--consumer", CONSUMER, "--purpose-code", "statistics", "--purpose-zh", "统计分析"]
    req = run(obj, "request", res, *args, "--legal-basis", "《统计法》", "--field", "score")
    grant = run(obj, "decide", req["id"], "--approve")["grant_id"]
    shown = run(obj, "budget", grant)
    assert (shown["total_epsilon"], shown["remaining_epsilon"]) == (2.0, 2.0)
    changed = run(obj, "budget", grant, "--total", "0.5", "--reason", "pilot")
    assert (changed["total_epsilon"], changed["spent_epsilon"]) == (0.5, 0.0)
    assert run(obj, "budget", grant)["total_epsilon"] == 0.5
    no_reason = runner.invoke(app, ["budget", grant, "--total", "3"], obj=obj)
    assert isinstance(no_reason.exception, ValidationFailed)
    assert no_reason.exception.errors[0].location == "reason"
    negative = runner.invoke(app, ["budget", grant, "--total", "-1", "--reason", "x"], obj=obj)
    assert isinstance(negative.exception, ValidationFailed)
    table = runner.invoke(app, ["budget", grant], obj=obj)
    assert table.exit_code == 0
    assert "0.5" in table.output
