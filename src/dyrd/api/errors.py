"""The one table from the error tree to HTTP status, and problem+json responses (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    NotFoundError,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    UpstreamInvalid,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemItem(BaseModel):
    """One entry of a problem's ``errors``: a field or a row/column and what is wrong there."""

    model_config = ConfigDict(extra="allow")

    location: str
    message: str
    message_zh: str | None = None
    value: str | None = None
    type: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem body with the platform's bilingual extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    title_zh: str | None = None
    detail_zh: str | None = None
    hint: str | None = None
    errors: list[ProblemItem] | None = None


_PROBLEM_REF = {"schema": {"$ref": "#/components/schemas/Problem"}}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"description": "Client error (problem+json)", "content": {PROBLEM_JSON: _PROBLEM_REF}},
    "5XX": {"description": "Server error (problem+json)", "content": {PROBLEM_JSON: _PROBLEM_REF}},
}
"""Documented on every operation, so clients and schema checks know what errors look like."""

STATUS: dict[type[DyrdError], int] = {
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


def status_for(exc: DyrdError) -> int:
    """HTTP status of an error: the nearest class in the table, else 400."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    out_headers = dict(headers or {})
    if status == 401:
        out_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=out_headers)


async def _dyrd_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DyrdError)  # noqa: S101  # registered for DyrdError only
    retry = getattr(exc, "retry_after", None)
    return problem(
        status_for(exc),
        exc.title,
        exc.message,
        type_=f"urn:dyrd:problem:{exc.code}",
        headers={"Retry-After": str(retry)} if retry is not None else None,
        title_zh=exc.title_zh,
        detail_zh=exc.message_zh,
        hint=exc.hint,
        errors=[e.as_dict() for e in exc.errors],
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = [
        {
            "location": ".".join(str(p) for p in err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return problem(
        422,
        "Invalid request",
        f"{len(errors)} field(s) are invalid; see 'errors'.",
        type_="urn:dyrd:problem:invalid-request",
        title_zh="请求参数无效",
        detail_zh=f"{len(errors)} 个字段无效，详见 errors。",
        errors=errors,
    )


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's).

    Asks each route whether it fully matches the path with each method, through the public
    ``matches`` only: FastAPI may nest included routers rather than flatten them.
    """
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    # Keep the exception's headers, and make a 405's Allow complete: it must list every
    # method the resource supports (RFC 9110 15.5.6), also when GET and POST are two routes.
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(
        500,
        "Internal error",
        "The server failed unexpectedly; the error was logged.",
        title_zh="服务器内部错误",
    )


def problem_schemas() -> dict[str, Any]:
    """OpenAPI component schemas of the problem body, named as PROBLEM_RESPONSES refers to them."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = schema.pop("$defs", {})
    components["Problem"] = schema
    return components


def document_problems(app: FastAPI) -> None:
    """Add the problem schemas to the app's OpenAPI document (routes refer to them)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            spec.setdefault("components", {}).setdefault("schemas", {}).update(problem_schemas())
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to a problem+json body."""
    app.add_exception_handler(DyrdError, _dyrd_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
