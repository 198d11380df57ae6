"""Fixtures of the health-code storage tests: principals, member keys, a wired app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.healthcode import service
from dyrd.healthcode.compute.idnumber import check_char
from dyrd.trust import service as trust_service
from tests.fakes import FakeAuthenticator, InMemoryKeyStore

ZJ = "CN-YRD/GOV/330000"
SH = "CN-YRD/GOV/310000"
REGION_STEWARD = Principal("region.steward", {"CN-YRD": frozenset({Role.DATA_STEWARD})})
ZJ_STEWARD = Principal("zj.steward", {ZJ: frozenset({Role.DATA_STEWARD})})
SH_VIEWER = Principal("sh.checkpoint", {SH: frozenset({Role.VIEWER})})
TOKENS = {"region": REGION_STEWARD, "zj": ZJ_STEWARD, "sh": SH_VIEWER}


def auth(token: str) -> dict[str, str]:
    """Authorization header for one of TOKENS."""
    return {"Authorization": f"Bearer {token}"}


def id_number(first17: str) -> str:
    """A valid identity number from its first 17 digits."""
    return first17 + check_char(first17)


@pytest.fixture
def keystore(session: Session, clock: Clock) -> InMemoryKeyStore:
    """The region's root key and the four jurisdictions' ES256 keys, each certified by a DSC
    (as `dyrd key init` and `dyrd trust cert issue --member ...` make them), and the sample
    rules and acceptance policies signed with them and stored."""
    store = InMemoryKeyStore()
    trust_service.create_key(
        session, "CN-YRD", algorithm="ES256", keystore=store, by=Actor.system(), clock=clock
    )
    for code in ("310000", "320000", "330000", "340000"):
        trust_service.create_key(
            session,
            f"CN-YRD/GOV/{code}",
            algorithm="ES256",
            keystore=store,
            by=Actor.system(),
            clock=clock,
        )
        trust_service.issue_certificate(
            session, f"CN-YRD/GOV/{code}", keystore=store, by=Actor.system(), clock=clock
        )
    service.load_sample_rules(session, keystore=store, clock=clock)
    service.store_sample_policies(session, keystore=store, clock=clock)
    return store


@pytest.fixture
def hc_app(app: FastAPI, keystore: InMemoryKeyStore) -> FastAPI:
    """The app with fake tokens, the in-memory keys and a fixed identity-hash secret."""
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    app.state.trust_keystore = keystore
    app.state.healthcode_id_secret = lambda: b"test-secret-" * 3
    return app
