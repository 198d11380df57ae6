"""`dyrd healthcode policy ...` on the test database: load-samples, publish, list, show."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState
from dyrd.core.clock import Clock
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.errors import PolicyInvalid, PolicyNotFound
from dyrd.healthcode.policy_cli import build_app
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import REGION_STEWARD
from tests.healthcode.test_policies import TODAY, sh_v3

runner = CliRunner()


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_publish_list_and_show(obj: CliState, keystore: InMemoryKeyStore, tmp_path: Path) -> None:
    app = build_app(keystore=lambda: keystore, operator=lambda: REGION_STEWARD)

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), obj=obj)
        assert result.exit_code == 0, result.output
        return result.output

    assert "stored 0 sample policy version(s)" in run("load-samples")  # already stored
    file = tmp_path / "sh-v3.json"
    file.write_text(json.dumps(sh_v3(TODAY + timedelta(days=2))), encoding="utf-8")
    assert "已发布 published SH-ACC-001 v3 (310000)" in run("publish", str(file))
    listed = json.loads(run("list", "--jurisdiction", "310000", "--json"))
    assert [(p["version"], p["verified"]) for p in listed] == [(1, True), (2, True), (3, True)]
    table = run("list")
    assert f"互认策略 Acceptance policies ({len(sample_policies()) + 1})" in table
    shown = json.loads(run("show", "SH-ACC-001", "--version", "1", "--json"))
    assert (shown["version"], shown["valid_until"]) == (1, "2020-06-01")
    history = json.loads(run("show", "SH-ACC-001", "--history", "--json"))
    assert [p["version"] for p in history] == [1, 2, 3]
    text = run("show", "SH-ACC-001")
    assert "仅接受本市码" in text  # the requirement's reason, in both languages
    assert "local codes only" in text

    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json", encoding="utf-8")
    bad = runner.invoke(app, ["publish", str(garbled)], obj=obj)
    assert isinstance(bad.exception, PolicyInvalid)  # the root CLI prints it, bilingual
    assert "不是 JSON" in bad.exception.message_zh
    again = runner.invoke(app, ["publish", str(file)], obj=obj)
    assert again.exit_code != 0  # versions only grow
    missing = runner.invoke(app, ["show", "SH-ACC-404"], obj=obj)
    assert isinstance(missing.exception, PolicyNotFound)
