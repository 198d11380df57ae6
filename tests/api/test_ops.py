"""Health, readiness, metrics and OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_the_database(client: TestClient) -> None:
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json()["database"] in {"sqlite", "postgresql"}


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.get("/api/v1/region/cities/310000")
    text = client.get("/metrics").text
    assert 'route="/api/v1/region/cities/{code}"' in text
    assert "dyrd_http_request_duration_seconds_bucket" in text


def test_openapi_served_at_docs_with_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    assert "/static-docs/swagger-ui-bundle.js" in page.text
    js = client.get("/static-docs/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert len(js.content) > 100_000
    spec = client.get("/openapi.json").json()
    assert "/api/v1/region/cities" in spec["paths"]


def test_unknown_path_is_problem_json(client: TestClient) -> None:
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_nul_bytes_in_query_are_refused_before_any_route(client: TestClient) -> None:
    resp = client.get("/api/v1/region/statistics", params={"indicator": "gdp\x00"})
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["type"] == "urn:dyrd:problem:nul-byte"
    assert client.get("/api/v1/region/statistics", params={"indicator": "gdp"}).status_code == 200
