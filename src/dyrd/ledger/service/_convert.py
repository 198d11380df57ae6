"""Rows and values to the domain's types and schemas, shared by the use cases."""

from __future__ import annotations

import base64

from dyrd.ledger.models import LedgerKey, LedgerTreeHead
from dyrd.ledger.schemas import TreeHeadRead
from dyrd.ledger.types import PublicKey, TreeHead


def head_of(row: LedgerTreeHead) -> TreeHead:
    """The stored head as a value."""
    return TreeHead(
        size=row.size,
        root_hash=bytes(row.root_hash),
        timestamp=row.timestamp,
        key_id=row.key_id,
        algorithm=row.algorithm,
        signature=bytes(row.signature),
    )


def head_read(head: TreeHead) -> TreeHeadRead:
    """The head as the API shows it (hex hashes, base64 signature)."""
    return TreeHeadRead(
        tree_size=head.size,
        root_hash=head.root_hash.hex(),
        timestamp=head.timestamp,
        key_id=head.key_id,
        algorithm=head.algorithm,
        signature=base64.b64encode(head.signature).decode("ascii"),
    )


def public_key_of(row: LedgerKey) -> PublicKey:
    """The stored key as a value."""
    return PublicKey(key_id=row.key_id, algorithm=row.algorithm, spki_der=bytes(row.public_key))
