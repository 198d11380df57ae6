"""CKAN ``package_autocomplete`` and ``status_show``: CKAN's shapes, errors in CKAN's envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd.exchange.compute import ckan
from tests.exchange.conftest import auth, table_payload

BASE = "/api/v1/catalog"


@pytest.fixture
def api(authed_app: FastAPI) -> TestClient:
    return TestClient(authed_app, raise_server_exceptions=False)


def _create(api: TestClient, **overrides: Any) -> dict[str, Any]:
    resp = api.post(f"{BASE}/resources", json=table_payload(**overrides), headers=auth("steward"))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _ok(api: TestClient, action: str, **params: Any) -> Any:
    resp = api.get(f"/api/3/action/{action}", params=params)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    return body["result"]


def test_package_autocomplete_matches_names_then_titles_in_ckan_shape(api: TestClient) -> None:
    _create(api, name="credit-grades", title_zh="企业信用等级", title_en="Credit grades")
    _create(api, name="grades-credit", title_zh="信用评级", title_en="Grades")
    _create(api, name="air-quality", title_zh="空气质量", title_en="Air quality (credit-free)")
    gone = _create(api, name="credit-old", title_zh="旧信用", title_en="Old")
    assert api.delete(f"{BASE}/resources/{gone['id']}", headers=auth("steward")).status_code == 200
    result = _ok(api, "package_autocomplete", q="CREDIT")
    assert result == [
        {
            "name": "credit-grades",
            "title": "企业信用等级",
            "match_field": "name",
            "match_displayed": "credit-grades",
        },
        {
            "name": "grades-credit",
            "title": "信用评级",
            "match_field": "name",
            "match_displayed": "grades-credit",
        },
        {
            "name": "air-quality",
            "title": "空气质量",
            "match_field": "title",
            "match_displayed": "空气质量 (air-quality)",
        },
    ]
    assert [r["name"] for r in _ok(api, "package_autocomplete", q="信用")] == [
        "grades-credit",
        "credit-grades",
    ]
    assert len(_ok(api, "package_autocomplete", q="credit", limit=1)) == 1
    posted = api.post("/api/3/action/package_autocomplete", json={"q": "air"}).json()
    assert [r["name"] for r in posted["result"]] == ["air-quality"]
    assert _ok(api, "package_autocomplete", q="nothing-like-it") == []


@pytest.mark.parametrize(
    ("params", "param"),
    [({}, "q"), ({"q": "  "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": "0"}, "limit")],
)
def test_package_autocomplete_errors_use_ckans_envelope(
    api: TestClient, params: dict[str, str], param: str
) -> None:
    resp = api.get("/api/3/action/package_autocomplete", params=params)
    assert resp.status_code == 400
    body = resp.json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    assert param in body["error"]
    assert body["detail_zh"]


def test_status_show_describes_the_site_like_ckan(api: TestClient) -> None:
    result = _ok(api, "status_show")
    assert set(result) >= {
        "site_title",
        "site_description",
        "site_url",
        "ckan_version",
        "error_emails_to",
        "locale_default",
        "extensions",
    }
    assert result["ckan_version"] == ckan.CKAN_API_VERSION
    assert result["site_url"] == "http://testserver"
    assert result["extensions"] == []
    assert result["locale_default"] == "zh_Hans_CN"
