"""`dyrd trust cert ...` and `dyrd trust list ...`, on the test database with in-memory keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from dyrd.core.cliutil import CliState
from dyrd.core.errors import NotFoundError
from dyrd.trust import service
from dyrd.trust.certificates_cli import build_trust_app
from tests.conftest import fixed_clock
from tests.fakes import InMemoryKeyStore
from tests.trust.conftest import JS, ZJ


@pytest.fixture
def cli(connection: Connection, keyed: InMemoryKeyStore) -> typer.Typer:
    """`dyrd trust` under a root that hands out sessions on the test transaction."""
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(
            session_factory=lambda: Session(
                bind=connection, join_transaction_mode="create_savepoint"
            ),
            clock=fixed_clock,
        )

    root.add_typer(build_trust_app(keystore=lambda: keyed), name="trust")
    return root


def ok(cli: typer.Typer, *args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_help_is_bilingual(cli: typer.Typer) -> None:
    for group in (["trust"], ["trust", "cert"], ["trust", "list"], ["trust", "cert", "issue"]):
        text = ok(cli, *group, "--help").stdout
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), group
        assert any("a" <= ch <= "z" for ch in text), group


def test_issue_rotate_list_revoke_and_verify_offline(
    cli: typer.Typer, session: Session, tmp_path: Path
) -> None:
    first = json.loads(ok(cli, "trust", "cert", "issue", "--member", ZJ, "--json").stdout)
    assert first["retired"] is None
    second = json.loads(
        ok(cli, "trust", "cert", "issue", "--member", ZJ, "--days", "30", "--json").stdout
    )
    assert second["retired"]["fingerprint"] == first["active"]["fingerprint"]
    text = ok(cli, "trust", "cert", "issue", "--member", JS).stdout
    assert "已签发 DSC issued" in text
    # `make run` reruns this: a member holding a valid DSC keeps it.
    kept = json.loads(
        ok(cli, "trust", "cert", "issue", "--member", ZJ, "--if-missing", "--json").stdout
    )
    assert (kept["issued"], kept["active"]["fingerprint"]) == (
        False,
        second["active"]["fingerprint"],
    )
    rows = json.loads(ok(cli, "trust", "cert", "list", "--kind", "dsc", "--json").stdout)
    assert sorted((r["member_id"], r["status"]) for r in rows) == [
        (JS, "active"),
        (ZJ, "active"),
        (ZJ, "retired"),
    ]
    table = ok(cli, "trust", "cert", "list", "--member", ZJ).stdout
    assert "证书 Certificates" in table
    revoked = json.loads(
        ok(
            cli, "trust", "cert", "revoke", second["active"]["kid"], "--reason", "test", "--json"
        ).stdout
    )
    assert (revoked["status"], revoked["listed"]) == ("revoked", False)

    document = ok(cli, "trust", "list", "show", "--raw").stdout.strip()
    (tmp_path / "tl.json").write_text(document)
    (tmp_path / "root.jwk").write_text(json.dumps(service.root_public_jwk(session)))
    checked = json.loads(
        ok(
            cli,
            "trust",
            "list",
            "verify",
            str(tmp_path / "tl.json"),
            "--root-key",
            str(tmp_path / "root.jwk"),
            "--json",
        ).stdout
    )
    assert checked == {
        "valid": True,
        "version": 6,
        "expires_at": "2026-11-28T08:00:00Z",
        "cscas": 1,
        "dscs": 2,
    }
    changes = ok(cli, "trust", "list", "show", "--since", "4").stdout
    assert "revoked" in changes
    (tmp_path / "tl.json").write_text(document.replace('"retired"', '"active"', 1))
    refused = CliRunner().invoke(
        cli,
        [
            "trust",
            "list",
            "verify",
            str(tmp_path / "tl.json"),
            "--root-key",
            str(tmp_path / "root.jwk"),
        ],
    )
    assert refused.exit_code != 0
    assert "signature" in str(refused.exception)


def test_errors_are_platform_errors(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["trust", "cert", "revoke", "0" * 64])
    assert isinstance(result.exception, NotFoundError)
    assert result.exception.message_zh
