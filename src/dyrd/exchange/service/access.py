"""Access use cases: the policy, requests, decisions (which create grants), escalation.

Sharing classes as code (国发〔2016〕51号; 《政务数据共享条例》 2025):

* unconditional: the request is granted at once, still purpose-bound, recorded and audited;
* conditional: the owner's data steward approves (possibly fewer columns or a shorter time) or
  refuses with a reason, within ``policy.answer_working_days`` working days; later it is overdue
  and :func:`escalate_overdue` hands it to the owner's jurisdiction;
* not shared: the request is refused at once with the reason the resource states.

Every request, decision and escalation is appended to the ledger in the same transaction as the
change it records (revocations and the gateway's check live in ``service.grants``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange.access_schemas import (
    AccessRequestCreate,
    AccessRequestPage,
    AccessRequestRead,
    DecisionCreate,
    EscalationRead,
    Side,
)
from dyrd.exchange.compute.access import (
    AccessPolicy,
    Decision,
    GrantStatus,
    PurposeCode,
    RequestStatus,
    escalation_member,
    immediate_decision,
    is_overdue,
    unknown_fields,
)
from dyrd.exchange.compute.workdays import WorkCalendar, end_of_day, local_date
from dyrd.exchange.errors import (
    AccessRequestDecided,
    AccessRequestInvalid,
    AccessRequestNotFound,
    ResourceWithdrawn,
)
from dyrd.exchange.models import AccessRequest, Grant, Resource
from dyrd.exchange.repository import WITHDRAWN, AccessRepository, ExchangeRepository
from dyrd.exchange.service import grants as grant_service
from dyrd.exchange.service.catalog_records import load
from dyrd.exchange.service.grants import ensure_party, member_sides
from dyrd.exchange.types import ResourceKind

LEDGER_REQUEST = "access.request"
"""Ledger kind of a submitted access request."""
LEDGER_DECISION = ledger.EntryKind.GRANT_DECISION.value
"""Ledger kind of every answer: approve, refuse, auto_grant, auto_refuse."""
LEDGER_ESCALATION = "access.escalation"
"""Ledger kind of an overdue request handed to the owner's jurisdiction."""

check_grant = grant_service.check_grant
"""The gateway's grant check (defined in ``service.grants``; the gateway imports it from here)."""


def bundled_calendar() -> WorkCalendar:
    """Days off and worked weekend days of the State Council notices (``data/holidays_cn.json``)."""
    text = resources.files("dyrd.exchange").joinpath("data", "holidays_cn.json").read_text("utf-8")
    data = json.loads(text)
    return WorkCalendar(
        holidays=frozenset(date.fromisoformat(d) for d in data["holidays"]),
        workdays=frozenset(date.fromisoformat(d) for d in data["workdays"]),
    )


def access_policy(
    *,
    answer_working_days: int,
    max_grant_days: int,
    holidays: Iterable[date] = (),
    workdays: Iterable[date] = (),
    bundled: bool = True,
) -> AccessPolicy:
    """The policy from settings: the bundled calendar plus configured days off and worked days.

    A configured day off wins over a bundled worked day and vice versa (configured worked days
    are checked first by the calendar, so a date in both configured lists is a working day).
    """
    base = bundled_calendar() if bundled else WorkCalendar()
    extra_off, extra_on = frozenset(holidays), frozenset(workdays)
    calendar = WorkCalendar(
        holidays=(base.holidays | extra_off),
        workdays=(base.workdays - extra_off) | extra_on,
    )
    return AccessPolicy(
        answer_working_days=answer_working_days, max_grant_days=max_grant_days, calendar=calendar
    )


# ---------------------------------------------------------------------------------------------
# Read models


def _request_read(
    row: AccessRequest, *, name: str, grant_id: str | None, at: datetime
) -> AccessRequestRead:
    purpose = PurposeCode(row.purpose_code)
    return AccessRequestRead(
        id=row.id,
        resource_id=row.resource_id,
        resource_name=name,
        resource_version=row.resource_version,
        sharing_class=row.sharing_class,
        owner_member=row.owner_member,
        consumer_member=row.consumer_member,
        purpose_code=purpose,
        purpose_label_zh=purpose.label_zh,
        purpose_zh=row.purpose_zh,
        purpose_en=row.purpose_en,
        legal_basis=row.legal_basis,
        fields=list(row.fields),
        duration_days=row.duration_days,
        status=RequestStatus(row.status),
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        due_date=row.due_date,
        due_at=end_of_day(row.due_date) if row.due_date is not None else None,
        overdue=is_overdue(row.status, row.due_date, at),
        decision=Decision(row.decision) if row.decision else None,
        decision_reason=row.decision_reason,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        decided_for=row.decided_for,
        escalated_at=row.escalated_at,
        escalated_to=row.escalated_to,
        grant_id=grant_id,
    )


def _requests_read(
    repo: AccessRepository, rows: Sequence[AccessRequest], at: datetime
) -> list[AccessRequestRead]:
    names = repo.resource_names({r.resource_id for r in rows})
    grants = repo.grant_ids([r.id for r in rows])
    return [
        _request_read(r, name=names.get(r.resource_id, ""), grant_id=grants.get(r.id), at=at)
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# Loading and checks


def _load_request(repo: AccessRepository, request_id: str) -> AccessRequest:
    row = repo.request(request_id)
    if row is None:
        raise AccessRequestNotFound(
            f"No access request with id {request_id!r}.",
            f"没有 ID 为 {request_id} 的共享申请。",
            hint="List your requests with GET /api/v1/exchange/requests.",
        )
    return row


def _invalid(field: str, message: str, message_zh: str, hint: str = "") -> AccessRequestInvalid:
    return AccessRequestInvalid(
        message, message_zh, hint=hint, errors=[FieldError(field, message, message_zh)]
    )


def _check_fields(res: Resource, fields: Sequence[str]) -> None:
    """Tables: at least one declared column; services: none (the grant covers the service)."""
    if res.kind == ResourceKind.SERVICE.value:
        if fields:
            raise _invalid(
                "fields",
                f"Resource {res.name!r} is a service; request it without fields.",
                f"数据资源 {res.name} 是接口服务，申请时不填写字段。",
            )
        return
    columns = [c["name"] for c in res.snapshot.get("columns") or []]
    if not fields:
        raise _invalid(
            "fields",
            "Name the columns you need; a grant covers only those (data minimisation).",
            "请列出所需字段；授权仅覆盖所列字段（最小必要原则）。",
            hint=f"Columns of {res.name}: {', '.join(columns)}.",
        )
    unknown = unknown_fields(fields, columns)
    if unknown:
        raise AccessRequestInvalid(
            f"{len(unknown)} field(s) are not columns of {res.name!r}.",
            f"{len(unknown)} 个字段不是数据资源 {res.name} 的字段。",
            hint=f"Columns of {res.name}: {', '.join(columns)}.",
            errors=[
                FieldError("fields", f"No column {f!r}.", f"没有字段 {f}。", value=f)
                for f in unknown
            ],
        )


def _covers(member: str, other: str) -> bool:
    return other == member or other.startswith(member + "/")


# ---------------------------------------------------------------------------------------------
# Request, decide, revoke, escalate


def _new_grant(
    session: Session,
    row: AccessRequest,
    *,
    fields: list[str],
    days: int,
    actor: Actor,
    at: datetime,
) -> Grant:
    grant = Grant(
        id=str(uuid.uuid4()),
        request_id=row.id,
        resource_id=row.resource_id,
        owner_member=row.owner_member,
        consumer_member=row.consumer_member,
        purpose_code=row.purpose_code,
        purpose_zh=row.purpose_zh,
        purpose_en=row.purpose_en,
        legal_basis=row.legal_basis,
        fields=fields,
        valid_from=at,
        valid_until=at + timedelta(days=days),
        status=GrantStatus.ACTIVE.value,
        created_at=at,
        created_by=actor.user,
        created_for=actor.member,
    )
    AccessRepository(session).add(grant)
    return grant


def _decide(
    row: AccessRequest, decision: Decision, reason: str | None, actor: Actor, at: datetime
) -> None:
    row.status = (
        RequestStatus.GRANTED.value
        if decision in (Decision.APPROVE, Decision.AUTO_GRANT)
        else RequestStatus.REFUSED.value
    )
    row.decision = decision.value
    row.decision_reason = reason
    row.decided_at = at
    row.decided_by = actor.user
    row.decided_for = actor.member


def _log_decision(
    session: Session, row: AccessRequest, grant: Grant | None, actor: Actor, clock: Clock
) -> None:
    payload: dict[str, Any] = {
        "request_id": row.id,
        "resource_id": row.resource_id,
        "owner_member": row.owner_member,
        "consumer_member": row.consumer_member,
        "decision": row.decision,
        "reason": row.decision_reason,
        "purpose_code": row.purpose_code,
    }
    if grant is not None:
        payload |= {
            "grant_id": grant.id,
            "fields": list(grant.fields),
            "valid_from": grant.valid_from.isoformat(),
            "valid_until": grant.valid_until.isoformat(),
        }
    subject = grant.id if grant is not None else row.id
    ledger.append(
        session, kind=LEDGER_DECISION, subject=subject, actor=actor, payload=payload, clock=clock
    )


def request_access(
    session: Session,
    data: AccessRequestCreate,
    *,
    principal: Principal,
    clock: Clock,
    policy: AccessPolicy,
) -> AccessRequestRead:
    """Submit a request for the consumer member (analyst role or above) and commit.

    Unconditional resources are granted and not-shared ones refused in the same transaction.
    """
    actor = principal.acting_for(Role.ANALYST, data.consumer_member)
    res = load(ExchangeRepository(session), data.resource)
    if res.status == WITHDRAWN:
        raise ResourceWithdrawn(
            f"Resource {res.name!r} was withdrawn; it cannot be requested.",
            f"数据资源 {res.name} 已撤回，不能申请。",
            hint="Search the catalog for a current resource.",
        )
    if _covers(res.owner_member, data.consumer_member):
        raise _invalid(
            "consumer_member",
            f"{data.consumer_member} belongs to the owner {res.owner_member}; its users read the "
            "data without a grant.",
            f"{data.consumer_member} 属于提供方 {res.owner_member}，无需申请授权即可读取。",
        )
    _check_fields(res, data.fields)
    if data.duration_days > policy.max_grant_days:
        raise _invalid(
            "duration_days",
            f"duration_days is {data.duration_days}; grants last at most "
            f"{policy.max_grant_days} days.",
            f"申请期限 {data.duration_days} 天，超过上限 {policy.max_grant_days} 天。",
            hint="Ask for a shorter time and request again when it ends.",
        )
    now = clock()
    decision = immediate_decision(res.sharing_class)
    row = AccessRequest(
        id=str(uuid.uuid4()),
        resource_id=res.id,
        resource_version=res.current_version,
        sharing_class=res.sharing_class,
        owner_member=res.owner_member,
        consumer_member=data.consumer_member,
        purpose_code=data.purpose_code.value,
        purpose_zh=data.purpose_zh,
        purpose_en=data.purpose_en,
        legal_basis=data.legal_basis,
        fields=list(data.fields),
        duration_days=data.duration_days,
        status=RequestStatus.PENDING.value,
        submitted_at=now,
        submitted_by=actor.user,
        due_date=policy.due_date(now) if decision is None else None,
    )
    repo = AccessRepository(session)
    repo.add(row)
    grant: Grant | None = None
    # Immediate answers are the platform applying the owner's declared sharing class.
    platform = Actor(user="system", member=res.owner_member)
    if decision is Decision.AUTO_GRANT:
        grant = _new_grant(
            session, row, fields=list(data.fields), days=data.duration_days, actor=platform, at=now
        )
        _decide(row, decision, None, platform, now)
    elif decision is Decision.AUTO_REFUSE:
        reason = res.snapshot.get("not_shared_reason") or "不予共享 / Not shared."
        _decide(row, decision, reason, platform, now)
    session.flush()
    ledger.append(
        session,
        kind=LEDGER_REQUEST,
        subject=row.id,
        actor=actor,
        payload={
            "request_id": row.id,
            "resource_id": res.id,
            "resource_version": res.current_version,
            "sharing_class": res.sharing_class,
            "owner_member": res.owner_member,
            "consumer_member": row.consumer_member,
            "purpose_code": row.purpose_code,
            "legal_basis": row.legal_basis,
            "fields": list(row.fields),
            "duration_days": row.duration_days,
            "due_date": row.due_date.isoformat() if row.due_date else None,
        },
        clock=clock,
    )
    if decision is not None:
        _log_decision(session, row, grant, platform, clock)
    session.commit()
    return _request_read(row, name=res.name, grant_id=grant.id if grant else None, at=now)


def decide(
    session: Session,
    request_id: str,
    data: DecisionCreate,
    *,
    principal: Principal,
    clock: Clock,
) -> AccessRequestRead:
    """Answer a pending request as the owner's data steward; approval creates the grant."""
    repo = AccessRepository(session)
    row = _load_request(repo, request_id)
    actor = principal.acting_for(Role.DATA_STEWARD, row.owner_member)
    if row.status != RequestStatus.PENDING:
        raise AccessRequestDecided(
            f"Request {row.id} was already answered ({row.decision}).",
            f"共享申请 {row.id} 已答复（{row.decision}）。",
            hint="A decision is final; the consumer can submit a new request.",
        )
    now = clock()
    grant: Grant | None = None
    if data.decision == "approve":
        fields = list(row.fields) if data.fields is None else list(data.fields)
        extra = unknown_fields(fields, row.fields)
        if extra:
            raise AccessRequestInvalid(
                f"{len(extra)} field(s) were not requested; an approval can only narrow.",
                f"{len(extra)} 个字段不在申请范围内；批准只能缩小范围。",
                hint=f"Requested: {', '.join(row.fields)}.",
                errors=[
                    FieldError("fields", f"{f!r} was not requested.", f"未申请字段 {f}。", f)
                    for f in extra
                ],
            )
        if row.fields and not fields:
            raise _invalid(
                "fields",
                "An approval must keep at least one column; refuse instead.",
                "批准至少须保留一个字段；否则请拒绝。",
            )
        days = data.duration_days or row.duration_days
        if days > row.duration_days:
            raise _invalid(
                "duration_days",
                f"{days} days is longer than the {row.duration_days} requested.",
                f"批准期限 {days} 天超过申请的 {row.duration_days} 天。",
            )
        res = load(ExchangeRepository(session), row.resource_id)
        if res.status == WITHDRAWN:
            raise ResourceWithdrawn(
                f"Resource {res.name!r} was withdrawn; refuse the request instead.",
                f"数据资源 {res.name} 已撤回，请拒绝该申请。",
            )
        grant = _new_grant(session, row, fields=fields, days=days, actor=actor, at=now)
        _decide(row, Decision.APPROVE, data.reason, actor, now)
    else:
        _decide(row, Decision.REFUSE, data.reason, actor, now)
    session.flush()
    _log_decision(session, row, grant, actor, clock)
    session.commit()
    names = repo.resource_names([row.resource_id])
    return _request_read(
        row, name=names.get(row.resource_id, ""), grant_id=grant.id if grant else None, at=now
    )


def escalate_overdue(
    session: Session, *, clock: Clock, actor: Actor | None = None
) -> list[EscalationRead]:
    """Escalate every overdue, not yet escalated request to the owner's jurisdiction; commit.

    Idempotent: a request is escalated once, so running this again (e.g. from cron) does nothing
    until another request becomes overdue.
    """
    actor = actor or Actor.system()
    now = clock()
    repo = AccessRepository(session)
    out: list[EscalationRead] = []
    for row in repo.unescalated_overdue(local_date(now)):
        assert row.due_date is not None  # noqa: S101  # the query selects rows with a due date
        row.escalated_at = now
        row.escalated_to = escalation_member(row.owner_member)
        out.append(
            EscalationRead(
                request_id=row.id,
                resource_id=row.resource_id,
                owner_member=row.owner_member,
                escalated_to=row.escalated_to,
                due_date=row.due_date,
                escalated_at=now,
            )
        )
    session.flush()
    for item in out:
        ledger.append(
            session,
            kind=LEDGER_ESCALATION,
            subject=item.request_id,
            actor=actor,
            payload={
                "request_id": item.request_id,
                "resource_id": item.resource_id,
                "owner_member": item.owner_member,
                "escalated_to": item.escalated_to,
                "due_date": item.due_date.isoformat(),
            },
            clock=clock,
        )
    session.commit()
    return out


# ---------------------------------------------------------------------------------------------
# Reads


def get_request(
    session: Session, request_id: str, *, principal: Principal, clock: Clock
) -> AccessRequestRead:
    """One request, for users of its consumer or its owner."""
    repo = AccessRepository(session)
    row = _load_request(repo, request_id)
    ensure_party(principal, row.consumer_member, row.owner_member, "request")
    return _requests_read(repo, [row], clock())[0]


def list_requests(
    session: Session,
    *,
    principal: Principal,
    clock: Clock,
    side: Side | None = None,
    status: RequestStatus | None = None,
    overdue: bool = False,
    escalated: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> AccessRequestPage:
    """Requests the caller's members made (consumer) or received (owner), newest first.

    ``escalated``: only overdue requests escalated to one of the caller's members, i.e. the
    superior's inbox that :func:`escalate_overdue` fills (the ledger holds each escalation).
    """
    now = clock()
    consumer_of, owner_of = member_sides(principal, side)
    members = {m for m, roles in principal.roles.items() if roles}
    repo = AccessRepository(session)
    rows, total = repo.requests(
        consumer_of=consumer_of,
        owner_of=owner_of,
        status=status.value if status else None,
        overdue_before=local_date(now) if overdue else None,
        escalated_to=members if escalated else None,
        limit=limit,
        offset=offset,
    )
    return AccessRequestPage(
        items=_requests_read(repo, rows, now), total=total, limit=limit, offset=offset
    )
