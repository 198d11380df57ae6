"""The correction channel: a resident appeals a colour; the jurisdiction answers by a deadline.

The deadline counts working days on the exchange domain's calendar (weekends, State Council
holidays and make-up days: ``dyrd.exchange.WorkCalendar``); appeals still pending after the end
of their due day (China Standard Time) are overdue and listed as such.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.exchange import WorkCalendar
from dyrd.healthcode.compute.features import local_date
from dyrd.healthcode.errors import AppealClosed, AppealNotFound
from dyrd.healthcode.models import Appeal
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import AccessRead, AppealAnswer, AppealCreate, AppealRead
from dyrd.healthcode.service import audit
from dyrd.healthcode.service._common import (
    acting,
    jurisdiction_problem,
    raise_if_any,
    require_resident,
)
from dyrd.healthcode.service.colours import resident_colour
from dyrd.healthcode.types import AppealStatus

DEFAULT_APPEAL_WORKING_DAYS = 3
"""Working days a jurisdiction has to answer an appeal. A policy choice of the platform: GB/T
38963-2020 defines the error-correction interface but, as far as the public summaries say, no
deadline; three working days is shorter than the exchange's 10 for data requests because a wrong
red code confines a person. Set it per deployment."""


def _read(row: Appeal, at: datetime) -> AppealRead:
    return AppealRead(
        id=row.id,
        resident_id=row.resident_id,
        jurisdiction=row.jurisdiction,
        colour=row.colour,
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        reason=row.reason,
        status=AppealStatus(row.status),
        submitted_at=row.submitted_at,
        due_date=row.due_date,
        overdue=row.status == AppealStatus.PENDING and local_date(at) > row.due_date,
        answer=row.answer,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
    )


def submit_appeal(
    session: Session,
    resident_id: str,
    body: AppealCreate,
    *,
    principal: Principal,
    clock: Clock,
    calendar: WorkCalendar,
    working_days: int = DEFAULT_APPEAL_WORKING_DAYS,
) -> AppealRead:
    """Contest the resident's current colour (filed by a viewer of their jurisdiction for them)."""
    repo = HealthcodeRepository(session)
    resident = require_resident(repo, resident_id)
    actor = acting(principal, Role.VIEWER, resident.jurisdiction)
    current = resident_colour(session, resident_id, principal=principal, clock=clock)
    now = clock()
    row = Appeal(
        id=str(uuid.uuid4()),
        resident_id=resident_id,
        jurisdiction=resident.jurisdiction,
        colour=current.colour.value,
        rule_id=current.rule_id,
        rule_version=current.rule_version,
        reason=body.reason.strip(),
        status=AppealStatus.PENDING.value,
        submitted_at=now,
        submitted_by=f"{actor.user}@{actor.member}",
        due_date=calendar.add_working_days(local_date(now), working_days),
    )
    repo.add(row)
    audit.appeal_filed(session, row, actor=actor, clock=clock)
    session.commit()
    return _read(row, now)


def answer_appeal(
    session: Session, appeal_id: str, body: AppealAnswer, *, principal: Principal, clock: Clock
) -> AppealRead:
    """The jurisdiction's data steward answers: corrected (inputs fixed) or rejected, with why."""
    repo = HealthcodeRepository(session)
    row = repo.appeal(appeal_id)
    if row is None:
        raise AppealNotFound(f"No appeal {appeal_id!r}.", f"没有申诉 {appeal_id}。")
    actor = acting(principal, Role.DATA_STEWARD, row.jurisdiction)
    if row.status != AppealStatus.PENDING:
        raise AppealClosed(
            f"Appeal {appeal_id} was already answered ({row.status}).",
            f"申诉 {appeal_id} 已答复。",
            hint="File a new appeal to contest the colour again.",
        )
    now = clock()
    row.status = body.outcome
    row.answer = body.answer.strip()
    row.answered_at = now
    row.answered_by = actor.user
    row.answered_for = actor.member
    session.flush()
    audit.appeal_answered(session, row, actor=actor, clock=clock)
    session.commit()
    return _read(row, now)


def list_appeals(
    session: Session,
    *,
    principal: Principal,
    clock: Clock,
    jurisdiction: str,
    status: AppealStatus | None = None,
    overdue: bool = False,
) -> list[AppealRead]:
    """Appeals to a jurisdiction (viewer role there), oldest first; ``overdue``: only late ones."""
    raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    acting(principal, Role.VIEWER, jurisdiction)
    now = clock()
    rows = HealthcodeRepository(session).appeals(
        jurisdiction=jurisdiction,
        status=AppealStatus.PENDING.value if overdue else (status.value if status else None),
        due_before=local_date(now) if overdue else None,
    )
    return [_read(r, now) for r in rows]


def access_log(
    session: Session, resident_id: str, *, principal: Principal, limit: int = 100
) -> list[AccessRead]:
    """Who read or verified the resident's status or code, newest first.

    Meant for the resident; until residents sign in themselves, a viewer of their jurisdiction
    reads it for them (a service hall, the resident's app backend). Reading it is not logged.
    """
    repo = HealthcodeRepository(session)
    resident = require_resident(repo, resident_id)
    acting(principal, Role.VIEWER, resident.jurisdiction)
    return [
        AccessRead(accessed_at=r.accessed_at, user=r.user, member=r.member, action=r.action)
        for r in repo.access_log(resident_id, limit)
    ]
