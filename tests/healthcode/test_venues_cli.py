"""`dyrd healthcode venue ...` commands on the test database: register, code, scan, trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState
from dyrd.core.clock import Clock
from dyrd.healthcode import service
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.healthcode.tracing_cli import build_app
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import REGION_STEWARD, id_number

runner = CliRunner()


def _no_gateway() -> object:
    raise AssertionError("a local trace needs no gateway")


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_register_code_scan_and_trace(
    obj: CliState, session: Session, clock: Clock, keystore: InMemoryKeyStore, tmp_path: Path
) -> None:
    app = build_app(
        keystore=lambda: keystore,
        codec=HcertCodec,
        gateway=_no_gateway,  # type: ignore[arg-type]  # never called: no --remote
        lookup_app=lambda j: None,
    )

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), obj=obj)
        assert result.exit_code == 0, result.output
        return result.output

    rids = [
        service.register_resident(
            session,
            ResidentCreate(id_number=id_number(n), initials="ZS", jurisdiction="330000"),
            principal=REGION_STEWARD,
            clock=clock,
            secret=lambda: b"test-secret-" * 3,
        ).id
        for n in ("33010619850101001", "33010219900303003")
    ]
    venue = json.loads(
        run("register", "330000", "--name", "西湖文化广场", "--city", "330100", "--json")
    )
    listed = json.loads(run("list", "--jurisdiction", "330000", "--json"))
    assert [v["id"] for v in listed] == [venue["id"]]
    png = tmp_path / "venue.png"
    text = run("code", venue["id"], "--png", str(png)).strip()
    assert text.startswith("YRDV1:")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for rid, at in zip(
        rids, ("2026-11-25T10:00:00+08:00", "2026-11-25T10:30:00+08:00"), strict=True
    ):
        run("scan", text, "--resident", rid, "--home", "330000", "--entered", at)
    out = json.loads(run("trace", rids[0], "--json"))
    assert (out["local_co_visitors"], out["flagged_here"]) == (1, 1)
    bad = runner.invoke(app, ["register", "330000", "--name", "x", "--city", "310000"], obj=obj)
    assert isinstance(bad.exception, HealthInputInvalid)  # the root CLI prints it, bilingual
    assert bad.exception.errors[0].message_zh == "各省市只能登记本辖区的场所。"
