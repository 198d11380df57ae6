"""FastAPI dependencies shared by every domain's router (Annotated aliases)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from dyrd.core.auth import Authenticator, Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import AuthenticationRequired

_bearer = HTTPBearer(auto_error=False, description="API token from `dyrd token create`")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services commit, this closes (rolling back anything left)."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


def get_clock(request: Request) -> Clock:
    """The clock wired by the composition root."""
    clock: Clock = request.app.state.clock
    return clock


SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind the bearer token; 401 when missing or invalid."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthenticationRequired(
            "Missing bearer token.",
            "缺少访问令牌。",
            hint="Send 'Authorization: Bearer <token>'; create one with `dyrd token create`.",
        )
    authenticate: Authenticator = request.app.state.authenticator
    return authenticate(session, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
