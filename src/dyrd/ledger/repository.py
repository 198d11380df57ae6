"""The only module of the ledger domain that builds queries; flushes, never commits."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, or_, select, tuple_, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dyrd.core.errors import ConfigurationError
from dyrd.ledger.compute.merkle import NodeId
from dyrd.ledger.models import LedgerEntry, LedgerKey, LedgerNode, LedgerState, LedgerTreeHead

_STATE_ID = 1
_SQLITE_LOCK_ATTEMPTS = 6  # each waits busy_timeout (5 s): an append gives up after ~30 s
# Core tables for the append path: plain INSERT/UPDATE statements, no ORM unit of work.
_STATE_TABLE = cast(Table, LedgerState.__table__)
_ENTRY_TABLE = cast(Table, LedgerEntry.__table__)
_NODE_TABLE = cast(Table, LedgerNode.__table__)
_CHUNK = 500  # bound-parameter limits of SQLite and PostgreSQL


@dataclass(frozen=True, slots=True)
class StateRow:
    """The log's size, last leaf hash and serialized frontier."""

    size: int
    last_hash: bytes
    frontier: bytes


def _missing_state() -> ConfigurationError:
    return ConfigurationError(
        "The ledger tables are not initialised.",
        "账本数据表尚未初始化。",
        hint="Run `dyrd db upgrade`.",
    )


class LedgerRepository:
    """Reads and writes ledger tables on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- state -----------------------------------------------------------------------------

    def state(self) -> StateRow:
        """The committed state, without locking."""
        stmt = select(LedgerState.size, LedgerState.last_hash, LedgerState.frontier).where(
            LedgerState.id == _STATE_ID
        )
        row = self.session.execute(stmt).one_or_none()
        if row is None:
            raise _missing_state()
        return StateRow(size=row.size, last_hash=bytes(row.last_hash), frontier=bytes(row.frontier))

    def lock_state(self) -> StateRow:
        """Read the state, holding the appenders' lock until the transaction ends.

        A no-op UPDATE ... RETURNING takes the lock and reads in one statement. PostgreSQL:
        a row lock, so a second appender waits, then reads the state the first committed.
        SQLite: the database write lock, taken before reading, so a concurrent appender waits
        in its busy handler instead of reading a state that is about to change. That handler
        is not fair: under load one writer can sleep through its whole busy_timeout while
        others take turns, so a "database is locked" here is retried a few times.
        """
        table = _STATE_TABLE
        stmt = (
            update(table)
            .where(table.c.id == _STATE_ID)
            .values(size=table.c.size)
            .returning(table.c.size, table.c.last_hash, table.c.frontier)
        )
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        for attempt in range(_SQLITE_LOCK_ATTEMPTS):
            try:
                row = self.session.execute(stmt).one_or_none()
                break
            except OperationalError as exc:
                locked = sqlite and "database is locked" in str(exc.orig)
                if not locked or attempt == _SQLITE_LOCK_ATTEMPTS - 1:
                    raise
        if row is None:
            raise _missing_state()
        return StateRow(size=row.size, last_hash=bytes(row.last_hash), frontier=bytes(row.frontier))

    def save_state(self, *, size: int, last_hash: bytes, frontier: bytes) -> None:
        table = _STATE_TABLE
        self.session.execute(
            update(table)
            .where(table.c.id == _STATE_ID)
            .values(size=size, last_hash=last_hash, frontier=frontier)
        )

    # --- entries and nodes -----------------------------------------------------------------

    def add_entries(
        self, values: Sequence[dict[str, Any]], nodes: Iterable[tuple[NodeId, bytes]]
    ) -> None:
        """Insert entry rows and the subtree hashes they completed (one executemany each)."""
        self.session.execute(insert(_ENTRY_TABLE), list(values))
        rows = [{"level": level, "idx": idx, "hash": digest} for (level, idx), digest in nodes]
        if rows:
            self.session.execute(insert(_NODE_TABLE), rows)

    def entry(self, seq: int) -> LedgerEntry | None:
        return self.session.get(LedgerEntry, seq)

    def entries(self, start: int, end: int) -> list[LedgerEntry]:
        """Entries with ``start <= seq < end`` in order."""
        stmt = (
            select(LedgerEntry)
            .where(LedgerEntry.seq >= start, LedgerEntry.seq < end)
            .order_by(LedgerEntry.seq)
        )
        return list(self.session.scalars(stmt))

    def matching_entries(
        self,
        start: int,
        end: int,
        *,
        limit: int,
        member: str | None = None,
        kind: str | None = None,
        subject: str | None = None,
    ) -> list[LedgerEntry]:
        """The first ``limit`` entries in ``start <= seq < end`` that match every filter given;
        ``member`` matches that actor member and its departments (``member/...``)."""
        stmt = select(LedgerEntry).where(LedgerEntry.seq >= start, LedgerEntry.seq < end)
        if member is not None:
            stmt = stmt.where(
                or_(
                    LedgerEntry.actor_member == member,
                    LedgerEntry.actor_member.startswith(member + "/", autoescape=True),
                )
            )
        if kind is not None:
            stmt = stmt.where(LedgerEntry.kind == kind)
        if subject is not None:
            stmt = stmt.where(LedgerEntry.subject == subject)
        return list(self.session.scalars(stmt.order_by(LedgerEntry.seq).limit(limit)))

    def entry_bytes(self, start: int, end: int) -> list[tuple[int, bytes, bytes]]:
        """``(seq, leaf_hash, entry bytes)`` for ``start <= seq < end`` in order."""
        rows = self.session.execute(
            select(LedgerEntry.seq, LedgerEntry.leaf_hash, LedgerEntry.entry)
            .where(LedgerEntry.seq >= start, LedgerEntry.seq < end)
            .order_by(LedgerEntry.seq)
        )
        return [(seq, bytes(leaf), bytes(data)) for seq, leaf, data in rows]

    def nodes(self, wanted: Collection[NodeId]) -> dict[NodeId, bytes]:
        """Hashes of complete subtrees (leaves from ``ledger_entry``, others ``ledger_node``)."""
        out: dict[NodeId, bytes] = {}
        leaves = sorted(idx for level, idx in wanted if level == 0)
        inner = sorted((level, idx) for level, idx in wanted if level > 0)
        for i in range(0, len(leaves), _CHUNK):
            rows = self.session.execute(
                select(LedgerEntry.seq, LedgerEntry.leaf_hash).where(
                    LedgerEntry.seq.in_(leaves[i : i + _CHUNK])
                )
            )
            out.update({(0, seq): bytes(h) for seq, h in rows})
        for i in range(0, len(inner), _CHUNK):
            found = self.session.execute(
                select(LedgerNode.level, LedgerNode.idx, LedgerNode.hash).where(
                    tuple_(LedgerNode.level, LedgerNode.idx).in_(inner[i : i + _CHUNK])
                )
            )
            out.update({(level, idx): bytes(h) for level, idx, h in found})
        return out

    # --- heads and keys --------------------------------------------------------------------

    def latest_head(self) -> LedgerTreeHead | None:
        stmt = select(LedgerTreeHead).order_by(LedgerTreeHead.size.desc()).limit(1)
        return self.session.scalars(stmt).first()

    def latest_head_size(self) -> int:
        return self.session.scalar(select(func.max(LedgerTreeHead.size))) or 0

    def head(self, size: int) -> LedgerTreeHead | None:
        return self.session.get(LedgerTreeHead, size)

    def heads(self, *, max_size: int | None = None) -> list[LedgerTreeHead]:
        stmt = select(LedgerTreeHead).order_by(LedgerTreeHead.size)
        if max_size is not None:
            stmt = stmt.where(LedgerTreeHead.size <= max_size)
        return list(self.session.scalars(stmt))

    def add_head(self, row: LedgerTreeHead) -> None:
        self.session.add(row)
        self.session.flush()

    def key(self, key_id: str) -> LedgerKey | None:
        return self.session.get(LedgerKey, key_id)

    def signing_keys(self) -> list[LedgerKey]:
        return list(self.session.scalars(select(LedgerKey).order_by(LedgerKey.first_used_at)))

    def add_key(self, *, key_id: str, algorithm: str, public_key: bytes, at: datetime) -> None:
        self.session.add(
            LedgerKey(key_id=key_id, algorithm=algorithm, public_key=public_key, first_used_at=at)
        )
        self.session.flush()

    def keys_by_id(self, key_ids: Sequence[str]) -> list[LedgerKey]:
        return list(self.session.scalars(select(LedgerKey).where(LedgerKey.key_id.in_(key_ids))))
