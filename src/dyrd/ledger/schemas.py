"""Pydantic I/O schemas of the ledger domain (hashes as lower-case hex, signatures base64)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class TreeHeadRead(BaseModel):
    """A signed tree head (RFC 9162 §4.10 fields), plus how far the log has grown past it."""

    tree_size: int = Field(description="Number of entries the head covers")
    root_hash: str = Field(description="Merkle tree hash of those entries, hex")
    timestamp: datetime = Field(description="When the head was signed (whole milliseconds)")
    key_id: str = Field(description="RFC 7638 thumbprint of the signing key (see /keys)")
    algorithm: str = Field(description="EdDSA or ES256")
    signature: str = Field(description="Signature over the TreeHeadSignature bytes, base64")


class LatestHeadRead(TreeHeadRead):
    """The newest signed tree head and the entries appended since."""

    log_size: int = Field(description="Entries in the log now")
    pending_entries: int = Field(description="Entries not yet covered by a signed head")


class EntryRead(BaseModel):
    """One log entry: the canonical object its leaf hash commits to, and that hash."""

    seq: int
    leaf_hash: str
    prev_hash: str
    timestamp: datetime
    kind: str
    subject: str
    actor_user: str
    actor_member: str
    entry: dict[str, Any] = Field(description="RFC 8785 canonical JSON of this object is hashed")


class EntryPage(BaseModel):
    """Entries ``start <= seq < end`` of a log that holds ``log_size`` entries."""

    start: int
    end: int
    log_size: int
    items: list[EntryRead]


class InclusionProofRead(BaseModel):
    """RFC 9162 §2.1.3 inclusion proof of entry ``seq`` in the tree of ``tree_size`` entries."""

    seq: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    path: list[str] = Field(description="Audit path, hex, leaf side first")
    head: TreeHeadRead | None = Field(description="The signed head of this size, if one exists")


class ConsistencyProofRead(BaseModel):
    """RFC 9162 §2.1.4 consistency proof between two tree sizes."""

    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str] = Field(description="Consistency path, hex")


class PublicKeyRead(BaseModel):
    """A key that has signed tree heads."""

    key_id: str
    algorithm: str
    public_key: str = Field(description="SubjectPublicKeyInfo DER, base64")
    pem: str = Field(description="The same key as PEM")
    first_used_at: datetime
