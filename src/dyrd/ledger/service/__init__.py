"""Use cases of the ledger: append, sign tree heads off the append path, proofs, export, audit."""

from dyrd.ledger.service.appending import NewEntry, append, append_many
from dyrd.ledger.service.export import ExportSummary, audit_export, export_log
from dyrd.ledger.service.heads import Checkpointer, sign_pending_head
from dyrd.ledger.service.reading import (
    MAX_ENTRIES_PAGE,
    MAX_TREE_SIZE,
    consistency_proof,
    get_entry,
    inclusion_proof,
    latest_head,
    latest_head_read,
    list_entries,
    log_size,
    public_keys,
)

__all__ = [
    "MAX_ENTRIES_PAGE",
    "MAX_TREE_SIZE",
    "Checkpointer",
    "ExportSummary",
    "NewEntry",
    "append",
    "append_many",
    "audit_export",
    "consistency_proof",
    "export_log",
    "get_entry",
    "inclusion_proof",
    "latest_head",
    "latest_head_read",
    "list_entries",
    "log_size",
    "public_keys",
    "sign_pending_head",
]
