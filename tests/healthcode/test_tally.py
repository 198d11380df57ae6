"""Checkpoint verification counts reach the ledger in batches: every N, on a timer, on stop;
a failed flush keeps its counts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.healthcode.checkpoint_schemas import (
    CHECKPOINT_STEPS,
    CheckpointVerdictRead,
    TrustListState,
)
from dyrd.healthcode.service.tally import CHECKPOINT_VERIFIED, VerificationTally
from dyrd.healthcode.types import Colour
from dyrd.ledger.models import LedgerEntry

SH_OFFICER = Actor(user="sh.officer", member="CN-YRD/GOV/310000")
AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def verdict(
    *, accepted: bool, issuer: str | None, failed: str | None = None
) -> CheckpointVerdictRead:
    steps: dict[str, bool | None] = dict.fromkeys(CHECKPOINT_STEPS, True)
    if failed is not None:
        steps[failed] = False
    return CheckpointVerdictRead(
        accepted=accepted, valid=failed in (None, "policy"), steps=steps,
        reason="r", reason_zh="r", checkpoint_jurisdiction="310000", at=AT,
        trust_list=TrustListState(state="valid", version=1, expires_at=None),
        revocation_checked=True, logged=False, issuing_jurisdiction=issuer,
        colour=Colour.GREEN if issuer else None,
        policy_id="SH-ACC-001" if issuer else None, policy_version=2 if issuer else None,
    )  # fmt: skip


def counts(session: Session) -> list[dict[str, object]]:
    rows = session.scalars(
        select(LedgerEntry.entry)
        .where(LedgerEntry.kind == CHECKPOINT_VERIFIED)
        .order_by(LedgerEntry.seq)
    )
    return [json.loads(bytes(r))["payload"] for r in rows]


@pytest.fixture
def sessions(connection: Connection) -> Callable[[], Session]:
    """Sessions joining the test transaction (as the app's are in tests)."""
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint")


def test_every_n_in_the_callers_session_and_the_rest_on_stop(
    session: Session, sessions: Callable[[], Session], clock: Clock
) -> None:
    tally = VerificationTally(sessions=sessions, clock=clock, every=3)
    assert not tally.add(verdict(accepted=True, issuer="330000"), actor=SH_OFFICER)
    assert not tally.add(verdict(accepted=False, issuer=None, failed="base45"), actor=SH_OFFICER)
    assert tally.add(verdict(accepted=False, issuer="330000", failed="policy"), actor=SH_OFFICER)
    assert tally.flush(session) == 3
    assert tally.pending == 0
    tally.add(verdict(accepted=True, issuer="320000"), actor=SH_OFFICER)
    tally.stop()  # shutdown flushes what is pending
    first, second = counts(session)
    assert (first["verified"], first["accepted"], first["refused"]) == (3, 1, 2)
    assert first["by_issuer"] == {
        "330000": {"verified": 2, "accepted": 1, "refused": 1},
        "unknown": {"verified": 1, "accepted": 0, "refused": 1},
    }
    assert first["failed_steps"] == {"base45": 1, "policy": 1}
    assert first["policies"] == {"SH-ACC-001 v2": 2}
    assert second["verified"] == 1
    assert second["by_issuer"] == {"320000": {"verified": 1, "accepted": 1, "refused": 0}}
    assert tally.flush(session) == 0  # nothing pending: nothing appended


def test_the_timer_flushes_a_quiet_checkpoint(
    session: Session, sessions: Callable[[], Session], clock: Clock
) -> None:
    tally = VerificationTally(sessions=sessions, clock=clock, every=1000, interval=0.05)
    tally.start()
    try:
        tally.add(verdict(accepted=True, issuer="330000"), actor=SH_OFFICER)
        deadline = time.monotonic() + 10
        while tally.pending and time.monotonic() < deadline:
            time.sleep(0.02)
        assert tally.pending == 0
    finally:
        tally.stop()
    assert [c["verified"] for c in counts(session)] == [1]


def test_a_failed_flush_keeps_its_counts(session: Session, clock: Clock, tmp_path: Path) -> None:
    broken = create_engine(f"sqlite:///{tmp_path}/missing/dir/ledger.db")
    tally = VerificationTally(sessions=lambda: Session(broken), clock=clock)
    for _ in range(4):
        tally.add(verdict(accepted=True, issuer="330000"), actor=SH_OFFICER)
    with pytest.raises(OperationalError):
        tally.flush()
    assert tally.pending == 4
    tally.add(verdict(accepted=False, issuer="340000", failed="expiry"), actor=SH_OFFICER)
    assert tally.flush(session) == 5
    (entry,) = counts(session)
    assert (entry["verified"], entry["accepted"]) == (5, 4)
    assert entry["failed_steps"] == {"expiry": 1}
