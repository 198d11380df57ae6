"""The error -> status table and the problem+json bodies (RFC 9457) every error becomes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Query
from fastapi.testclient import TestClient

from dyrd.api.errors import (
    PROBLEM_JSON,
    PROBLEM_RESPONSES,
    STATUS,
    document_problems,
    install_error_handlers,
    status_for,
)
from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    FieldError,
    NotFoundError,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    UpstreamInvalid,
    ValidationFailed,
)

EXPECTED_STATUS: dict[type[DyrdError], int] = {
    NotFoundError: 404,
    ValidationFailed: 422,
    PayloadTooLarge: 413,
    ConflictError: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    ConfigurationError: 503,
    ServiceUnavailable: 503,
    UpstreamInvalid: 502,
}


class UnlistedError(DyrdError):
    """A domain error nobody added to the table."""

    code = "unlisted"


class CityNotFound(NotFoundError):
    """A domain refinement of a listed error."""

    code = "city-not-found"


@pytest.mark.parametrize(
    ("cls", "status"), EXPECTED_STATUS.items(), ids=[cls.__name__ for cls in EXPECTED_STATUS]
)
def test_each_error_class_maps_to_its_status(cls: type[DyrdError], status: int) -> None:
    assert status_for(cls("x")) == status


def test_the_table_lists_exactly_the_core_errors() -> None:
    assert STATUS == EXPECTED_STATUS


def test_unlisted_errors_are_400() -> None:
    assert status_for(UnlistedError("x")) == 400
    assert status_for(DyrdError("x")) == 400


def test_subclasses_take_the_status_of_their_nearest_listed_ancestor() -> None:
    assert status_for(CityNotFound("x")) == 404


ERRORS: dict[str, DyrdError] = {
    "not-found": NotFoundError("No city 999999.", "没有城市 999999。", hint="List cities."),
    "validation": ValidationFailed(
        "2 rows are wrong.",
        "有 2 行错误。",
        hint="Fix the rows and upload again.",
        errors=[
            FieldError("row 2, column gdp", "not a number", "不是数字", value="abc"),
            FieldError("row 5, column code", "unknown city"),
        ],
    ),
    "conflict": ConflictError("Already exists.", "已存在。"),
    "auth": AuthenticationRequired("Missing bearer token.", "缺少访问令牌。", hint="Send one."),
    "permission": PermissionDenied("Lacks role admin.", "没有 admin 角色。"),
    "configuration": ConfigurationError("Database down.", "数据库不可用。"),
    "unlisted": UnlistedError("Odd.", "奇怪。"),
    "bare": DyrdError("Only English."),
}


@pytest.fixture
def error_client() -> Iterator[TestClient]:
    """A tiny app with the platform's error handlers and routes that fail on purpose."""
    app = FastAPI(responses=PROBLEM_RESPONSES)
    install_error_handlers(app)
    document_problems(app)

    @app.get("/raise/{name}")
    def raise_error(name: str) -> None:
        raise ERRORS[name]

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/typed")
    def typed(limit: int = Query(ge=1), offset: int = Query(0, ge=0)) -> dict[str, int]:
        return {"limit": limit, "offset": offset}

    @app.post("/only-post")
    def only_post() -> dict[str, str]:
        return {}

    # One path served by two routes, in an included router (as every domain's router is).
    router = APIRouter(prefix="/items")

    @router.get("")
    def list_items() -> list[str]:
        return []

    @router.post("")
    def add_item() -> dict[str, str]:
        return {}

    app.include_router(router)

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("name", ERRORS)
def test_every_dyrd_error_is_a_problem_with_status_type_and_titles(
    error_client: TestClient, name: str
) -> None:
    exc = ERRORS[name]
    resp = error_client.get(f"/raise/{name}")
    assert resp.status_code == status_for(exc)
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    body = resp.json()
    assert body["type"] == f"urn:dyrd:problem:{exc.code}"
    assert body["title"] == exc.title
    assert body["title_zh"] == exc.title_zh
    assert body["status"] == resp.status_code
    assert body["detail"] == exc.message


def test_problem_carries_chinese_detail_hint_and_each_row_error(error_client: TestClient) -> None:
    body = error_client.get("/raise/validation").json()
    assert body["detail_zh"] == "有 2 行错误。"
    assert body["hint"] == "Fix the rows and upload again."
    assert body["errors"] == [
        {
            "location": "row 2, column gdp",
            "message": "not a number",
            "message_zh": "不是数字",
            "value": "abc",
        },
        {"location": "row 5, column code", "message": "unknown city"},
    ]


def test_empty_members_are_left_out(error_client: TestClient) -> None:
    body = error_client.get("/raise/bare").json()
    assert set(body) == {"type", "title", "title_zh", "status", "detail"}


def test_401_tells_the_client_to_send_a_bearer_token(error_client: TestClient) -> None:
    resp = error_client.get("/raise/auth")
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"


def test_invalid_parameters_are_422_listing_each_field(error_client: TestClient) -> None:
    resp = error_client.get("/typed", params={"limit": "0", "offset": "x"})
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    body = resp.json()
    assert body["type"] == "urn:dyrd:problem:invalid-request"
    assert body["detail"] == "2 field(s) are invalid; see 'errors'."
    assert body["detail_zh"]
    assert {e["location"] for e in body["errors"]} == {"query.limit", "query.offset"}
    assert all(e["message"] and e["type"] for e in body["errors"])


def test_unknown_path_is_404_problem(error_client: TestClient) -> None:
    resp = error_client.get("/nowhere")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    assert resp.json()["status"] == 404


def test_wrong_method_is_405_problem_naming_the_allowed_methods(error_client: TestClient) -> None:
    resp = error_client.get("/only-post")
    assert resp.status_code == 405
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    assert resp.headers["allow"] == "POST"


def test_405_lists_the_methods_of_every_route_at_the_path(error_client: TestClient) -> None:
    resp = error_client.delete("/items")
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, POST"


def test_unexpected_errors_are_500_problems_that_reveal_nothing(
    error_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="dyrd.api.errors"):
        resp = error_client.get("/crash")
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    body = resp.json()
    assert body["title"] == "Internal error"
    assert body["title_zh"]
    assert "hunter2" not in resp.text
    assert "RuntimeError" not in resp.text
    [record] = [r for r in caplog.records if r.name == "dyrd.api.errors"]
    assert record.exc_info is not None
    assert getattr(record, "path", None) == "/crash"


def test_openapi_documents_problem_bodies_for_every_error_status(
    error_client: TestClient,
) -> None:
    spec = error_client.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "detail_zh", "hint", "errors"} <= set(
        problem["properties"]
    )
    assert "ProblemItem" in spec["components"]["schemas"]
    responses = spec["paths"]["/typed"]["get"]["responses"]
    assert "422" not in responses  # FastAPI's HTTPValidationError does not describe our bodies
    for status in ("4XX", "5XX"):
        content = responses[status]["content"]
        assert list(content) == [PROBLEM_JSON]
        assert content[PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
