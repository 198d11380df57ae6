"""Appending entries: the one write path, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.entries import GENESIS_PREV, EntryError, LogEntry, make_entry
from dyrd.ledger.errors import EntryRejected
from dyrd.ledger.repository import LedgerRepository
from dyrd.ledger.types import AppendReceipt

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _rejected(exc: EntryError) -> EntryRejected:
    return EntryRejected(
        f"The ledger entry was rejected: {exc}",
        "账本条目被拒绝。",
        hint="Fix the entry: kind like 'exchange.request', a non-empty subject, a JSON payload "
        "of at most 64 KiB (log a SHA-256 of large bodies).",
        errors=[FieldError(location="entry", message=str(exc))],
    )


def _entry(
    *,
    seq: int,
    at: datetime,
    actor: Actor,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    prev: bytes,
) -> tuple[LogEntry, bytes]:
    try:
        entry = make_entry(
            seq=seq,
            at=at,
            actor_user=actor.user,
            actor_member=actor.member,
            kind=str(kind),
            subject=subject,
            payload=payload,
            prev=prev,
        )
        return entry, entry.encode()
    except EntryError as exc:
        raise _rejected(exc) from exc


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One entry for :func:`append_many`."""

    kind: str
    subject: str
    actor: Actor
    payload: Mapping[str, Any]
    at: datetime | None = None
    """When it happened; None: the clock, read under the appenders' lock."""


def append(
    session: Session,
    *,
    kind: str,
    subject: str,
    actor: Actor,
    payload: Mapping[str, Any],
    clock: Clock,
) -> AppendReceipt:
    """Append one entry inside the caller's transaction and flush; the caller commits.

    The entry is acknowledged only when that commit succeeds (a crash before it loses only
    unacknowledged entries). Appenders are serialised from this call until the caller's
    transaction ends, so append late in a transaction and commit soon. Never waits for
    signing: tree heads are signed by :func:`sign_pending_head`, off this path.
    """
    entry = NewEntry(kind=kind, subject=subject, actor=actor, payload=payload)
    return append_many(session, [entry], clock=clock)[0]


def append_many(
    session: Session, entries: Sequence[NewEntry], *, clock: Clock
) -> list[AppendReceipt]:
    """Append ``entries`` in order, like :func:`append` each, taking the appenders' lock once.

    One lock, one state read and write, and one multi-row insert for the whole batch (a group
    commit's worth of entries), inside the caller's transaction: all are acknowledged by its
    commit, or none. An entry the ledger rejects rejects the batch.
    """
    # Check the envelopes before taking the appenders' lock; each payload is encoded only once,
    # under the lock (an error there ends the caller's transaction, and the lock with it).
    for new in entries:
        _entry(
            seq=0,
            at=_EPOCH,
            actor=new.actor,
            kind=new.kind,
            subject=new.subject,
            payload={},
            prev=GENESIS_PREV,
        )
    if not entries:
        return []
    repo = LedgerRepository(session)
    state = repo.lock_state()
    now = clock()  # read under the lock: timestamps follow sequence numbers on one clock
    frontier = merkle.Frontier.from_bytes(state.size, state.frontier)
    prev = state.last_hash
    rows: list[dict[str, Any]] = []
    nodes: list[tuple[merkle.NodeId, bytes]] = []
    receipts: list[AppendReceipt] = []
    for new in entries:
        at = new.at if new.at is not None else now
        entry, data = _entry(
            seq=frontier.size,
            at=at,
            actor=new.actor,
            kind=new.kind,
            subject=new.subject,
            payload=new.payload,
            prev=prev,
        )
        leaf = merkle.leaf_hash(data)
        frontier, created = frontier.append(leaf)
        nodes += created
        rows.append(
            {
                "seq": entry.seq,
                "leaf_hash": leaf,
                "prev_hash": prev,
                "entry": data,
                "kind": entry.kind,
                "subject": entry.subject,
                "actor_user": entry.actor_user,
                "actor_member": entry.actor_member,
                "created_at": at,
            }
        )
        receipts.append(AppendReceipt(seq=entry.seq, leaf_hash=leaf, prev_hash=prev, timestamp=at))
        prev = leaf
    repo.add_entries(rows, nodes)
    repo.save_state(size=frontier.size, last_hash=prev, frontier=frontier.to_bytes())
    return receipts
