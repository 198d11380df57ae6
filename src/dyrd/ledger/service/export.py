"""Exporting the log as JSON Lines and auditing an export offline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.ledger.compute import bundle, merkle
from dyrd.ledger.repository import LedgerRepository
from dyrd.ledger.service._convert import head_of, public_key_of
from dyrd.ledger.types import PublicKey, TreeHead


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote."""

    entries: int
    heads: int
    keys: int
    last_head: TreeHead | None


def export_log(session: Session, out: TextIO, *, clock: Clock, batch: int = 1000) -> ExportSummary:
    """Write the log (entries, signed heads with consistency proofs, keys) as JSON Lines.

    Pass a fresh session. The first ``size`` entries at the start are exported, a batch per
    short transaction, so memory does not grow with the log and appends are never blocked.
    """
    repo = LedgerRepository(session)
    size = repo.state().size
    heads = [head_of(h) for h in repo.heads(max_size=size)]
    keys = [public_key_of(k) for k in repo.signing_keys()]
    out.write(
        bundle.dump_line(
            bundle.header_record(
                entries=size, heads=len(heads), keys=len(keys), exported_at=clock()
            )
        )
    )
    for key in keys:
        out.write(bundle.dump_line(bundle.key_record(key)))
    pending = iter(heads)
    next_head = next(pending, None)
    prev_size = 0

    def write_heads(covered: int) -> None:
        nonlocal next_head, prev_size
        while next_head is not None and next_head.size == covered:
            proof = merkle.consistency_proof(prev_size, covered, repo.nodes)
            out.write(bundle.dump_line(bundle.head_record(next_head, proof)))
            prev_size = covered
            next_head = next(pending, None)

    write_heads(0)
    for start in range(0, size, batch):
        for seq, leaf, data in repo.entry_bytes(start, min(start + batch, size)):
            out.write(bundle.dump_line(bundle.entry_record(seq, data, leaf)))
            write_heads(seq + 1)
        # Entries and subtrees never change, so each batch may be its own short transaction:
        # on SQLite a read transaction held for a whole export would block appends' commits.
        session.commit()
    return ExportSummary(size, len(heads), len(keys), heads[-1] if heads else None)


def audit_export(
    lines: Iterable[str], *, trusted: Iterable[PublicKey] | None = None
) -> bundle.AuditReport:
    """Verify an exported log offline (see :func:`dyrd.ledger.compute.bundle.audit`)."""
    return bundle.audit(lines, trusted=trusted)
