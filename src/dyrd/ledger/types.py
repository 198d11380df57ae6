"""Pure value types of the ledger domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EntryKind(StrEnum):
    """Kinds of entries the platform writes; any dotted lower-case name is accepted."""

    EXCHANGE_REQUEST = "exchange.request"
    EXCHANGE_RESPONSE = "exchange.response"
    GRANT_DECISION = "grant.decision"
    CATALOG_CHANGE = "catalog.change"


@dataclass(frozen=True, slots=True)
class AppendReceipt:
    """What an append returns: the entry's position and leaf hash (valid once committed)."""

    seq: int
    leaf_hash: bytes
    prev_hash: bytes
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class TreeHead:
    """A signed tree head: the root of the first ``size`` entries at ``timestamp``."""

    size: int
    root_hash: bytes
    timestamp: datetime
    key_id: str
    algorithm: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key that verifies tree heads: SubjectPublicKeyInfo DER and its RFC 7638 id."""

    key_id: str
    algorithm: str
    spki_der: bytes
