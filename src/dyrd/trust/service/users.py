"""Users and the roles they hold in members."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, NotFoundError
from dyrd.core.types import Role
from dyrd.trust.models import User
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import RoleAssignmentRead, UserRead
from dyrd.trust.service._common import (
    Caller,
    acting,
    admin_over,
    member_id_problem,
    raise_if_any,
    require_member,
    role_problem,
    text_problem,
    user_or_404,
    username_problem,
)
from dyrd.trust.types import RESERVED_USERNAMES


def _user_read(repo: TrustRepository, user: User) -> UserRead:
    return UserRead(
        username=user.username,
        display_name=user.display_name,
        active=user.active,
        created_by=user.created_by,
        created_for=user.created_for,
        created_at=user.created_at,
        roles=[RoleAssignmentRead.model_validate(r) for r in repo.live_roles(user.username)],
    )


def create_user(
    session: Session,
    *,
    username: str,
    member_id: str,
    role: str,
    display_name: str | None = None,
    by: Caller,
    clock: Clock,
) -> UserRead:
    """Create a user holding ``role`` in ``member_id``; needs the admin role in that member."""
    repo = TrustRepository(session)
    raise_if_any(
        username_problem(username),
        member_id_problem(member_id, "member_id"),
        role_problem(role),
        None if display_name is None else text_problem(display_name, "display_name", 128),
    )
    require_member(repo, member_id)
    actor = acting(by, Role.ADMIN, member_id)
    if username in RESERVED_USERNAMES:
        raise ConflictError(
            f"The username {username!r} is reserved for the platform itself.",
            f"用户名 {username} 为平台保留，不能使用。",
            hint="Choose another username.",
        )
    if repo.user(username) is not None:
        raise ConflictError(
            f"User {username!r} already exists.",
            f"用户 {username} 已存在。",
            hint="Grant it another role with `dyrd user grant` instead.",
        )
    now = clock()
    user = repo.add_user(username, (display_name or username).strip(), actor=actor, at=now)
    repo.add_role(username, member_id, Role(role).value, actor=actor, at=now)
    session.commit()
    return _user_read(repo, user)


def get_user(session: Session, username: str) -> UserRead:
    """A user with the roles they hold now."""
    repo = TrustRepository(session)
    return _user_read(repo, user_or_404(repo, username))


def grant_role(
    session: Session, username: str, *, member_id: str, role: str, by: Caller, clock: Clock
) -> RoleAssignmentRead:
    """Grant ``role`` in ``member_id``; needs the admin role in that member."""
    repo = TrustRepository(session)
    raise_if_any(member_id_problem(member_id, "member_id"), role_problem(role))
    require_member(repo, member_id)
    actor = acting(by, Role.ADMIN, member_id)
    user_or_404(repo, username)
    parsed = Role(role)
    if repo.live_role(username, member_id, parsed.value) is not None:
        raise ConflictError(
            f"User {username!r} already holds {parsed.value!r} in {member_id!r}.",
            f"用户 {username} 已在 {member_id} 中拥有 {parsed.value} 角色。",
        )
    row = repo.add_role(username, member_id, parsed.value, actor=actor, at=clock())
    session.commit()
    return RoleAssignmentRead.model_validate(row)


def revoke_role(
    session: Session, username: str, *, member_id: str, role: str, by: Caller, clock: Clock
) -> None:
    """Revoke a live grant (kept as history); needs the admin role in that member."""
    repo = TrustRepository(session)
    raise_if_any(member_id_problem(member_id, "member_id"), role_problem(role))
    actor = acting(by, Role.ADMIN, member_id)
    row = repo.live_role(username, member_id, Role(role).value)
    if row is None:
        raise NotFoundError(
            f"User {username!r} holds no {role!r} role in {member_id!r}.",
            f"用户 {username} 在 {member_id} 中没有 {role} 角色。",
            hint="See the user's roles with `dyrd user show`.",
        )
    repo.revoke_role(row, actor=actor, at=clock())
    session.commit()


def set_user_active(
    session: Session, username: str, *, active: bool, by: Caller, clock: Clock
) -> UserRead:
    """(De)activate a user: a deactivated user's tokens stop authenticating."""
    repo = TrustRepository(session)
    user = user_or_404(repo, username)
    actor = admin_over(by, repo, username)
    repo.set_active(user, active, actor=actor, at=clock())
    session.commit()
    return _user_read(repo, user)
