"""Fixtures of the market storage tests: principals, member keys, a movable clock, the app."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.trust import service as trust_service
from tests.conftest import FIXED_NOW
from tests.fakes import FakeAuthenticator, InMemoryKeyStore

SH = "CN-YRD/GOV/310000"
ZJ = "CN-YRD/GOV/330000"
SH_STEWARD = Principal("sh.steward", {SH: frozenset({Role.DATA_STEWARD})})
ZJ_STEWARD = Principal("zj.steward", {ZJ: frozenset({Role.DATA_STEWARD})})
SH_VIEWER = Principal("sh.viewer", {SH: frozenset({Role.VIEWER})})
SH_ADMIN = Principal("sh.admin", {SH: frozenset({Role.ADMIN})})
BIDDER_A = Principal("bidder.a", {"CN-YRD/GOV/320000": frozenset({Role.VIEWER})})
BIDDER_B = Principal("bidder.b", {"CN-YRD/GOV/320000": frozenset({Role.VIEWER})})
BIDDER_C = Principal("bidder.c", {"CN-YRD/GOV/340000": frozenset({Role.VIEWER})})
TOKENS = {
    "sh": SH_STEWARD,
    "zj": ZJ_STEWARD,
    "shview": SH_VIEWER,
    "shadmin": SH_ADMIN,
    "a": BIDDER_A,
    "b": BIDDER_B,
    "c": BIDDER_C,
}


def auth(token: str) -> dict[str, str]:
    """Authorization header for one of TOKENS."""
    return {"Authorization": f"Bearer {token}"}


class MovableClock:
    """A clock the test moves forward (deadlines, openings, auction ends)."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.now += delta


@pytest.fixture
def keystore(session: Session, clock: Clock) -> InMemoryKeyStore:
    """The region's root key and ES256 keys of Shanghai and Zhejiang (as `dyrd key init`)."""
    store = InMemoryKeyStore()
    for member in ("CN-YRD", SH, ZJ):
        trust_service.create_key(
            session, member, algorithm="ES256", keystore=store, by=Actor.system(), clock=clock
        )
    return store


@pytest.fixture
def moving() -> MovableClock:
    """A movable clock starting at the fixed test time."""
    return MovableClock()


@pytest.fixture
def market_app(app: FastAPI, keystore: InMemoryKeyStore, moving: MovableClock) -> FastAPI:
    """The app with fake tokens, the in-memory keys and the movable clock."""
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    app.state.trust_keystore = keystore
    app.state.clock = moving
    return app
