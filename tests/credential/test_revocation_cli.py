"""`dyrd credential revocation revoke|lift|list|status|sync`: JSON output, exit codes."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dyrd.cli.main import app

ISSUER = "CN-YRD/GOV/330000"
KID = "0102030405060708"
"""Replaced by the kid of ISSUER's own DSC (made in ``url``): only an owner's kid revokes."""


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(url: str, *args: str, **env: str) -> Result:
    return CliRunner().invoke(
        app, list(args), env={"DYRD_DATABASE_URL": url, "DYRD_LOG_JSON": "false", **env}
    )


def ok(url: str, *args: str) -> Result:
    result = run(url, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DYRD_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    ok(db, "db", "upgrade")
    ok(db, "member", "load")
    ok(db, "key", "init")
    made = json.loads(ok(db, "trust", "cert", "issue", "--member", ISSUER, "--json").stdout)
    monkeypatch.setattr(f"{__name__}.KID", base64.b64decode(made["active"]["kid"]).hex())
    return db


def test_revoking_under_another_members_kid_is_refused(url: str) -> None:
    other = "CN-YRD/GOV/310000"
    made = json.loads(ok(url, "trust", "cert", "issue", "--member", other, "--json").stdout)
    kid = base64.b64decode(made["active"]["kid"]).hex()
    refused = run(
        url, "credential", "revocation", "revoke", "--issuer", ISSUER, "--reason", "r",
        "--kid", kid, "--type", "UCI", "--hash", "ab" * 16,
    )  # fmt: skip
    assert refused.exit_code != 0
    assert kid in refused.output


def test_revoke_list_lift_status(url: str) -> None:
    rev = ["credential", "revocation"]
    made = ok(
        url, *rev, "revoke", "--issuer", ISSUER, "--reason", "wrong person",
        "--kid", KID, "--type", "UCI", "--hash", "ab" * 16, "--json",
    )  # fmt: skip
    (record,) = json.loads(made.stdout)
    assert record["hash"] == "ab" * 16
    assert record["created_by"].startswith("cli:")
    again = run(
        url, *rev, "revoke", "--issuer", ISSUER, "--reason", "x",
        "--kid", KID, "--type", "UCI", "--hash", "ab" * 16,
    )  # fmt: skip
    assert again.exit_code == 5  # conflict
    assert "已吊销" in again.output or "already revoked" in again.output
    listed = json.loads(ok(url, *rev, "list", "--issuer", ISSUER, "--json").stdout)
    assert listed["total"] == 1
    ok(url, *rev, "lift", str(record["id"]), "--reason", "mistake")
    status = json.loads(ok(url, *rev, "status", "--json").stdout)
    assert status == [
        {
            "issuer_member": ISSUER,
            "version": 2,
            "standing": 0,
            "updated_at": status[0]["updated_at"],
        }
    ]
    table = ok(url, *rev, "list", "--issuer", ISSUER, "--include-lifted")
    assert "吊销记录" in table.output


def test_bad_options_and_missing_directory(url: str) -> None:
    rev = ["credential", "revocation"]
    bad = run(url, *rev, "revoke", "--issuer", ISSUER, "--reason", "r", "--kid", "zz")
    assert bad.exit_code == 3
    sync = run(url, *rev, "sync", "--json")
    assert sync.exit_code == 8  # configuration: no directory to find issuers in
    assert "DYRD_DIRECTORY_URL" in sync.output
    helptext = run(url, *rev, "--help")
    assert "吊销" in helptext.output
    assert "revocation" in helptext.output.lower()
