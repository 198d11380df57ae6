"""HTTP routes of access requests and grants: flows and problem+json errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd.ledger import service as ledger_service
from tests.exchange.access_support import CONSUMER, OWNER, TOKENS, request_body
from tests.exchange.conftest import auth, table_payload
from tests.fakes import FakeAuthenticator

PROBLEM = "application/problem+json"
BASE = "/api/v1/exchange"


@pytest.fixture
def api(app: FastAPI) -> TestClient:
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    return TestClient(app, raise_server_exceptions=False)


def _resource(api: TestClient, sharing_class: str) -> str:
    extra: dict[str, Any] = {
        "owner_member": OWNER,
        "sharing_class": sharing_class,
        "name": f"api-access-{sharing_class.replace('_', '-')}",
    }
    if sharing_class == "not_shared":
        extra["not_shared_reason"] = "涉密 / classified"
    resp = api.post(
        "/api/v1/catalog/resources", json=table_payload(**extra), headers=auth("owner-steward")
    )
    assert resp.status_code == 201, resp.text
    rid: str = resp.json()["id"]
    return rid


def _problem(resp: Any, status: int, type_: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    if type_ is not None:
        assert body["type"] == f"urn:dyrd:problem:{type_}"
    return body


def test_conditional_flow_request_decide_read_revoke(api: TestClient) -> None:
    res = _resource(api, "conditional")
    resp = api.post(f"{BASE}/requests", json=request_body(res), headers=auth("analyst"))
    assert resp.status_code == 201, resp.text
    req = resp.json()
    assert resp.headers["location"] == f"{BASE}/requests/{req['id']}"
    assert (req["status"], req["due_date"], req["overdue"]) == ("pending", "2026-12-10", False)
    assert req["purpose_label_zh"] == "市场监管"

    inbox = api.get(f"{BASE}/requests", params={"side": "owner"}, headers=auth("owner-steward"))
    assert [r["id"] for r in inbox.json()["items"]] == [req["id"]]
    assert (
        api.get(f"{BASE}/requests", params={"status": "granted"}, headers=auth("analyst")).json()[
            "total"
        ]
        == 0
    )

    decided = api.post(
        f"{BASE}/requests/{req['id']}/decision",
        json={"decision": "approve", "fields": ["score"], "duration_days": 10},
        headers=auth("owner-steward"),
    )
    assert decided.status_code == 200, decided.text
    gid = decided.json()["grant_id"]
    grant = api.get(f"{BASE}/grants/{gid}", headers=auth("analyst")).json()
    assert grant["fields"] == ["score"]
    assert grant["status"] == "active"
    assert grant["purpose_zh"] == "跨省企业信用联合监管"
    mine = api.get(f"{BASE}/grants", params={"side": "consumer"}, headers=auth("analyst")).json()
    assert [g["id"] for g in mine["items"]] == [gid]

    revoked = api.post(
        f"{BASE}/grants/{gid}/revoke", json={"reason": "ended"}, headers=auth("owner-steward")
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    _problem(
        api.post(
            f"{BASE}/grants/{gid}/revoke", json={"reason": "x"}, headers=auth("owner-steward")
        ),
        409,
        "grant-already-revoked",
    )
    _problem(
        api.post(
            f"{BASE}/requests/{req['id']}/decision",
            json={"decision": "refuse", "reason": "late"},
            headers=auth("owner-steward"),
        ),
        409,
        "access-request-decided",
    )


def test_unconditional_and_not_shared_answer_at_once(api: TestClient) -> None:
    free = api.post(
        f"{BASE}/requests",
        json=request_body(_resource(api, "unconditional")),
        headers=auth("analyst"),
    ).json()
    assert (free["status"], free["decision"]) == ("granted", "auto_grant")
    assert free["grant_id"]
    closed = api.post(
        f"{BASE}/requests", json=request_body(_resource(api, "not_shared")), headers=auth("analyst")
    ).json()
    assert (closed["status"], closed["decision"]) == ("refused", "auto_refuse")
    assert closed["decision_reason"] == "涉密 / classified"


def test_requests_and_decisions_reach_the_ledger(api: TestClient, app: FastAPI) -> None:
    res = _resource(api, "conditional")
    with app.state.session_factory() as session:
        start = ledger_service.log_size(session)
    req = api.post(f"{BASE}/requests", json=request_body(res), headers=auth("analyst")).json()
    api.post(
        f"{BASE}/requests/{req['id']}/decision",
        json={"decision": "refuse", "reason": "no legal basis"},
        headers=auth("owner-steward"),
    )
    with app.state.session_factory() as session:
        items = ledger_service.list_entries(session, start=start, end=start + 10).items
    assert [(i.kind, i.actor_member) for i in items] == [
        ("access.request", CONSUMER),
        ("grant.decision", OWNER),
    ]


def test_401_without_a_token(api: TestClient) -> None:
    for method, path in (
        ("get", "/requests"),
        ("post", "/requests"),
        ("get", "/grants"),
        ("get", "/requests/x"),
    ):
        body = _problem(getattr(api, method)(BASE + path), 401)
        assert body["title_zh"]


def test_403_for_the_wrong_role_or_member(api: TestClient) -> None:
    res = _resource(api, "conditional")
    body = _problem(
        api.post(f"{BASE}/requests", json=request_body(res), headers=auth("consumer-viewer")),
        403,
        "permission-denied",
    )
    assert body["detail_zh"]
    req = api.post(f"{BASE}/requests", json=request_body(res), headers=auth("analyst")).json()
    _problem(
        api.post(
            f"{BASE}/requests/{req['id']}/decision",
            json={"decision": "approve"},
            headers=auth("owner-analyst"),
        ),
        403,
    )
    _problem(api.get(f"{BASE}/requests/{req['id']}", headers=auth("outsider")), 403, "not-a-party")


def test_404_for_unknown_ids(api: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    _problem(
        api.get(f"{BASE}/requests/{missing}", headers=auth("analyst")),
        404,
        "access-request-not-found",
    )
    _problem(api.get(f"{BASE}/grants/{missing}", headers=auth("analyst")), 404, "grant-not-found")
    _problem(
        api.post(
            f"{BASE}/requests", json=request_body("no-such-resource"), headers=auth("analyst")
        ),
        404,
        "resource-not-found",
    )


def test_422_problems_name_the_fields(api: TestClient) -> None:
    res = _resource(api, "conditional")
    body = _problem(
        api.post(
            f"{BASE}/requests",
            json=request_body(res, fields=["code", "nope"]),
            headers=auth("analyst"),
        ),
        422,
        "access-request-invalid",
    )
    assert body["errors"] == [
        {
            "location": "fields",
            "message": "No column 'nope'.",
            "message_zh": "没有字段 nope。",
            "value": "nope",
        }
    ]
    body = _problem(
        api.post(
            f"{BASE}/requests",
            json=request_body(res, purpose_code="surveillance"),
            headers=auth("analyst"),
        ),
        422,
        "invalid-request",
    )
    assert any("purpose_code" in e["location"] for e in body["errors"])
    req = api.post(f"{BASE}/requests", json=request_body(res), headers=auth("analyst")).json()
    body = _problem(
        api.post(
            f"{BASE}/requests/{req['id']}/decision",
            json={"decision": "refuse"},
            headers=auth("owner-steward"),
        ),
        422,
        "invalid-request",
    )
    assert "reason" in body["errors"][0]["message"]


def test_unknown_list_filters_are_refused(api: TestClient) -> None:
    body = _problem(
        api.get(f"{BASE}/requests", params={"stauts": "pending"}, headers=auth("analyst")),
        422,
        "validation-failed",
    )
    assert body["errors"][0]["location"] == "query.stauts"
    _problem(api.get(f"{BASE}/grants", params={"x": "1"}, headers=auth("analyst")), 422)


def test_escalated_filter_lists_only_requests_escalated_to_my_members(api: TestClient) -> None:
    rid = _resource(api, "conditional")
    body = {**request_body(rid)}
    created = api.post(f"{BASE}/requests", json=body, headers=auth("analyst"))
    assert created.status_code == 201, created.text
    mine = api.get(f"{BASE}/requests", params={"escalated": "true"}, headers=auth("owner-steward"))
    assert mine.status_code == 200
    assert mine.json()["total"] == 0
    every = api.get(
        f"{BASE}/requests", params={"escalated": "false"}, headers=auth("owner-steward")
    )
    assert every.json()["total"] == 1
    _problem(
        api.get(f"{BASE}/requests", params={"escalated": "maybe"}, headers=auth("analyst")), 422
    )
