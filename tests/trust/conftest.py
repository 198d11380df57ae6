"""Fixtures of the trust tests: users with tokens, created the way an operator would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.trust import service
from tests.fakes import InMemoryKeyStore

ZJ = "CN-YRD/GOV/330000"
ZJ_DSJ = "CN-YRD/GOV/330000/DSJ"
ZJ_WJW = "CN-YRD/GOV/330000/WJW"
JS = "CN-YRD/GOV/320000"
JS_WJW = "CN-YRD/GOV/320000/WJW"

Issue = Callable[..., str]


@pytest.fixture
def issue(session: Session, clock: Clock) -> Issue:
    """Create a user holding ``role`` in ``member`` (as the system) and return a token of theirs."""

    def _issue(username: str, member: str = ZJ_DSJ, role: str = "viewer", *, days: int = 30) -> str:
        service.create_user(
            session,
            username=username,
            member_id=member,
            role=role,
            by=Actor.system(),
            clock=clock,
        )
        return service.create_token(
            session, username, days=days, by=Actor.system(), clock=clock
        ).token

    return _issue


@pytest.fixture
def keystore() -> InMemoryKeyStore:
    """Private keys in memory, fresh for each test."""
    return InMemoryKeyStore()


@pytest.fixture
def keyed(session: Session, clock: Clock, keystore: InMemoryKeyStore) -> InMemoryKeyStore:
    """The default keys (region root, ES256 + EdDSA per jurisdiction) in ``keystore``."""
    service.init_default_keys(session, keystore=keystore, clock=clock)
    return keystore
