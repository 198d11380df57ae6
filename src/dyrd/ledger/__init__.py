"""Tamper-evident audit log: append-only Merkle tree (RFC 9162), signed tree heads, proofs.

Other domains log through this surface only::

    from dyrd import ledger

    ledger.append(session, kind=ledger.EntryKind.GRANT_DECISION, subject=grant_id,
                  actor=actor, payload={...}, clock=clock)
    session.commit()  # the entry is acknowledged once the caller's transaction commits
"""

from dyrd.ledger.compute.merkle import verify_consistency, verify_inclusion
from dyrd.ledger.errors import EntryNotFound, EntryRejected, NoSignedHead, TreeSizeOutOfRange
from dyrd.ledger.ports import Signer, Verifier
from dyrd.ledger.service import (
    Checkpointer,
    NewEntry,
    append,
    append_many,
    audit_export,
    consistency_proof,
    export_log,
    inclusion_proof,
    latest_head,
    sign_pending_head,
)
from dyrd.ledger.types import AppendReceipt, EntryKind, PublicKey, TreeHead

__all__ = [
    "AppendReceipt",
    "Checkpointer",
    "EntryKind",
    "EntryNotFound",
    "EntryRejected",
    "NewEntry",
    "NoSignedHead",
    "PublicKey",
    "Signer",
    "TreeHead",
    "TreeSizeOutOfRange",
    "Verifier",
    "append",
    "append_many",
    "audit_export",
    "consistency_proof",
    "export_log",
    "inclusion_proof",
    "latest_head",
    "sign_pending_head",
    "verify_consistency",
    "verify_inclusion",
]
