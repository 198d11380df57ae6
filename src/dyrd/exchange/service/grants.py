"""Grant use cases: read, list, revoke, and the gateway's check of a grant for one use.

A grant is field-level (only the approved columns), purpose-bound (the purpose comes back with
every check), expiring (``[valid_from, valid_until)`` on the platform clock) and revocable by the
owner's data steward with a reason; revocations are appended to the ledger.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange.access_schemas import GrantPage, GrantRead, RevokeCreate, Side
from dyrd.exchange.compute.access import (
    Denial,
    GrantCheck,
    GrantStatus,
    GrantTerms,
    PurposeCode,
    grant_denial,
    unknown_fields,
)
from dyrd.exchange.errors import (
    FieldNotGranted,
    GrantAlreadyRevoked,
    GrantDenied,
    GrantExpired,
    GrantNotFound,
    GrantNotYetValid,
    GrantResourceNotShared,
    GrantResourceWithdrawn,
    GrantRevoked,
    GrantWrongConsumer,
    GrantWrongResource,
    NotAParty,
)
from dyrd.exchange.models import Grant, Resource
from dyrd.exchange.repository import ACTIVE, AccessRepository, ExchangeRepository
from dyrd.exchange.types import SharingClass

LEDGER_REVOCATION = "grant.revocation"
"""Ledger kind of a revoked grant."""


def ensure_party(principal: Principal, consumer: str, owner: str, what: str) -> None:
    """Refuse callers who belong neither to ``consumer`` nor to ``owner``."""
    if principal.has_role(Role.VIEWER, consumer) or principal.has_role(Role.VIEWER, owner):
        return
    raise NotAParty(
        f"User {principal.user!r} belongs neither to the consumer {consumer!r} nor to the owner "
        f"{owner!r} of this {what}.",
        f"用户 {principal.user} 既不属于申请方 {consumer}，也不属于提供方 {owner}。",
        hint="Only users of the two members can see it.",
    )


def member_sides(
    principal: Principal, side: Side | None
) -> tuple[set[str] | None, set[str] | None]:
    """The members to match as consumer and as owner (None: that side is not listed)."""
    members = {m for m, roles in principal.roles.items() if roles}
    consumer_of = members if side in (None, "consumer") else None
    owner_of = members if side in (None, "owner") else None
    return consumer_of, owner_of


def _grant_status(grant: Grant, at: datetime) -> GrantStatus:
    if grant.status == GrantStatus.REVOKED:
        return GrantStatus.REVOKED
    return GrantStatus.EXPIRED if at >= grant.valid_until else GrantStatus.ACTIVE


def grant_read(grant: Grant, at: datetime) -> GrantRead:
    return GrantRead(
        id=grant.id,
        request_id=grant.request_id,
        resource_id=grant.resource_id,
        owner_member=grant.owner_member,
        consumer_member=grant.consumer_member,
        purpose_code=PurposeCode(grant.purpose_code),
        purpose_zh=grant.purpose_zh,
        purpose_en=grant.purpose_en,
        legal_basis=grant.legal_basis,
        fields=list(grant.fields),
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        status=_grant_status(grant, at),
        created_at=grant.created_at,
        created_by=grant.created_by,
        created_for=grant.created_for,
        revoked_at=grant.revoked_at,
        revoked_by=grant.revoked_by,
        revoked_for=grant.revoked_for,
        revocation_reason=grant.revocation_reason,
    )


def _load_grant(repo: AccessRepository, grant_id: str) -> Grant:
    grant = repo.grant(grant_id)
    if grant is None:
        raise GrantNotFound(
            f"No grant with id {grant_id!r}.",
            f"没有 ID 为 {grant_id} 的授权。",
            hint="List your grants with GET /api/v1/exchange/grants.",
        )
    return grant


def load_grant(session: Session, grant_id: str) -> Grant:
    """The stored grant, or GrantNotFound (for other use cases on a grant, e.g. its ε budget)."""
    return _load_grant(AccessRepository(session), grant_id)


def revoke_grant(
    session: Session, grant_id: str, data: RevokeCreate, *, principal: Principal, clock: Clock
) -> GrantRead:
    """Revoke a grant as the owner's data steward, with a reason; effective at once."""
    repo = AccessRepository(session)
    grant = _load_grant(repo, grant_id)
    actor = principal.acting_for(Role.DATA_STEWARD, grant.owner_member)
    if grant.status == GrantStatus.REVOKED:
        raise GrantAlreadyRevoked(
            f"Grant {grant.id} was revoked at {grant.revoked_at}.",
            f"授权 {grant.id} 已于 {grant.revoked_at} 撤销。",
        )
    now = clock()
    grant.status = GrantStatus.REVOKED.value
    grant.revoked_at = now
    grant.revoked_by = actor.user
    grant.revoked_for = actor.member
    grant.revocation_reason = data.reason
    session.flush()
    ledger.append(
        session,
        kind=LEDGER_REVOCATION,
        subject=grant.id,
        actor=actor,
        payload={
            "grant_id": grant.id,
            "request_id": grant.request_id,
            "resource_id": grant.resource_id,
            "consumer_member": grant.consumer_member,
            "reason": data.reason,
        },
        clock=clock,
    )
    session.commit()
    return grant_read(grant, now)


def get_grant(session: Session, grant_id: str, *, principal: Principal, clock: Clock) -> GrantRead:
    """One grant, for users of its consumer or its owner."""
    grant = _load_grant(AccessRepository(session), grant_id)
    ensure_party(principal, grant.consumer_member, grant.owner_member, "grant")
    return grant_read(grant, clock())


def list_grants(
    session: Session,
    *,
    principal: Principal,
    clock: Clock,
    side: Side | None = None,
    status: GrantStatus | None = None,
    resource_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> GrantPage:
    """Grants the caller's members hold (consumer) or gave (owner), newest first."""
    now = clock()
    consumer_of, owner_of = member_sides(principal, side)
    stored = GrantStatus.REVOKED if status is GrantStatus.REVOKED else GrantStatus.ACTIVE
    rows, total = AccessRepository(session).grants(
        consumer_of=consumer_of,
        owner_of=owner_of,
        resource_id=resource_id,
        status=stored.value if status is not None else None,
        valid_at=now if status is GrantStatus.ACTIVE else None,
        ended_at=now if status is GrantStatus.EXPIRED else None,
        limit=limit,
        offset=offset,
    )
    return GrantPage(
        items=[grant_read(g, now) for g in rows], total=total, limit=limit, offset=offset
    )


# ---------------------------------------------------------------------------------------------
# The gateway's check


def _denied(  # noqa: PLR0911  # one error per reason reads best
    denial: Denial,
    grant: Grant,
    *,
    consumer: str,
    resource_id: str,
    fields: Collection[str],
    at: datetime,
) -> GrantDenied:
    gid = grant.id
    if denial is Denial.WRONG_CONSUMER:
        return GrantWrongConsumer(
            f"Grant {gid} was not given to {consumer!r}.",
            f"授权 {gid} 不属于成员 {consumer}。",
            hint="Use a grant of your own member, or request access.",
        )
    if denial is Denial.WRONG_RESOURCE:
        return GrantWrongResource(
            f"Grant {gid} does not cover resource {resource_id!r}.",
            f"授权 {gid} 不涵盖数据资源 {resource_id}。",
            hint="Use the grant of that resource, or request access to it.",
        )
    if denial is Denial.RESOURCE_WITHDRAWN:
        return GrantResourceWithdrawn(
            f"Resource {resource_id!r} of grant {gid} was withdrawn from the catalog.",
            f"授权 {gid} 对应的数据资源 {resource_id} 已撤回。",
            hint="Search the catalog for a successor resource and request access to it.",
        )
    if denial is Denial.NOT_SHARED:
        return GrantResourceNotShared(
            f"Resource {resource_id!r} of grant {gid} is now classed not shared (不予共享).",
            f"授权 {gid} 对应的数据资源 {resource_id} 已调整为不予共享。",
            hint="The owner has stopped sharing it; ask the owner's data steward why.",
        )
    if denial is Denial.REVOKED:
        return GrantRevoked(
            f"Grant {gid} was revoked at {grant.revoked_at}: {grant.revocation_reason}",
            f"授权 {gid} 已于 {grant.revoked_at} 被撤销：{grant.revocation_reason}",
            hint="Request access again if the need remains.",
        )
    if denial is Denial.NOT_YET_VALID:
        return GrantNotYetValid(
            f"Grant {gid} is valid from {grant.valid_from.isoformat()}; it is {at.isoformat()}.",
            f"授权 {gid} 自 {grant.valid_from.isoformat()} 起生效。",
        )
    if denial is Denial.EXPIRED:
        return GrantExpired(
            f"Grant {gid} expired at {grant.valid_until.isoformat()}.",
            f"授权 {gid} 已于 {grant.valid_until.isoformat()} 到期。",
            hint="Request access again; a new request states its purpose afresh.",
        )
    missing = unknown_fields(fields, grant.fields)
    return FieldNotGranted(
        f"{len(missing)} field(s) are not granted by {gid}; granted: {', '.join(grant.fields)}.",
        f"授权 {gid} 未授予 {len(missing)} 个字段。",
        hint="Ask only for granted fields, or request access to the others.",
        errors=[
            FieldError("fields", f"{f!r} is not granted.", f"字段 {f} 未获授权。", f)
            for f in missing
        ],
    )


def check_grant(
    session: Session,
    *,
    grant_id: str,
    consumer_member: str,
    resource_id: str,
    fields: Collection[str],
    at: datetime,
    resource: Resource | None = None,
) -> GrantCheck:
    """The columns (and purpose) a grant allows for this use, or a GrantDenied/GrantNotFound.

    ``fields`` empty means "every granted column". Valid in ``[valid_from, valid_until)``, and
    only while its resource is active and shared. ``resource``: the grant's resource when the
    caller already loaded it (the gateway), else it is read here.
    """
    grant = _load_grant(AccessRepository(session), grant_id)
    if resource is None or resource.id != grant.resource_id:
        resource = ExchangeRepository(session).resource(grant.resource_id)
    terms = GrantTerms(
        grant_id=grant.id,
        resource_id=grant.resource_id,
        consumer_member=grant.consumer_member,
        fields=tuple(grant.fields),
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        revoked=grant.status == GrantStatus.REVOKED,
        resource_active=resource is not None and resource.status == ACTIVE,
        resource_shared=resource is not None
        and resource.sharing_class != SharingClass.NOT_SHARED.value,
    )
    denial = grant_denial(
        terms, consumer_member=consumer_member, resource_id=resource_id, fields=fields, at=at
    )
    if denial is not None:
        raise _denied(
            denial, grant, consumer=consumer_member, resource_id=resource_id, fields=fields, at=at
        )
    allowed = tuple(fields) if fields else terms.fields
    return GrantCheck(
        grant_id=grant.id,
        resource_id=grant.resource_id,
        consumer_member=grant.consumer_member,
        fields=allowed,
        purpose_code=grant.purpose_code,
        purpose_zh=grant.purpose_zh,
        purpose_en=grant.purpose_en,
        legal_basis=grant.legal_basis,
        valid_until=grant.valid_until,
    )
