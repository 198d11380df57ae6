"""API tokens: issuing, listing, revoking, and resolving a bearer token to a principal."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dyrd.core.auth import Authenticator, Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import (
    AuthenticationRequired,
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDenied,
)
from dyrd.core.types import Role
from dyrd.trust.compute import tokens
from dyrd.trust.models import ApiToken
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import MAX_TOKEN_DAYS, TokenCreated, TokenRead
from dyrd.trust.service._common import (
    Caller,
    acting,
    admin_over,
    for_self_or_admin,
    raise_if_any,
    text_problem,
    user_or_404,
)
from dyrd.trust.types import TokenStatus

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is rewritten at most this often, so reads do not each cost a write."""


def _status(row: ApiToken, now: datetime) -> TokenStatus:
    if row.revoked_at is not None:
        return TokenStatus.REVOKED
    if row.expires_at <= now:
        return TokenStatus.EXPIRED
    return TokenStatus.ACTIVE


def _token_read(row: ApiToken, now: datetime) -> TokenRead:
    return TokenRead(
        id=row.id,
        username=row.username,
        name=row.name,
        prefix=row.prefix,
        status=_status(row, now),
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        created_by=row.created_by,
        created_for=row.created_for,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


def create_token(
    session: Session, username: str, *, days: int, name: str = "", by: Caller, clock: Clock
) -> TokenCreated:
    """Issue a token valid for ``days``; the secret is in the result and nowhere else."""
    repo = TrustRepository(session)
    bad_days = None
    if not 1 <= days <= MAX_TOKEN_DAYS:
        bad_days = FieldError(
            "days",
            f"Lifetime must be 1 to {MAX_TOKEN_DAYS} days.",
            f"有效期须为 1 至 {MAX_TOKEN_DAYS} 天。",
            str(days),
        )
    raise_if_any(bad_days, text_problem(name, "name", 64, required=False))
    user = user_or_404(repo, username)
    if isinstance(by, Principal) and by.user != username:
        raise PermissionDenied(
            f"User {by.user!r} may not create tokens for {username!r}: tokens are personal.",
            f"用户 {by.user} 不能为 {username} 创建令牌：令牌仅限本人。",
            hint="The user creates their own, or an operator runs `dyrd token create`.",
        )
    if not user.active:
        raise ConflictError(
            f"User {username!r} is deactivated; a token for them would not work.",
            f"用户 {username} 已停用，无法为其创建令牌。",
            hint="Reactivate the user with `dyrd user activate` first.",
        )
    actor = acting(by, Role.VIEWER)
    secret = tokens.TOKEN_MARK + secrets.token_urlsafe(tokens.TOKEN_ENTROPY_BYTES)
    now = clock()
    row = repo.add_token(
        username,
        name.strip(),
        prefix=tokens.display_prefix(secret),
        token_hash=tokens.hash_token(secret),
        expires_at=now + timedelta(days=days),
        actor=actor,
        at=now,
    )
    session.commit()
    return TokenCreated(**_token_read(row, now).model_dump(), token=secret)


def list_tokens(session: Session, username: str, *, by: Caller, clock: Clock) -> list[TokenRead]:
    """A user's tokens (never secrets or digests): their own, or as an admin over them."""
    repo = TrustRepository(session)
    user_or_404(repo, username)
    if not (isinstance(by, Principal) and by.user == username):
        admin_over(by, repo, username)
    now = clock()
    return [_token_read(t, now) for t in repo.tokens_of(username)]


def revoke_token(session: Session, token_id: int, *, by: Caller, clock: Clock) -> TokenRead:
    """Revoke a token: one's own, or another's as an admin over its owner; idempotent."""
    repo = TrustRepository(session)
    row = repo.token(token_id)
    if row is None:
        raise NotFoundError(
            f"No API token with id {token_id}.",
            f"没有编号为 {token_id} 的访问令牌。",
            hint="List tokens with `dyrd token list USERNAME` or GET /api/v1/trust/tokens.",
        )
    actor = for_self_or_admin(by, repo, row.username)
    now = clock()
    if row.revoked_at is None:
        repo.revoke_token(row, actor=actor, at=now)
        session.commit()
    return _token_read(row, now)


# --- authentication --------------------------------------------------------------------------


def _unknown_token() -> AuthenticationRequired:
    return AuthenticationRequired(
        "Unknown API token.",
        "访问令牌无效。",
        hint="Check the whole token was sent; create one with `dyrd token create USERNAME`.",
    )


def authenticate(session: Session, token: str, *, clock: Clock) -> Principal:
    """The principal behind ``token``; AuthenticationRequired when unusable for any reason."""
    if not tokens.looks_like_token(token):
        raise _unknown_token()
    repo = TrustRepository(session)
    row = next(
        (
            t
            for t in repo.tokens_with_prefix(tokens.display_prefix(token))
            if tokens.digest_matches(t.token_hash, token)
        ),
        None,
    )
    if row is None:
        raise _unknown_token()
    now = clock()
    status = _status(row, now)
    if status is TokenStatus.REVOKED:
        raise AuthenticationRequired(
            f"API token {row.prefix}… was revoked.",
            f"访问令牌 {row.prefix}… 已被吊销。",
            hint="Create a new token with `dyrd token create` or POST /api/v1/trust/tokens.",
        )
    if status is TokenStatus.EXPIRED:
        raise AuthenticationRequired(
            f"API token {row.prefix}… expired at {row.expires_at.isoformat()}.",
            f"访问令牌 {row.prefix}… 已于 {row.expires_at.isoformat()} 过期。",
            hint="Create a new token with `dyrd token create`.",
        )
    user = repo.user(row.username)
    if user is None or not user.active:
        raise AuthenticationRequired(
            f"User {row.username!r} is deactivated.",
            f"用户 {row.username} 已停用。",
            hint="Ask an administrator to reactivate the account.",
        )
    roles: dict[str, set[Role]] = {}
    for grant in repo.live_roles(user.username):
        roles.setdefault(grant.member_id, set()).add(Role(grant.role))
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        repo.touch_token(row, now)
        session.commit()
    return Principal(user=user.username, roles={m: frozenset(r) for m, r in roles.items()})


def authenticator(clock: Clock) -> Authenticator:
    """Resolve bearer tokens to principals."""

    def authenticate_with_clock(session: Session, token: str) -> Principal:
        return authenticate(session, token, clock=clock)

    return authenticate_with_clock
