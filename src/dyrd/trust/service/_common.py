"""Checks every use case shares: input validation with bilingual messages, authorisation."""

from __future__ import annotations

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.errors import FieldError, NotFoundError, PermissionDenied, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust.models import User
from dyrd.trust.repository import TrustRepository
from dyrd.trust.types import (
    MEMBER_ID_EXAMPLE,
    MemberKind,
    MemberPath,
    is_one_line,
    is_valid_username,
)

Caller = Principal | Actor
"""Who invokes a use case: a Principal, whose roles are checked, or an operator's Actor (the CLI,
run by someone with database access, typically ``Actor.system()``), which is trusted as is."""

# --- validation ------------------------------------------------------------------------------


def member_id_problem(value: str, location: str) -> FieldError | None:
    if MemberPath.parse(value) is not None:
        return None
    return FieldError(
        location,
        "Not a member identifier: use CN-YRD, CN-YRD/GOV/<6-digit code> or "
        f"CN-YRD/GOV/<code>/<DEPARTMENT in capitals>, e.g. {MEMBER_ID_EXAMPLE}.",
        "不是合法的成员标识：应为 CN-YRD、CN-YRD/GOV/<6位行政区划代码> 或 "
        f"CN-YRD/GOV/<代码>/<大写部门代码>，例如 {MEMBER_ID_EXAMPLE}。",
        value,
    )


def role_problem(value: str) -> FieldError | None:
    if value in {r.value for r in Role}:
        return None
    choices = ", ".join(r.value for r in Role)
    return FieldError(
        "role", f"Unknown role; choose one of {choices}.", f"未知角色，可选：{choices}。", value
    )


def kind_problem(value: str) -> FieldError | None:
    if value in {k.value for k in MemberKind}:
        return None
    choices = ", ".join(k.value for k in MemberKind)
    return FieldError(
        "kind", f"Unknown kind; choose one of {choices}.", f"未知类别，可选：{choices}。", value
    )


def username_problem(username: str) -> FieldError | None:
    if is_valid_username(username):
        return None
    return FieldError(
        "username",
        "Use 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter.",
        "用户名须为 2-64 位小写字母、数字、'.'、'_' 或 '-'，并以字母开头。",
        username,
    )


def text_problem(
    value: str, location: str, max_length: int, *, required: bool = True
) -> FieldError | None:
    if not is_one_line(value):
        return FieldError(
            location, "Must be one line without control characters.", "不能包含换行或控制字符。"
        )
    if required and not value.strip():
        return FieldError(location, "Must not be empty.", "不能为空。", value)
    if len(value) > max_length:
        return FieldError(
            location, f"At most {max_length} characters.", f"最多 {max_length} 个字符。"
        )
    return None


def raise_if_any(*problems: FieldError | None) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise ValidationFailed(
            f"{len(found)} value(s) are invalid: {', '.join(p.location for p in found)}.",
            f"{len(found)} 个值无效：{'、'.join(p.location for p in found)}。",
            hint="Each listed value says what is expected; correct them and try again.",
            errors=found,
        )


def parsed_path(member_id: str, location: str) -> MemberPath:
    path = MemberPath.parse(member_id)
    if path is None:
        raise_if_any(member_id_problem(member_id, location))
        raise AssertionError(member_id)  # pragma: no cover  # the line above raised
    return path


def member_not_found(member_id: str) -> NotFoundError:
    return NotFoundError(
        f"No member {member_id!r}.",
        f"没有成员 {member_id}。",
        hint="List members with `dyrd member list` or GET /api/v1/trust/members.",
    )


def require_member(repo: TrustRepository, member_id: str) -> None:
    """``member_id`` must name an existing member."""
    if repo.member(member_id) is None:
        raise member_not_found(member_id)


# --- authorisation ---------------------------------------------------------------------------


def acting(by: Caller, role: Role, member: str | None = None) -> Actor:
    """The actor of a write: an operator as is, a principal only if it holds ``role``."""
    if isinstance(by, Actor):
        return by
    return by.acting_for(role, member)


def admin_over(by: Caller, repo: TrustRepository, username: str) -> Actor:
    """An admin of some member where ``username`` holds a role (a region admin covers all)."""
    if isinstance(by, Actor):
        return by
    for member_id in sorted({r.member_id for r in repo.live_roles(username)}):
        if by.has_role(Role.ADMIN, member_id):
            return by.acting_for(Role.ADMIN, member_id)
    if by.has_role(Role.ADMIN, REGION_MEMBER_ID):
        return by.acting_for(Role.ADMIN, REGION_MEMBER_ID)
    raise PermissionDenied(
        f"User {by.user!r} may not manage user {username!r}: that needs the admin role "
        "in a member where that user holds a role.",
        f"用户 {by.user} 无权管理用户 {username}：需要在该用户所属成员中拥有 admin 角色。",
        hint="Ask an administrator of that user's member.",
    )


def for_self_or_admin(by: Caller, repo: TrustRepository, username: str) -> Actor:
    if isinstance(by, Principal) and by.user == username:
        return by.acting_for(Role.VIEWER)
    return admin_over(by, repo, username)


def user_or_404(repo: TrustRepository, username: str) -> User:
    user = repo.user(username)
    if user is None:
        raise NotFoundError(
            f"No user {username!r}.",
            f"没有用户 {username}。",
            hint="Create it with `dyrd user create` or POST /api/v1/trust/users.",
        )
    return user
