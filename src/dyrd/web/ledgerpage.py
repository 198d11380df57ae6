"""Page model of the audit ledger: the newest signed tree head, the log size, the latest entries.

Only what the ledger API serves without a token is shown (as in Certificate Transparency, heads,
proofs and keys are public). An entry's subject, actor and payload say who exchanged what about
whom: the API serves them only with a token, so this page, which has no login, shows each entry's
position, time, kind and leaf hash, never those fields.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.ledger import service as ledger_service
from dyrd.web.common import Kpi, local_time
from dyrd.web.i18n import Lang, t

RECENT = 20
VERIFY_COMMANDS = (
    "dyrd ledger keys --pem > ledger-key.pem",
    "dyrd ledger export ledger.jsonl",
    "dyrd ledger verify ledger.jsonl --trusted-key ledger-key.pem",
)
"""How to check the log away from the platform (`dyrd ledger --help` has the details)."""


@dataclass(frozen=True, slots=True)
class HeadView:
    """The newest signed tree head, formatted."""

    size: int
    root_hash: str
    time: str
    key_id: str
    algorithm: str
    signature: str


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One log entry as this page shows it (no subject, actor or payload)."""

    seq: int
    time: str
    kind: str
    leaf_hash: str
    covered: bool


@dataclass(frozen=True, slots=True)
class LedgerPage:
    """Everything the ledger page shows."""

    head: HeadView | None
    size: int
    pending: int
    kpis: tuple[Kpi, ...]
    entries: tuple[EntryRow, ...]
    commands: tuple[str, ...]


def ledger_page(session: Session, *, lang: Lang) -> LedgerPage:
    """The newest signed head, how many entries the log holds, and the latest ``RECENT``."""
    head = ledger.latest_head(session)
    size = ledger_service.log_size(session)
    covered = head.size if head is not None else 0
    page = ledger_service.list_entries(session, start=max(0, size - RECENT), end=size)
    entries = tuple(
        EntryRow(
            seq=e.seq,
            time=local_time(e.timestamp, seconds=True),
            kind=e.kind,
            leaf_hash=e.leaf_hash,
            covered=e.seq < covered,
        )
        for e in reversed(page.items)
    )
    view = (
        HeadView(
            size=head.size,
            root_hash=head.root_hash.hex(),
            time=local_time(head.timestamp, seconds=True),
            key_id=head.key_id,
            algorithm=head.algorithm,
            signature=base64.b64encode(head.signature).decode("ascii"),
        )
        if head is not None
        else None
    )
    pending = size - covered
    kpis = (
        Kpi(
            label=t("ledger.size", lang),
            value=f"{covered:,}" if head is not None else "—",
            note=t("ledger.size.note", lang),
        ),
        Kpi(
            label=t("ledger.entries", lang),
            value=f"{size:,}",
            note=(
                t("ledger.pending", lang, n=pending)
                if pending
                else t("ledger.pending.none", lang)
                if size
                else ""
            ),
        ),
        Kpi(
            label=t("ledger.signed_at", lang),
            value=view.time[11:16] if view else "—",
            note=f"{view.time[:10]} · {t('time.zone', lang)}" if view else "",
        ),
        Kpi(label=t("ledger.algorithm", lang), value=view.algorithm if view else "—"),
    )
    return LedgerPage(
        head=view,
        size=size,
        pending=pending,
        kpis=kpis,
        entries=entries,
        commands=VERIFY_COMMANDS,
    )
