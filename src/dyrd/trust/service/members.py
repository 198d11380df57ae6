"""Members: the default tree, listing, creating jurisdictions and departments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, NotFoundError
from dyrd.core.types import Role
from dyrd.trust import defaults
from dyrd.trust.models import Member
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import MemberRead
from dyrd.trust.service._common import (
    Caller,
    acting,
    kind_problem,
    member_id_problem,
    member_not_found,
    parsed_path,
    raise_if_any,
    text_problem,
)
from dyrd.trust.types import MemberPath


@dataclass(frozen=True, slots=True)
class MemberLoadReport:
    """What seeding the default members did."""

    created: int
    existing: int


def load_default_members(session: Session, *, clock: Clock) -> MemberLoadReport:
    """Create the region, its four jurisdictions and their departments if missing; idempotent."""
    repo = TrustRepository(session)
    known = repo.member_ids()
    now = clock()
    created = 0
    for spec in defaults.default_members():  # parents come before their children
        if spec.id in known:
            continue
        path = MemberPath.parse(spec.id)
        if path is None:  # pragma: no cover  # the defaults are tested to parse
            raise ValueError(spec.id)
        repo.add_member(path, spec.name_zh, spec.name_en, actor=Actor.system(), at=now)
        created += 1
    session.commit()
    return MemberLoadReport(created=created, existing=len(defaults.default_members()) - created)


def _member_or_404(repo: TrustRepository, member_id: str) -> Member:
    member = repo.member(member_id)
    if member is None:
        raise member_not_found(member_id)
    return member


def list_members(
    session: Session, *, parent_id: str | None = None, kind: str | None = None
) -> list[MemberRead]:
    """Members, optionally only the children of ``parent_id`` and/or of one kind."""
    repo = TrustRepository(session)
    raise_if_any(
        None if parent_id is None else member_id_problem(parent_id, "parent"),
        None if kind is None else kind_problem(kind),
    )
    if parent_id is not None:
        _member_or_404(repo, parent_id)
    return [MemberRead.model_validate(m) for m in repo.members(parent_id=parent_id, kind=kind)]


def get_member(session: Session, member_id: str) -> MemberRead:
    """One member."""
    return MemberRead.model_validate(_member_or_404(TrustRepository(session), member_id))


def create_member(
    session: Session, *, member_id: str, name_zh: str, name_en: str, by: Caller, clock: Clock
) -> MemberRead:
    """Add a jurisdiction or department; needs the admin role in its parent."""
    repo = TrustRepository(session)
    raise_if_any(
        member_id_problem(member_id, "id"),
        text_problem(name_zh, "name_zh", 128),
        text_problem(name_en, "name_en", 256),
    )
    path = parsed_path(member_id, "id")
    if path.parent_id is None:
        raise ConflictError(
            "The region member CN-YRD is created by loading the defaults, not by hand.",
            "区域成员 CN-YRD 由默认数据载入创建，不能手工创建。",
            hint="Run `dyrd member load`.",
        )
    if repo.member(path.parent_id) is None:
        raise NotFoundError(
            f"The parent member {path.parent_id!r} of {path.id!r} does not exist.",
            f"{path.id} 的上级成员 {path.parent_id} 不存在。",
            hint="Create the parent first; `dyrd member load` creates the default members.",
        )
    actor = acting(by, Role.ADMIN, path.parent_id)
    if repo.member(path.id) is not None:
        raise ConflictError(f"Member {path.id!r} already exists.", f"成员 {path.id} 已存在。")
    row = repo.add_member(path, name_zh.strip(), name_en.strip(), actor=actor, at=clock())
    session.commit()
    return MemberRead.model_validate(row)
