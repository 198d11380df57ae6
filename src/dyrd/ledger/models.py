"""Tables of the ledger domain: entries, stored subtree hashes, signed tree heads, keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, UtcDateTime

# SQLite makes only INTEGER PRIMARY KEY the rowid (compact, fast); PostgreSQL needs 64 bits.
SeqInteger = BigInteger().with_variant(Integer(), "sqlite")


class LedgerState(Base):
    """The one row that appenders lock: log size, last leaf hash and the Merkle frontier."""

    __tablename__ = "ledger_state"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerEntry(Base):
    """One appended entry: its canonical bytes, leaf hash and the previous entry's leaf hash."""

    __tablename__ = "ledger_entry"

    seq: Mapped[int] = mapped_column(SeqInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(256), index=True)
    actor_user: Mapped[str] = mapped_column(String(128))
    actor_member: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerNode(Base):
    """Hash of a complete subtree above the leaves: 2**level leaves from idx * 2**level."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerKey(Base):
    """A public key that has signed tree heads (kept after rotation so old heads verify)."""

    __tablename__ = "ledger_key"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    first_used_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerTreeHead(Base):
    """A signed tree head: the root of the first ``size`` entries, at most one per size."""

    __tablename__ = "ledger_tree_head"

    size: Mapped[int] = mapped_column(SeqInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(ForeignKey("ledger_key.key_id"))
    algorithm: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
