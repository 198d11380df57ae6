"""`dyrd market contract|tender|auction ...` on the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState
from dyrd.market import trade_cli
from dyrd.market.compute import sealed_bid as sb
from dyrd.market.models import Contract
from tests.fakes import InMemoryKeyStore
from tests.market.conftest import SH, ZJ, MovableClock

runner = CliRunner()


@pytest.fixture
def cli(connection: Connection, moving: MovableClock, keystore: InMemoryKeyStore) -> typer.Typer:
    """The market command group with the contract, tender and auction commands."""
    app = typer.Typer()
    trade_cli.register(app, keystore=lambda: keystore)
    return app


@pytest.fixture
def obj(connection: Connection, moving: MovableClock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=moving)


def test_contract_upload_sign_verify_and_tamper(
    cli: typer.Typer, obj: CliState, session: Session, tmp_path: Path
) -> None:
    doc = tmp_path / "c.txt"
    doc.write_text("合同 contract", encoding="utf-8")
    out = runner.invoke(
        cli,
        ["contract", "upload", str(doc), "--title", "T", "--party", SH, "--party", ZJ, "--json"],
        obj=obj,
    )
    assert out.exit_code == 0, out.output
    cid = json.loads(out.output)["id"]
    for party in (SH, ZJ):
        signed = runner.invoke(cli, ["contract", "sign", cid, "--party", party], obj=obj)
        assert signed.exit_code == 0, signed.output
        assert "ledger #" in signed.output
    ok = runner.invoke(cli, ["contract", "verify", cid], obj=obj)
    assert ok.exit_code == 0, ok.output
    assert "VALID 有效" in ok.output
    copy = tmp_path / "copy.txt"
    copy.write_text("合同 contract!", encoding="utf-8")
    bad = runner.invoke(cli, ["contract", "verify", cid, "--copy", str(copy)], obj=obj)
    assert bad.exit_code == 1
    assert "INVALID 无效" in bad.output
    session.execute(update(Contract).where(Contract.id == cid).values(document=b"x"))
    as_json = runner.invoke(cli, ["contract", "verify", cid, "--format", "json"], obj=obj)
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["valid"] is False


def test_seal_prints_a_commitment_that_opens_with_its_salt(cli: typer.Typer, obj: CliState) -> None:
    out = runner.invoke(cli, ["tender", "seal", "T1", "--bidder", "B", "--price", "12.30"], obj=obj)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    from decimal import Decimal

    assert sb.reveal_matches(
        data["commitment"], "T1", "B", Decimal("12.30"), bytes.fromhex(data["salt"])
    )
    bad = runner.invoke(cli, ["tender", "seal", "T1", "--bidder", "B", "--price", "1.234"], obj=obj)
    assert bad.exit_code != 0


def test_tender_publish_and_list(cli: typer.Typer, obj: CliState, moving: MovableClock) -> None:
    deadline = (moving.now.replace(microsecond=0)).isoformat()
    short = runner.invoke(
        cli, ["tender", "publish", "--title", "t", "--buyer", SH, "--deadline", deadline], obj=obj
    )
    assert short.exit_code != 0
    listed = runner.invoke(cli, ["tender", "list", "--json"], obj=obj)
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == []
