"""Reading the log: heads, entries, inclusion and consistency proofs, keys."""

from __future__ import annotations

import base64

from sqlalchemy.orm import Session

from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.entries import decode_entry
from dyrd.ledger.compute.signatures import to_pem
from dyrd.ledger.errors import EntryNotFound, NoSignedHead, TreeSizeOutOfRange
from dyrd.ledger.models import LedgerEntry
from dyrd.ledger.repository import LedgerRepository
from dyrd.ledger.schemas import (
    ConsistencyProofRead,
    EntryPage,
    EntryRead,
    InclusionProofRead,
    LatestHeadRead,
    PublicKeyRead,
)
from dyrd.ledger.service._convert import head_of, head_read
from dyrd.ledger.types import TreeHead

MAX_TREE_SIZE = 2**53
"""Largest sequence number or tree size the API accepts (exact in every JSON reader)."""
MAX_ENTRIES_PAGE = 1000


def log_size(session: Session) -> int:
    """Number of committed (or, inside a transaction, flushed) entries."""
    return LedgerRepository(session).state().size


def latest_head(session: Session) -> TreeHead | None:
    """The newest signed tree head, or None before the first one."""
    row = LedgerRepository(session).latest_head()
    return head_of(row) if row else None


def latest_head_read(session: Session) -> LatestHeadRead:
    """The newest signed tree head and how many entries wait for the next one."""
    head = latest_head(session)
    if head is None:
        raise NoSignedHead(
            "The ledger has no signed tree head yet.",
            "账本尚无已签名的树头。",
            hint="Heads are signed in the background a few seconds after the first entry; "
            "or run `dyrd ledger head --sign`.",
        )
    size = log_size(session)
    return LatestHeadRead(
        **head_read(head).model_dump(), log_size=size, pending_entries=size - head.size
    )


def _entry_read(row: LedgerEntry) -> EntryRead:
    data = bytes(row.entry)
    return EntryRead(
        seq=row.seq,
        leaf_hash=bytes(row.leaf_hash).hex(),
        prev_hash=bytes(row.prev_hash).hex(),
        timestamp=row.created_at,
        kind=row.kind,
        subject=row.subject,
        actor_user=row.actor_user,
        actor_member=row.actor_member,
        entry=decode_entry(data).as_json(),
    )


def list_entries(
    session: Session,
    *,
    start: int,
    end: int | None = None,
    member: str | None = None,
    kind: str | None = None,
    subject: str | None = None,
) -> EntryPage:
    """Entries ``start <= seq < end`` (at most 1000; ``end`` defaults to ``start + 100``).

    With a filter (``member``: that actor member or its departments; ``kind``; ``subject``)
    the range is searched to ``end`` (default: the whole log from ``start``) and the page
    holds the first 1000 matches at most; its ``end`` is where the next page starts.
    """
    size = log_size(session)
    if end is not None and end < start:
        raise TreeSizeOutOfRange(
            f"end ({end}) is before start ({start}).",
            f"end（{end}）小于 start（{start}）。",
            hint="Ask for start <= seq < end.",
        )
    if member is not None or kind is not None or subject is not None:
        stop = min(size, end if end is not None else size)
        found = (
            LedgerRepository(session).matching_entries(
                start,
                stop,
                limit=MAX_ENTRIES_PAGE,
                member=member,
                kind=kind,
                subject=subject,
            )
            if start < stop
            else []
        )
        if len(found) == MAX_ENTRIES_PAGE:
            stop = found[-1].seq + 1
        return EntryPage(
            start=start,
            end=max(stop, start),
            log_size=size,
            items=[_entry_read(r) for r in found],
        )
    if end is None:
        end = start + 100
    end = min(end, start + MAX_ENTRIES_PAGE, size)
    rows = LedgerRepository(session).entries(start, end) if start < end else []
    return EntryPage(
        start=start, end=max(end, start), log_size=size, items=[_entry_read(r) for r in rows]
    )


def get_entry(session: Session, seq: int) -> EntryRead:
    """One entry by sequence number."""
    row = LedgerRepository(session).entry(seq)
    if row is None:
        raise _no_entry(seq, log_size(session))
    return _entry_read(row)


def _no_entry(seq: int, size: int) -> EntryNotFound:
    return EntryNotFound(
        f"No ledger entry with seq {seq}; the log holds {size} entries (seq 0 to {size - 1}).",
        f"账本中没有序号为 {seq} 的条目；共有 {size} 个条目。",
        hint="List entries with GET /api/v1/ledger/entries.",
    )


def _beyond(what: str, value: int, size: int) -> TreeSizeOutOfRange:
    return TreeSizeOutOfRange(
        f"{what} {value} is beyond the log, which holds {size} entries.",
        f"{what} {value} 超出账本范围（共 {size} 个条目）。",
        hint="Use a tree size no larger than tree_size of GET /api/v1/ledger/head.",
    )


def _default_size(session: Session) -> int:
    head = LedgerRepository(session).latest_head()
    return head.size if head else log_size(session)


def inclusion_proof(
    session: Session, *, seq: int, tree_size: int | None = None
) -> InclusionProofRead:
    """Proof that entry ``seq`` is in the tree of ``tree_size`` entries (default: the newest
    signed head, or the whole log before the first head)."""
    repo = LedgerRepository(session)
    size = repo.state().size
    if seq >= size:
        raise _no_entry(seq, size)
    tree_size = _default_size(session) if tree_size is None else tree_size
    if tree_size > size:
        raise _beyond("tree_size", tree_size, size)
    if seq >= tree_size:
        raise TreeSizeOutOfRange(
            f"Entry {seq} is not in the tree of the first {tree_size} entries.",
            f"序号 {seq} 的条目不在前 {tree_size} 个条目构成的树中。",
            hint=f"Ask with tree_size greater than {seq}.",
        )
    leaf = repo.nodes([(0, seq)])[(0, seq)]
    path = merkle.inclusion_proof(seq, tree_size, repo.nodes)
    root = merkle.root_at(tree_size, repo.nodes)
    head = repo.head(tree_size)
    return InclusionProofRead(
        seq=seq,
        tree_size=tree_size,
        leaf_hash=leaf.hex(),
        root_hash=root.hex(),
        path=[h.hex() for h in path],
        head=head_read(head_of(head)) if head else None,
    )


def consistency_proof(
    session: Session, *, first: int, second: int | None = None
) -> ConsistencyProofRead:
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second`` entries
    (default: the newest signed head)."""
    repo = LedgerRepository(session)
    size = repo.state().size
    second = _default_size(session) if second is None else second
    if second > size:
        raise _beyond("second", second, size)
    if first > second:
        raise TreeSizeOutOfRange(
            f"first ({first}) is larger than second ({second}).",
            f"first（{first}）大于 second（{second}）。",
            hint="A consistency proof goes from an older, smaller tree to a newer one.",
        )
    return ConsistencyProofRead(
        first=first,
        second=second,
        first_root=merkle.root_at(first, repo.nodes).hex(),
        second_root=merkle.root_at(second, repo.nodes).hex(),
        path=[h.hex() for h in merkle.consistency_proof(first, second, repo.nodes)],
    )


def public_keys(session: Session) -> list[PublicKeyRead]:
    """Every key that has signed tree heads, oldest first."""
    return [
        PublicKeyRead(
            key_id=row.key_id,
            algorithm=row.algorithm,
            public_key=base64.b64encode(bytes(row.public_key)).decode("ascii"),
            pem=to_pem(bytes(row.public_key)),
            first_used_at=row.first_used_at,
        )
        for row in LedgerRepository(session).signing_keys()
    ]
