"""Oversight HTTP API: OCDS validate/import/export, red flags, screens, risk; 4xx problem bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd.core.auth import Principal
from dyrd.core.types import Role
from tests.fakes import FakeAuthenticator

OCDS = Path(__file__).resolve().parents[1] / "external" / "ocds"
SAMPLE = OCDS / "sample-fictional-1.1" / "ocds-213czf-000-00001.json"
PROBLEM = "application/problem+json"
STEWARD = {"Authorization": "Bearer steward"}
VIEWER = {"Authorization": "Bearer viewer"}


@pytest.fixture
def api(app: FastAPI, client: TestClient) -> TestClient:
    app.state.authenticator = FakeAuthenticator(
        {
            "steward": Principal(user="s", roles={"CN-SH": frozenset({Role.DATA_STEWARD})}),
            "viewer": Principal(user="v", roles={"CN-SH": frozenset({Role.VIEWER})}),
        }
    )
    return client


def test_validate_reports_valid_and_invalid(api: TestClient) -> None:
    ok = api.post("/api/v1/market/ocds/validate", content=SAMPLE.read_bytes())
    assert ok.status_code == 200
    assert ok.json() == {"valid": True, "kind": "release-package", "issues": []}
    bad = json.loads(SAMPLE.read_text("utf-8"))
    del bad["releases"][0]["date"]
    report = api.post("/api/v1/market/ocds/validate", json=bad).json()
    assert report["valid"] is False
    assert report["issues"][0]["path"] == "/releases/0"
    assert "'date' is a required property" in report["issues"][0]["message"]


def test_non_json_is_a_422_problem(api: TestClient) -> None:
    response = api.post("/api/v1/market/ocds/validate", content=b"{oops")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "Not JSON" in response.json()["detail"]


def test_import_needs_a_steward_then_export_compiles(api: TestClient) -> None:
    body = SAMPLE.read_bytes()
    assert api.post("/api/v1/market/ocds/import", content=body).status_code == 401
    assert api.post("/api/v1/market/ocds/import", content=body, headers=VIEWER).status_code == 403
    created = api.post("/api/v1/market/ocds/import", content=body, headers=STEWARD)
    assert created.status_code == 201
    assert created.json()["imported"] == 6
    assert api.get("/api/v1/market/ocds/records").json() == ["ocds-213czf-000-00001"]
    package = api.get("/api/v1/market/ocds/records/ocds-213czf-000-00001").json()
    assert package["records"][0]["compiledRelease"]["tender"]["value"]["amount"] == 1100000
    missing = api.get("/api/v1/market/ocds/records/none")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)


def test_invalid_import_lists_the_paths(api: TestClient) -> None:
    bad = json.loads(SAMPLE.read_text("utf-8"))
    bad["releases"][1]["tag"] = ["bogus"]
    response = api.post("/api/v1/market/ocds/import", json=bad, headers=STEWARD)
    assert response.status_code == 422
    locations = [e["location"] for e in response.json()["errors"]]
    assert locations == ["/releases/1/tag/0"]


def test_red_flags_on_json_lines(api: TestClient) -> None:
    body = (OCDS / "cardinal-fixtures" / "R036.jsonl").read_bytes()
    report = api.post("/api/v1/market/red-flags", content=body).json()
    # Default settings: no procurementMethodDetails is excluded, so the NPC/EXC lines count too.
    expected = {"F", "invited", "withdrawn", "equal", "no price comparison"}
    assert set(report["results"]["OCID"]) == expected | {"exclude procurement method details"}
    assert report["flags"][0]["code"] == "R036"
    assert api.post("/api/v1/market/red-flags?currency=usd", content=body).status_code == 422


def test_screens(api: TestClient) -> None:
    tender = {
        "ocid": "t1",
        "bids": {
            "details": [
                {"id": str(i), "status": "valid", "value": {"amount": p, "currency": "CNY"}}
                for i, p in enumerate([100, 103, 104, 105, 107])
            ]
        },
    }
    report = api.post("/api/v1/market/screens?cv_max=0.03", json=tender).json()
    assert report["tenders"][0]["flagged"] is True
    assert set(report["tenders"][0]["extreme"]) == {"cv", "rd"}
    assert api.post("/api/v1/market/screens?min_screens=0", json=tender).status_code == 422


def test_risk_events_scores_alerts(api: TestClient) -> None:
    event = {"enterprise_id": "E1", "kind": "complaint", "occurred_at": "2026-01-05T00:00:00Z"}
    assert api.post("/api/v1/market/risk/events", json=event).status_code == 401
    created = api.post("/api/v1/market/risk/events", json=event, headers=STEWARD)
    assert created.status_code == 201
    assert created.json()["kind_zh"] == "投诉"
    bad = api.post("/api/v1/market/risk/events", json={**event, "kind": "gossip"}, headers=STEWARD)
    assert bad.status_code == 422
    naive = api.post(
        "/api/v1/market/risk/events",
        json={**event, "occurred_at": "2026-01-05T00:00:00"},
        headers=STEWARD,
    )
    assert naive.status_code == 422
    scores = api.get("/api/v1/market/risk").json()
    assert scores[0]["enterprise_id"] == "E1"
    assert scores[0]["level"] == "watch"
    assert api.get("/api/v1/market/risk/E1").json()["score"] == pytest.approx(1.0)
    assert api.get("/api/v1/market/risk/E2").status_code == 404
    raised = api.post("/api/v1/market/risk/alerts", headers=STEWARD).json()
    assert [a["level"] for a in raised] == ["watch"]
    assert len(api.get("/api/v1/market/risk/alerts").json()) == 1
    wrong = api.post("/api/v1/market/risk", json={"weights": {"weights": {}}})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["location"] == "weights"
