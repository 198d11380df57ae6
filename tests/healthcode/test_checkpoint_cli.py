"""`dyrd healthcode checkpoint`: text or image, --jurisdiction, --at, --json, exit codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState
from dyrd.credential.compute import qr
from dyrd.credential.service.revocation import local_snapshot
from dyrd.healthcode import service
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.checkpoint_cli import EXIT_REFUSED, build_checkpoint, jurisdiction_code
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.trust.adapters.local_trust_list import LocalTrustList
from tests.conftest import fixed_clock
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import ZJ_STEWARD, id_number
from tests.healthcode.test_checkpoint_testcert import AT, signed_test

runner = CliRunner()


@pytest.fixture
def cli(connection: Connection, keystore: InMemoryKeyStore) -> typer.Typer:
    """`checkpoint` under a root that hands out sessions on the test transaction."""
    root = typer.Typer()

    @root.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(
            session_factory=lambda: Session(
                bind=connection, join_transaction_mode="create_savepoint"
            ),
            clock=fixed_clock,
        )

    root.command("checkpoint")(
        build_checkpoint(
            keystore=lambda: keystore,
            verifier=HcertCodec,
            trust_list=lambda sessions: LocalTrustList(sessions, clock=fixed_clock),
            revocation=lambda: local_snapshot,
        )
    )
    root.command("noop")(lambda: None)  # a group, so `checkpoint` is a subcommand
    return root


@pytest.fixture
def code(session: Session, keystore: InMemoryKeyStore) -> str:
    """A Zhejiang green code."""
    resident = service.register_resident(
        session,
        ResidentCreate(
            id_number=id_number("33010619850101001"), initials="ZS", jurisdiction="330000"
        ),
        principal=ZJ_STEWARD,
        clock=fixed_clock,
        secret=lambda: b"cli-secret" * 4,
    )
    return service.issue_code(
        session, resident.id, principal=ZJ_STEWARD, clock=fixed_clock, keystore=keystore,
        codec=HcertCodec(),
    ).text  # fmt: skip


def test_text_json_and_table(cli: typer.Typer, code: str) -> None:
    result = runner.invoke(cli, ["checkpoint", code, "--jurisdiction", "SH", "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["accepted"] is True
    assert verdict["reason_zh"] == "接受：浙江绿码 (policy SH-ACC-001 v2)"
    assert list(verdict["steps"])[-2:] == ["revocation", "policy"]
    table = runner.invoke(cli, ["checkpoint", code, "--jurisdiction", "310000"])
    assert table.exit_code == 0, table.output
    assert "通行 ACCEPTED" in table.stdout
    assert "policy" in table.stdout


def test_image_file_refusals_and_bad_input(cli: typer.Typer, code: str, tmp_path: Path) -> None:
    png = tmp_path / "code.png"
    png.write_bytes(qr.render_qr(code, "png"))
    result = runner.invoke(cli, ["checkpoint", str(png), "--jurisdiction", "JS", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["policy_id"] == "JS-ACC-001"
    # A day and a half later the 24-hour code has expired: refused, exit 11.
    late = runner.invoke(
        cli, ["checkpoint", code, "--jurisdiction", "SH", "--at", "2026-11-27T20:00:00Z"]
    )
    assert late.exit_code == EXIT_REFUSED
    assert "拒绝 REFUSED" in late.stdout
    garbage = runner.invoke(cli, ["checkpoint", "garbage", "--jurisdiction", "SH", "--json"])
    assert garbage.exit_code == EXIT_REFUSED
    assert json.loads(garbage.stdout)["steps"]["prefix"] is False
    bad = runner.invoke(cli, ["checkpoint", code, "--jurisdiction", "XX"])
    assert bad.exit_code != 0
    assert jurisdiction_code("zj") == "330000"


def test_a_test_certificate_as_text_or_image(
    cli: typer.Typer, code: str, session: Session, keystore: InMemoryKeyStore, tmp_path: Path
) -> None:
    shown = signed_test(session, keystore, fixed_clock, sampled=AT - timedelta(hours=5))
    png = tmp_path / "test.png"
    png.write_bytes(qr.render_qr(shown, "png"))
    for given in (shown, str(png)):
        result = runner.invoke(
            cli, ["checkpoint", code, "--jurisdiction", "SH", "--test", given, "--json"]
        )
        assert result.exit_code == 0, result.output
        test = json.loads(result.stdout)["test_certificate"]
        assert (test["valid"], test["used"]) == (True, True)
        assert test["negative_at"] == "2026-11-26T03:00:00Z"
