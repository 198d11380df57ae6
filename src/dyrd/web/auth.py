"""Signing in to the dashboard with an API token, and the CSRF check of its forms.

The steward pastes a token from `dyrd token create` (or POST /api/v1/trust/tokens); the server
resolves it with the app's authenticator, the same one the API uses, and keeps it in an httponly,
SameSite=Strict cookie (Secure when served over https). Every page re-resolves it, so a revoked or
expired token, or a deactivated user, signs the browser out at once.

CSRF: double-submit cookie. A random value lives in its own cookie and in a hidden field of each
form; a POST whose field does not equal the cookie is refused. A cross-site page can neither read
the cookie nor set it, and SameSite=Strict keeps the browser from sending it along anyway.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from fastapi import Request, Response

from dyrd.core.auth import Authenticator, Principal
from dyrd.core.errors import DyrdError

SESSION_COOKIE = "dyrd_session"
CSRF_COOKIE = "dyrd_csrf"
CSRF_FIELD = "csrf"
SESSION_MAX_AGE = 8 * 3600
"""A working day: the cookie goes, the token (with its own expiry) stays valid for the API."""
_CSRF_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_MAX_TOKEN = 512


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def resolve(request: Request, token: str) -> Principal:
    """The principal behind ``token`` (the API's authenticator); raises AuthenticationRequired."""
    authenticate: Authenticator = request.app.state.authenticator
    with request.app.state.session_factory() as session:
        return authenticate(session, token)


def viewer(request: Request) -> Principal | None:
    """The signed-in user of this request, or None (no cookie, or a token no longer valid)."""
    state: Any = request.state
    if hasattr(state, "dyrd_viewer"):
        cached: Principal | None = state.dyrd_viewer
        return cached
    token = request.cookies.get(SESSION_COOKIE, "")
    found: Principal | None = None
    if token and len(token) <= _MAX_TOKEN:
        try:
            found = resolve(request, token)
        except DyrdError:  # unknown, revoked, expired, deactivated: simply signed out
            found = None
    state.dyrd_viewer = found
    return found


def sign_in(response: Response, request: Request, token: str) -> None:
    """Keep a verified token in the session cookie (and start a fresh CSRF value)."""
    _cookie(response, request, SESSION_COOKIE, token, SESSION_MAX_AGE)
    _cookie(response, request, CSRF_COOKIE, secrets.token_urlsafe(32), SESSION_MAX_AGE)


def sign_out(response: Response, request: Request) -> None:
    """Forget the session cookie and the CSRF value."""
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(
            name, path="/", httponly=True, samesite="strict", secure=_secure(request)
        )


def csrf_token(request: Request) -> str:
    """The CSRF value forms of this page carry: the cookie's, or a new one set with the page."""
    state: Any = request.state
    current = request.cookies.get(CSRF_COOKIE, "")
    if _CSRF_SHAPE.match(current):
        return current
    fresh: str | None = getattr(state, "dyrd_new_csrf", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        state.dyrd_new_csrf = fresh
    return fresh


def keep_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when this page minted a new value for its forms."""
    fresh: str | None = getattr(request.state, "dyrd_new_csrf", None)
    if fresh is not None:
        _cookie(response, request, CSRF_COOKIE, fresh, SESSION_MAX_AGE)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """Whether a form's CSRF field equals the cookie (constant-time)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not submitted or not _CSRF_SHAPE.match(cookie):
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def safe_next(value: str | None, default: str = "/exchange/requests") -> str:
    """A local path to return to after signing in; anything else (other hosts) is the default."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if len(value) > 300 or any(c in value for c in "\r\n"):
        return default
    return value
