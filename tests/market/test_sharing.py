"""Risk scores shared through the exchange catalog as a conditional table, read under grants."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import exchange
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import PermissionDenied
from dyrd.core.types import Role
from dyrd.market.schemas import RiskEventCreate
from dyrd.market.service import risk
from dyrd.market.service.sharing import RISK_DATASET, share_risk_scores
from tests.fakes import FakeAuthenticator

OWNER = "CN-YRD/GOV/310000/SCJGJ"
STEWARD = Principal("sh.steward", {OWNER: frozenset({Role.DATA_STEWARD})})


def _events(session: Session, clock: Clock) -> None:
    actor = Actor(user="sh.analyst", member=OWNER)
    for eid, kind in (
        ("91310000A", "complaint"),
        ("91310000A", "ip_infringement"),
        ("B", "red_flag"),
    ):
        body = RiskEventCreate(enterprise_id=eid, kind=kind, occurred_at=clock())
        risk.record_event(session, body, actor=actor, clock=clock)


def test_scores_become_a_conditional_catalog_table(session: Session, clock: Clock) -> None:
    _events(session, clock)
    entry = share_risk_scores(session, principal=STEWARD, clock=clock, owner_member=OWNER)
    assert entry.sharing_class is exchange.SharingClass.CONDITIONAL
    assert entry.data is not None
    assert entry.data.row_count == 2
    again = share_risk_scores(session, principal=STEWARD, clock=clock, owner_member=OWNER)
    assert again.version == entry.version
    found = exchange.service.get_resource(session, RISK_DATASET)
    assert [c.name for c in found.columns][:3] == ["enterprise_id", "score", "level"]


def test_sharing_needs_a_data_steward(session: Session, clock: Clock) -> None:
    viewer = Principal("v", {OWNER: frozenset({Role.VIEWER})})
    with pytest.raises(PermissionDenied):
        share_risk_scores(session, principal=viewer, clock=clock, owner_member=OWNER)


def test_share_over_http(app: FastAPI, client: TestClient, session: Session, clock: Clock) -> None:
    _events(session, clock)
    viewer = Principal("v", {OWNER: frozenset({Role.VIEWER})})
    app.state.authenticator = FakeAuthenticator({"s": STEWARD, "v": viewer})
    url = f"/api/v1/market/risk-shares?owner_member={OWNER}"
    assert client.post(url).status_code == 401
    shared = client.post(url, headers={"Authorization": "Bearer s"})
    assert shared.status_code == 200, shared.text
    assert shared.json()["sharing_class"] == "conditional"
    refused = client.post(url, headers={"Authorization": "Bearer v"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
