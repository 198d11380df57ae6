"""The one table from the error tree to HTTP status, and problem+json responses (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS: dict[type[DyrdError], int] = {
    NotFoundError: 404,
    ValidationFailed: 422,
    ConflictError: 409,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    ConfigurationError: 503,
}


def status_for(exc: DyrdError) -> int:
    """HTTP status of an error: the nearest class in the table, else 400."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def problem(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _dyrd_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DyrdError)  # noqa: S101  # registered for DyrdError only
    return problem(
        status_for(exc),
        exc.title,
        exc.message,
        type_=f"urn:dyrd:problem:{exc.code}",
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


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    return problem(exc.status_code, str(exc.detail), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(
        500,
        "Internal error",
        "The server failed unexpectedly; the error was logged.",
        title_zh="服务器内部错误",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to a problem+json body."""
    app.add_exception_handler(DyrdError, _dyrd_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
