"""Registering residents: the identity number is validated, hashed with a secret, then dropped."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.healthcode.compute import idnumber
from dyrd.healthcode.compute.features import local_date
from dyrd.healthcode.errors import ResidentExists
from dyrd.healthcode.models import Resident
from dyrd.healthcode.ports import IdSecret
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import ResidentCreate, ResidentRead
from dyrd.healthcode.service._common import (
    acting,
    jurisdiction_problem,
    raise_if_any,
    require_resident,
)


def resident_read(row: Resident) -> ResidentRead:
    """The API view of a resident."""
    return ResidentRead(
        id=row.id,
        jurisdiction=row.jurisdiction,
        initials=row.initials,
        birth_year=row.birth_year,
        created_at=row.created_at,
    )


def register_resident(
    session: Session,
    body: ResidentCreate,
    *,
    principal: Principal,
    clock: Clock,
    secret: IdSecret,
) -> ResidentRead:
    """Register a resident under a new pseudonymous id (data steward of the jurisdiction)."""
    raise_if_any(jurisdiction_problem(body.jurisdiction), what="resident")
    actor = acting(principal, Role.DATA_STEWARD, body.jurisdiction)
    now = clock()
    parsed, problems = idnumber.id_number_problems(body.id_number, today=local_date(now))
    raise_if_any(*problems, idnumber.initials_problem(body.initials), what="resident")
    assert parsed is not None  # noqa: S101  # no problems means parsed
    repo = HealthcodeRepository(session)
    digest = idnumber.id_hash(parsed.normalised, secret())
    if repo.resident_by_hash(digest) is not None:
        raise ResidentExists(
            "A resident with this identity number is already registered.",
            "该身份证号码的居民已登记。",
            hint="Look the resident up by their pseudonymous id instead.",
        )
    row = Resident(
        id=str(uuid.uuid4()),
        id_hash=digest,
        jurisdiction=body.jurisdiction,
        initials=body.initials,
        birth_year=parsed.birth_date.year,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add(row)
    session.commit()
    return resident_read(row)


def get_resident(session: Session, resident_id: str, *, principal: Principal) -> ResidentRead:
    """A resident (viewer role in their jurisdiction)."""
    row = require_resident(HealthcodeRepository(session), resident_id)
    acting(principal, Role.VIEWER, row.jurisdiction)
    return resident_read(row)
