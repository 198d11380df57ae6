"""Trust HTTP routes: public members, bearer tokens, 401/403 problem bodies, tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust import service
from tests.conftest import FIXED_NOW
from tests.trust.conftest import JS, ZJ, ZJ_DSJ, ZJ_WJW, Issue

API = "/api/v1/trust"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(resp: Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def assert_unauthorized(resp: Response) -> dict[str, Any]:
    body = assert_problem(resp, 401)
    assert resp.headers["www-authenticate"] == "Bearer"
    assert body["type"] == "urn:dyrd:problem:authentication-required"
    assert body["detail_zh"]
    return body


# --- members ---------------------------------------------------------------------------------


def test_members_are_public_and_filterable(client: TestClient) -> None:
    everyone = client.get(f"{API}/members")
    assert everyone.status_code == 200
    assert len(everyone.json()) == 21
    children = client.get(f"{API}/members", params={"parent": ZJ}).json()
    assert [m["id"] for m in children] == [f"{ZJ}/DSJ", f"{ZJ}/FGW", f"{ZJ}/SCJG", f"{ZJ}/WJW"]
    jurisdictions = client.get(f"{API}/members", params={"kind": "jurisdiction"}).json()
    assert [m["name_en"] for m in jurisdictions] == ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]


def test_one_member_by_its_slashed_identifier(client: TestClient) -> None:
    resp = client.get(f"{API}/members/{ZJ_DSJ}")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["id"], body["kind"], body["parent_id"]) == (ZJ_DSJ, "department", ZJ)
    assert body["name_zh"] == "浙江省大数据局"
    assert body["created_by"] == "system"


def test_unknown_member_is_404_and_malformed_is_422(client: TestClient) -> None:
    body = assert_problem(client.get(f"{API}/members/{ZJ}/XYZ"), 404)
    assert "CN-YRD/GOV/330000/XYZ" in body["detail"]
    assert body["detail_zh"]
    assert_problem(client.get(f"{API}/members/CN-YRD/gov/330000"), 422)
    assert_problem(client.get(f"{API}/members", params={"kind": "province"}), 422)


def test_creating_a_member_needs_admin_of_its_parent(client: TestClient, issue: Issue) -> None:
    payload = {"id": f"{ZJ}/SJJ", "name_zh": "浙江省数据局", "name_en": "Zhejiang Data Bureau"}
    assert_unauthorized(client.post(f"{API}/members", json=payload))
    assert_problem(
        client.post(f"{API}/members", json=payload, headers=bearer(issue("js", JS, "admin"))), 403
    )
    resp = client.post(f"{API}/members", json=payload, headers=bearer(issue("zj", ZJ, "admin")))
    assert resp.status_code == 201, resp.text
    assert (resp.json()["created_by"], resp.json()["created_for"]) == ("zj", ZJ)
    assert client.get(f"{API}/members/{ZJ}/SJJ").status_code == 200


# --- authentication --------------------------------------------------------------------------


def test_me_without_a_token_is_401_problem_with_www_authenticate(client: TestClient) -> None:
    body = assert_unauthorized(client.get(f"{API}/me"))
    assert "token" in body["hint"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer dyrd_" + "A" * 43,
        "Bearer garbage",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_unknown_or_malformed_credentials_are_401(client: TestClient, header: str) -> None:
    assert_unauthorized(client.get(f"{API}/me", headers={"Authorization": header}))


def test_me_shows_the_user_and_roles(client: TestClient, issue: Issue) -> None:
    resp = client.get(f"{API}/me", headers=bearer(issue("zhang.wei", ZJ_WJW, "analyst")))
    assert resp.status_code == 200
    body = resp.json()
    assert body["username"] == "zhang.wei"
    assert [(r["member_id"], r["role"]) for r in body["roles"]] == [(ZJ_WJW, "analyst")]


def test_an_expired_token_is_401(session: Session, client: TestClient, issue: Issue) -> None:
    issue("old")
    weeks_ago: Clock = lambda: FIXED_NOW - timedelta(days=14)  # noqa: E731
    token = service.create_token(session, "old", days=7, by=Actor.system(), clock=weeks_ago).token
    body = assert_unauthorized(client.get(f"{API}/me", headers=bearer(token)))
    assert "expired" in body["detail"]


def test_a_revoked_token_is_401(client: TestClient, issue: Issue) -> None:
    token = issue("gone")
    token_id = client.get(f"{API}/tokens", headers=bearer(token)).json()[0]["id"]
    assert client.delete(f"{API}/tokens/{token_id}", headers=bearer(token)).status_code == 204
    body = assert_unauthorized(client.get(f"{API}/me", headers=bearer(token)))
    assert "revoked" in body["detail"]


def test_a_deactivated_users_token_is_401(
    session: Session, client: TestClient, issue: Issue
) -> None:
    token = issue("leaver")
    service.set_user_active(
        session, "leaver", active=False, by=Actor.system(), clock=lambda: FIXED_NOW
    )
    assert_unauthorized(client.get(f"{API}/me", headers=bearer(token)))


# --- users and roles -------------------------------------------------------------------------


def test_a_viewer_creating_a_user_is_403_problem(client: TestClient, issue: Issue) -> None:
    resp = client.post(
        f"{API}/users",
        json={"username": "mallory", "member_id": ZJ, "role": "admin"},
        headers=bearer(issue("viewer", ZJ, "viewer")),
    )
    body = assert_problem(resp, 403)
    assert body["type"] == "urn:dyrd:problem:permission-denied"
    assert "admin" in body["detail"]
    assert body["detail_zh"]


def test_a_jurisdiction_admin_manages_users_of_its_departments(
    session: Session, client: TestClient, issue: Issue
) -> None:
    admin = bearer(issue("zj-admin", ZJ, "admin"))
    created = client.post(
        f"{API}/users",
        json={"username": "li.na", "display_name": "李娜", "member_id": ZJ_WJW, "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["display_name"], body["created_by"], body["created_for"]) == (
        "李娜",
        "zj-admin",
        ZJ_WJW,
    )
    assert body["created_at"].startswith("2026-11-26T08:00:00")
    granted = client.post(
        f"{API}/users/li.na/roles", json={"member_id": ZJ_DSJ, "role": "analyst"}, headers=admin
    )
    assert granted.status_code == 201
    assert (granted.json()["created_by"], granted.json()["role"]) == ("zj-admin", "analyst")
    assert_problem(
        client.post(
            f"{API}/users/li.na/roles", json={"member_id": ZJ_DSJ, "role": "analyst"}, headers=admin
        ),
        409,
    )
    assert_problem(
        client.post(
            f"{API}/users/li.na/roles",
            json={"member_id": "CN-YRD/GOV/320000/WJW", "role": "viewer"},
            headers=admin,
        ),
        403,
    )
    revoked = client.delete(f"{API}/users/li.na/roles/analyst/{ZJ_DSJ}", headers=admin)
    assert revoked.status_code == 204
    assert_problem(client.delete(f"{API}/users/li.na/roles/analyst/{ZJ_DSJ}", headers=admin), 404)
    assert [r.member_id for r in service.get_user(session, "li.na").roles] == [ZJ_WJW]


def test_a_region_admin_may_grant_anywhere(client: TestClient, issue: Issue) -> None:
    root = bearer(issue("root", REGION_MEMBER_ID, "admin"))
    resp = client.post(
        f"{API}/users",
        json={"username": "auditor", "member_id": "CN-YRD/GOV/340000/SCJG", "role": "viewer"},
        headers=root,
    )
    assert resp.status_code == 201
    assert resp.json()["created_for"] == "CN-YRD/GOV/340000/SCJG"


def test_invalid_bodies_are_422_problems_listing_each_field(
    client: TestClient, issue: Issue
) -> None:
    resp = client.post(
        f"{API}/users",
        json={"username": "Not Valid", "member_id": "zj", "role": "boss", "extra": 1},
        headers=bearer(issue("root", REGION_MEMBER_ID, "admin")),
    )
    body = assert_problem(resp, 422)
    locations = {e["location"] for e in body["errors"]}
    assert {"body.username", "body.member_id", "body.role", "body.extra"} <= locations


def test_unknown_user_or_member_in_a_grant_is_404(client: TestClient, issue: Issue) -> None:
    root = bearer(issue("root", REGION_MEMBER_ID, "admin"))
    grant = {"member_id": ZJ, "role": "viewer"}
    assert_problem(client.post(f"{API}/users/nobody/roles", json=grant, headers=root), 404)
    grant = {"member_id": f"{ZJ}/XYZ", "role": "viewer"}
    assert_problem(client.post(f"{API}/users/root/roles", json=grant, headers=root), 404)


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_created_over_http_is_shown_once(
    session: Session, client: TestClient, issue: Issue
) -> None:
    first = bearer(issue("self"))
    resp = client.post(f"{API}/tokens", json={"name": "ci"}, headers=first)
    assert resp.status_code == 201
    created = resp.json()
    secret = created["token"]
    assert secret.startswith("dyrd_")
    assert created["prefix"] == secret[:13]
    # Default lifetime: Settings.token_default_days (90).
    assert created["expires_at"].startswith("2027-02-24T08:00:00")
    assert client.get(f"{API}/me", headers=bearer(secret)).json()["username"] == "self"
    listing = client.get(f"{API}/tokens", headers=first)
    assert listing.status_code == 200
    digest = session.execute(
        text("SELECT token_hash FROM trust_api_token WHERE id = :id"), {"id": created["id"]}
    ).scalar_one()
    assert secret not in listing.text
    assert digest not in listing.text
    assert all("token" not in t and "token_hash" not in t for t in listing.json())
    assert [t["name"] for t in listing.json()] == ["", "ci"]


def test_token_lifetime_is_bounded(client: TestClient, issue: Issue) -> None:
    headers = bearer(issue("self"))
    assert_problem(client.post(f"{API}/tokens", json={"days": 0}, headers=headers), 422)
    resp = client.post(f"{API}/tokens", json={"days": 1}, headers=headers)
    assert resp.json()["expires_at"].startswith("2026-11-27T08:00:00")


def test_revoking_someone_elses_token_needs_admin_over_them(
    client: TestClient, issue: Issue
) -> None:
    owner = bearer(issue("owner", ZJ_DSJ))
    token_id = client.get(f"{API}/tokens", headers=owner).json()[0]["id"]
    assert_problem(
        client.delete(f"{API}/tokens/{token_id}", headers=bearer(issue("peer", ZJ_DSJ))), 403
    )
    assert_problem(
        client.delete(f"{API}/tokens/{token_id}", headers=bearer(issue("js", JS, "admin"))), 403
    )
    assert client.get(f"{API}/me", headers=owner).status_code == 200
    zj_admin = bearer(issue("zj", ZJ, "admin"))
    assert client.delete(f"{API}/tokens/{token_id}", headers=zj_admin).status_code == 204
    assert_unauthorized(client.get(f"{API}/me", headers=owner))
    assert_problem(client.delete(f"{API}/tokens/2147483647", headers=zj_admin), 404)
    assert_problem(client.delete(f"{API}/tokens/2147483648", headers=zj_admin), 422)
