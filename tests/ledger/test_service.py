"""Ledger use cases: appends, signed heads, proofs, concurrency, durability, a slow signer."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock, utc_now
from dyrd.core.db import make_session_factory
from dyrd.ledger import service
from dyrd.ledger.adapters.local_keys import Ed25519Signer
from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.entries import GENESIS_PREV, decode_entry
from dyrd.ledger.compute.signatures import head_signature_valid, public_key
from dyrd.ledger.errors import EntryNotFound, EntryRejected, TreeSizeOutOfRange
from dyrd.ledger.models import LedgerEntry
from dyrd.ledger.repository import LedgerRepository
from tests.fakes import GatedSigner
from tests.ledger.conftest import ACTOR, append_many, sqlite_file_engine


def _leaves(session: Session) -> list[bytes]:
    return [bytes(e.leaf_hash) for e in LedgerRepository(session).entries(0, 10**6)]


def test_appends_number_chain_and_hash_entries(session: Session, clock: Clock) -> None:
    receipts = append_many(session, 10, clock)
    assert [r.seq for r in receipts] == list(range(10))
    rows = LedgerRepository(session).entries(0, 10)
    prev = GENESIS_PREV
    for receipt, row in zip(receipts, rows, strict=True):
        entry = decode_entry(bytes(row.entry))
        assert entry.seq == row.seq == receipt.seq
        assert entry.prev == bytes(row.prev_hash) == receipt.prev_hash == prev
        assert merkle.leaf_hash(bytes(row.entry)) == bytes(row.leaf_hash) == receipt.leaf_hash
        assert row.kind == "exchange.request"
        assert (row.actor_user, row.actor_member) == (ACTOR.user, ACTOR.member)
        prev = receipt.leaf_hash
    state = LedgerRepository(session).state()
    assert state.size == 10
    assert state.last_hash == receipts[-1].leaf_hash
    assert merkle.Frontier.from_bytes(10, state.frontier).root() == merkle.root_of(
        [r.leaf_hash for r in receipts]
    )


def test_a_batch_append_is_the_same_log_as_appending_one_by_one(
    session: Session, clock: Clock
) -> None:
    one = append_many(session, 3, clock)
    at = clock()
    batch = service.append_many(
        session,
        [
            service.NewEntry(
                kind="exchange.request", subject=f"b{i}", actor=ACTOR, payload={"i": i}
            )
            for i in range(5)
        ]
        + [service.NewEntry(kind="exchange.grant", subject="b5", actor=ACTOR, payload={}, at=at)],
        clock=clock,
    )
    assert service.append_many(session, [], clock=clock) == []
    receipts = one + batch
    assert [r.seq for r in receipts] == list(range(9))
    assert [r.prev_hash for r in receipts[1:]] == [r.leaf_hash for r in receipts[:-1]]
    assert _leaves(session) == [r.leaf_hash for r in receipts]
    assert batch[-1].timestamp == at
    state = LedgerRepository(session).state()
    assert (state.size, state.last_hash) == (9, receipts[-1].leaf_hash)
    leaves = _leaves(session)
    root = merkle.root_of(leaves)
    assert merkle.Frontier.from_bytes(9, state.frontier).root() == root
    # Every interior node the batch completed was stored: proofs into the batch verify.
    for seq in range(9):
        proof = service.inclusion_proof(session, seq=seq, tree_size=9)
        path = [bytes.fromhex(h) for h in proof.path]
        assert merkle.verify_inclusion(leaves[seq], seq, 9, path, root)


def test_a_rejected_entry_rejects_the_whole_batch(session: Session, clock: Clock) -> None:
    append_many(session, 2, clock)
    with pytest.raises(EntryRejected):
        service.append_many(
            session,
            [
                service.NewEntry(kind="exchange.request", subject="ok", actor=ACTOR, payload={}),
                service.NewEntry(kind="exchange.request", subject="", actor=ACTOR, payload={}),
            ],
            clock=clock,
        )
    assert LedgerRepository(session).state().size == 2


def test_append_flushes_but_leaves_the_commit_to_the_caller(session: Session, clock: Clock) -> None:
    append_many(session, 2, clock)
    service.append(
        session, kind="grant.decision", subject="g1", actor=ACTOR, payload={}, clock=clock
    )
    assert session.get(LedgerEntry, 2) is not None  # flushed, visible in the transaction
    session.rollback()  # the caller gives up: the entry was never acknowledged
    assert service.log_size(session) == 2
    receipt = service.append(
        session, kind="grant.decision", subject="g2", actor=ACTOR, payload={}, clock=clock
    )
    assert receipt.seq == 2  # no gap


def test_invalid_entries_are_rejected_and_leave_the_log_unchanged(
    session: Session, clock: Clock
) -> None:
    append_many(session, 1, clock)
    with pytest.raises(EntryRejected, match="dotted lower-case") as info:
        service.append(session, kind="Bad", subject="s", actor=ACTOR, payload={}, clock=clock)
    assert info.value.errors
    assert info.value.message_zh
    with pytest.raises(EntryRejected, match="SHA-256"):
        service.append(
            session,
            kind="exchange.response",
            subject="s",
            actor=ACTOR,
            payload={"body": "x" * 70_000},
            clock=clock,
        )
    assert service.log_size(session) == 1


def test_heads_are_signed_only_when_entries_wait(
    session: Session, clock: Clock, signer: Ed25519Signer
) -> None:
    assert service.sign_pending_head(session, signer=signer, clock=clock) is None
    receipts = append_many(session, 3, clock)
    head = service.sign_pending_head(session, signer=signer, clock=clock)
    assert head is not None
    assert head.size == 3
    assert head.root_hash == merkle.root_of([r.leaf_hash for r in receipts])
    assert head.key_id == signer.key_id
    assert head_signature_valid(head, public_key(signer.public_key))
    assert service.sign_pending_head(session, signer=signer, clock=clock) is None
    append_many(session, 2, clock, start=3)
    later = service.sign_pending_head(session, signer=signer, clock=clock)
    assert later is not None
    assert later.size == 5
    assert service.latest_head(session) == later
    assert [k.key_id for k in service.public_keys(session)] == [signer.key_id]


def test_a_signer_whose_signature_does_not_verify_is_refused(
    session: Session, clock: Clock, signer: Ed25519Signer
) -> None:
    class Broken:
        key_id = signer.key_id
        algorithm = signer.algorithm
        public_key = signer.public_key

        def sign(self, data: bytes) -> bytes:
            return signer.sign(data + b"!")

    append_many(session, 1, clock)
    with pytest.raises(Exception, match="does not verify"):
        service.sign_pending_head(session, signer=Broken(), clock=clock)
    assert service.latest_head(session) is None


def test_signing_reads_a_bounded_number_of_rows_whatever_the_backlog(
    session: Session, connection: Connection, clock: Clock, signer: Ed25519Signer
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def statements_for_signing(backlog: int) -> int:
        append_many(session, backlog, clock, start=service.log_size(session))
        statements.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            assert service.sign_pending_head(session, signer=signer, clock=clock) is not None
        finally:
            event.remove(connection, "before_cursor_execute", count)
        assert not any("ledger_entry" in s for s in statements), statements
        return len(statements)

    # X-Road's proxy ran out of memory signing a large backlog; here the root comes from the
    # frontier, so the work is the same for 3 entries and for 300.
    statements_for_signing(1)  # the first head also records the key
    assert statements_for_signing(3) == statements_for_signing(300)


def test_service_proofs_verify_for_every_size(
    session: Session, clock: Clock, signer: Ed25519Signer
) -> None:
    append_many(session, 21, clock)
    leaves = _leaves(session)
    for size in range(1, 22):
        root = merkle.root_of(leaves[:size])
        for seq in range(size):
            proof = service.inclusion_proof(session, seq=seq, tree_size=size)
            assert proof.root_hash == root.hex()
            assert merkle.verify_inclusion(
                leaves[seq], seq, size, [bytes.fromhex(h) for h in proof.path], root
            )
    for second in range(22):
        for first in range(second + 1):
            c = service.consistency_proof(session, first=first, second=second)
            assert merkle.verify_consistency(
                first,
                second,
                bytes.fromhex(c.first_root),
                bytes.fromhex(c.second_root),
                [bytes.fromhex(h) for h in c.path],
            )
    # defaults: the newest signed head
    service.sign_pending_head(session, signer=signer, clock=clock)
    append_many(session, 2, clock, start=21)
    proof = service.inclusion_proof(session, seq=3)
    assert proof.tree_size == 21
    assert proof.head is not None
    assert proof.head.root_hash == proof.root_hash
    assert service.consistency_proof(session, first=5).second == 21


def test_out_of_range_requests_say_what_the_log_holds(session: Session, clock: Clock) -> None:
    append_many(session, 4, clock)
    with pytest.raises(EntryNotFound, match="holds 4 entries") as missing:
        service.inclusion_proof(session, seq=4, tree_size=4)
    assert "4" in missing.value.message_zh
    with pytest.raises(TreeSizeOutOfRange, match="beyond the log"):
        service.inclusion_proof(session, seq=1, tree_size=5)
    with pytest.raises(TreeSizeOutOfRange, match="not in the tree"):
        service.inclusion_proof(session, seq=3, tree_size=3)
    with pytest.raises(TreeSizeOutOfRange, match="larger than second"):
        service.consistency_proof(session, first=3, second=2)
    with pytest.raises(TreeSizeOutOfRange, match="beyond the log"):
        service.consistency_proof(session, first=1, second=9)
    with pytest.raises(EntryNotFound):
        service.get_entry(session, 4)


def test_export_then_audit_round_trips(
    session: Session, clock: Clock, signer: Ed25519Signer
) -> None:
    append_many(session, 5, clock)
    service.sign_pending_head(session, signer=signer, clock=clock)
    append_many(session, 4, clock, start=5)
    other = Ed25519Signer.generate()  # a key rotation: both keys are exported
    service.sign_pending_head(session, signer=other, clock=clock)
    append_many(session, 1, clock, start=9)
    out = io.StringIO()
    summary = service.export_log(session, out, clock=clock)
    assert (summary.entries, summary.heads, summary.keys) == (10, 2, 2)
    report = service.audit_export(out.getvalue().splitlines(keepends=True))
    assert report.valid, report.problem
    assert (report.entries, report.heads) == (10, 2)
    assert report.last_head is not None
    assert report.last_head.size == 9
    assert any("1 entries after the last signed head" in w for w in report.warnings)


def test_concurrent_appends_produce_a_gap_free_sequence(committing_engine: Engine) -> None:
    factory = make_session_factory(committing_engine)
    threads, per_thread = 3, 40
    barrier = threading.Barrier(threads)
    seen: dict[int, list[int]] = {t: [] for t in range(threads)}
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            barrier.wait(10)
            for i in range(per_thread):
                with factory() as session:
                    receipt = service.append(
                        session,
                        kind="exchange.request",
                        subject=f"thread-{t}",
                        actor=Actor(user=f"u{t}", member="CN-YRD"),
                        payload={"t": t, "i": i},
                        clock=utc_now,
                    )
                    session.commit()
                seen[t].append(receipt.seq)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(120)
    assert not errors, errors
    all_seqs = sorted(s for seqs in seen.values() for s in seqs)
    assert all_seqs == list(range(threads * per_thread))
    for seqs in seen.values():
        assert seqs == sorted(seqs)  # each writer's entries keep its order
    with factory() as session:
        assert (
            service.sign_pending_head(session, signer=Ed25519Signer.generate(), clock=utc_now)
            is not None
        )
        out = io.StringIO()
        service.export_log(session, out, clock=utc_now)
    report = service.audit_export(out.getvalue().splitlines(keepends=True))
    assert report.valid, report.problem
    assert report.entries == threads * per_thread


def test_appends_do_not_wait_for_a_slow_signer(committing_engine: Engine) -> None:
    factory = make_session_factory(committing_engine)
    with factory() as session:
        append_many(session, 5, utc_now)
    gate = GatedSigner(Ed25519Signer.generate())
    checkpointer = service.Checkpointer(
        session_factory=factory, signer=gate, clock=utc_now, interval=3600, batch=1
    )
    signing = threading.Thread(target=checkpointer.run_once)
    signing.start()
    try:
        assert gate.entered.wait(10), "the signer was never called"
        appended = threading.Event()

        def append_while_signing() -> None:
            with factory() as session:
                append_many(session, 50, utc_now, start=5)
            appended.set()

        writer = threading.Thread(target=append_while_signing)
        writer.start()
        writer.join(60)  # a liveness bound, not a benchmark: it hangs if appends wait
        assert appended.is_set(), "appends waited for the blocked signer"
        assert signing.is_alive()  # the signer is still blocked, yet every append committed
        with factory() as session:
            assert service.log_size(session) == 55
            assert service.latest_head(session) is None
    finally:
        gate.release()
        signing.join(30)
    with factory() as session:
        head = service.latest_head(session)
    assert head is not None
    assert head.size == 5  # the state it read before signing
    assert checkpointer.pending() == 50
    assert checkpointer.run_once() is not None
    assert checkpointer.pending() == 0


def test_checkpointer_thread_signs_in_the_background_and_survives_errors(
    tmp_path: Path, signer: Ed25519Signer
) -> None:
    engine = sqlite_file_engine(str(tmp_path / "ledger.db"))
    factory = make_session_factory(engine)
    failures = [RuntimeError("HSM offline")]

    class Flaky:
        key_id = signer.key_id
        algorithm = signer.algorithm
        public_key = signer.public_key

        def sign(self, data: bytes) -> bytes:
            if failures:
                raise failures.pop()
            return signer.sign(data)

    checkpointer = service.Checkpointer(
        session_factory=factory, signer=Flaky(), clock=utc_now, interval=0.05, poll=0.02
    )
    with factory() as session:
        append_many(session, 3, utc_now)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 20
        while checkpointer.pending() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        assert checkpointer.stop()
    assert not failures  # the first attempt failed, a later poll succeeded
    assert checkpointer.pending() == 0
    assert checkpointer.last_error is None
    engine.dispose()


@pytest.mark.parametrize(
    ("waiting", "elapsed", "due"),
    [(0, 99.0, False), (1, 0.0, False), (1, 10.0, True), (1000, 0.0, True), (999, 9.9, False)],
)
def test_checkpointer_signs_after_interval_or_batch(
    waiting: int, elapsed: float, due: bool, signer: Ed25519Signer
) -> None:
    checkpointer = service.Checkpointer(
        session_factory=lambda: None,  # type: ignore[arg-type,return-value]  # never called
        signer=signer,
        clock=utc_now,
        interval=10.0,
        batch=1000,
    )
    assert checkpointer.should_sign(waiting, elapsed) is due


CRASHER = """
import os, sys
from sqlalchemy.orm import Session
from dyrd.core.actor import Actor
from dyrd.core.clock import utc_now
from dyrd.core.db import create_db_engine
from dyrd.ledger import service

session = Session(create_db_engine(sys.argv[1]))
for note in ("acknowledged", "in flight"):
    receipt = service.append(session, kind="exchange.request", subject="s",
                             actor=Actor("u", "CN-YRD"), payload={"note": note}, clock=utc_now)
    if note == "acknowledged":
        session.commit()
    print(receipt.seq, flush=True)
os._exit(9)  # die mid-transaction without closing anything, as a killed process would
"""


def test_a_crash_loses_no_acknowledged_entry(tmp_path: Path) -> None:
    engine = sqlite_file_engine(str(tmp_path / "ledger.db"))
    proc = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", CRASHER, str(engine.url)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
        timeout=120,
    )
    assert proc.returncode == 9, proc.stderr
    assert proc.stdout.split() == ["0", "1"]
    with Session(engine) as session:
        rows = LedgerRepository(session).entries(0, 10)
        assert [decode_entry(bytes(r.entry)).payload["note"] for r in rows] == ["acknowledged"]
        receipt = append_many(session, 1, utc_now)[0]
        assert receipt.seq == 1  # the lost, unacknowledged entry left no gap
        assert receipt.prev_hash == bytes(rows[0].leaf_hash)
    engine.dispose()


def test_sqlite_appends_outlast_a_writer_holding_the_lock_past_busy_timeout(
    tmp_path: Path,
) -> None:
    engine = sqlite_file_engine(str(tmp_path / "ledger.db"))
    engine.dispose()

    def short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    event.listen(engine, "connect", short_busy_timeout)  # after the 5 s one of create_db_engine
    factory = make_session_factory(engine)
    holding, done = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with factory() as other:
            other.execute(text("UPDATE ledger_state SET size = size"))
            holding.set()
            time.sleep(0.2)  # longer than one busy_timeout, shorter than the retries
            other.commit()
        done.set()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    assert holding.wait(10)
    with factory() as session:
        receipt = append_many(session, 1, utc_now)[0]
    holder.join(10)
    assert done.is_set()
    assert receipt.seq == 0
    engine.dispose()
