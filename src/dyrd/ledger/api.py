"""HTTP routes of the ledger under /api/v1/ledger.

Heads, proofs and keys are public, as in Certificate Transparency: anyone may check that the
log is consistent. Entries name who exchanged what about whom, so reading them needs a token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from dyrd.core.deps import PrincipalDep, SessionDep
from dyrd.core.types import Role
from dyrd.ledger import service
from dyrd.ledger.compute.entries import KIND_PATTERN, MAX_KIND
from dyrd.ledger.schemas import (
    ConsistencyProofRead,
    EntryPage,
    EntryRead,
    InclusionProofRead,
    LatestHeadRead,
    PublicKeyRead,
)
from dyrd.ledger.service import MAX_TREE_SIZE

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

MEMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9][A-Za-z0-9_.:-]*)*$"
"""A member id as ledger actors record it (``CN-YRD/GOV/330000/DSJ``, ``CN-YRD``)."""

Seq = Annotated[int, Query(ge=0, le=MAX_TREE_SIZE, description="Sequence number of an entry")]
TreeSize = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_TREE_SIZE,
        description="Number of entries of the tree; default: the newest signed head",
    ),
]


@router.get("/head", response_model=LatestHeadRead)
def head(*, session: SessionDep) -> LatestHeadRead:
    """The newest signed tree head, and how many entries wait for the next one."""
    return service.latest_head_read(session)


@router.get("/entries", response_model=EntryPage)
def entries(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    start: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE, description="First seq")] = 0,
    end: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_TREE_SIZE,
            description="Stop before this seq (at most start + 1000 without filters)",
        ),
    ] = None,
    member: Annotated[
        str | None,
        Query(
            pattern=MEMBER_PATTERN,
            max_length=128,
            description="Only entries whose actor is this member or one of its departments",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(pattern=KIND_PATTERN.pattern, max_length=MAX_KIND, description="Only this kind"),
    ] = None,
    subject: Annotated[
        str | None, Query(min_length=1, max_length=256, description="Only this subject")
    ] = None,
) -> EntryPage:
    """Entries ``start <= seq < end`` with their canonical objects and leaf hashes.

    With ``member``, ``kind`` or ``subject`` the log is searched from ``start`` (to ``end`` if
    given) and the page holds up to 1000 matches; continue from the page's ``end``.
    """
    principal.acting_for(Role.VIEWER)
    return service.list_entries(
        session, start=start, end=end, member=member, kind=kind, subject=subject
    )


@router.get("/entries/{seq}", response_model=EntryRead)
def entry(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    seq: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE, description="Sequence number")],
) -> EntryRead:
    """One entry by sequence number."""
    principal.acting_for(Role.VIEWER)
    return service.get_entry(session, seq)


@router.get("/proof/inclusion", response_model=InclusionProofRead)
def inclusion(*, session: SessionDep, seq: Seq, tree_size: TreeSize = None) -> InclusionProofRead:
    """RFC 9162 §2.1.3 inclusion proof of entry ``seq`` in the tree of ``tree_size`` entries."""
    return service.inclusion_proof(session, seq=seq, tree_size=tree_size)


@router.get("/proof/consistency", response_model=ConsistencyProofRead)
def consistency(
    *,
    session: SessionDep,
    first: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE, description="Older tree size")],
    second: TreeSize = None,
) -> ConsistencyProofRead:
    """RFC 9162 §2.1.4 consistency proof from tree size ``first`` to ``second``."""
    return service.consistency_proof(session, first=first, second=second)


@router.get("/keys", response_model=list[PublicKeyRead])
def keys(*, session: SessionDep) -> list[PublicKeyRead]:
    """Public keys that have signed tree heads (pin one to verify exports offline)."""
    return service.public_keys(session)
