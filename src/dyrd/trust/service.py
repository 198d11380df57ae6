"""Use cases of the trust domain (placeholder until users and tokens land)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd.core.auth import Authenticator, Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import AuthenticationRequired


def authenticator(clock: Clock) -> Authenticator:
    """Resolve bearer tokens to principals."""

    def authenticate(session: Session, token: str) -> Principal:
        raise AuthenticationRequired("Unknown token.", "令牌无效。")

    return authenticate
