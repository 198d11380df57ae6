"""The FastAPI application factory: routers, errors, health, metrics, static files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

import dyrd
from dyrd.api.errors import (
    PROBLEM_RESPONSES,
    document_problems,
    install_error_handlers,
    problem,
)
from dyrd.api.metrics import Metrics
from dyrd.core.auth import Authenticator
from dyrd.core.clock import Clock

# Swagger UI's JS and CSS, shipped inside the fastapi-offline wheel (MIT) so /docs needs no CDN.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def refuse_nul_bytes(app: ASGIApp) -> ASGIApp:
    """400 for NUL in the path or query: PostgreSQL text cannot hold it, so no route may see it."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
                response = problem(
                    400,
                    "NUL byte in request",
                    "The path or a query parameter contains a NUL (\\x00) character; remove it.",
                    type_="urn:dyrd:problem:nul-byte",
                    title_zh="请求含有空字符",
                    detail_zh="路径或查询参数中含有空字符（\\x00），请删除后重试。",
                )
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


class _Wrap:
    """Adapts a function ``app -> app`` to Starlette's middleware-class protocol."""

    def __init__(self, app: ASGIApp, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self._app = wrap(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


@dataclass(frozen=True, slots=True)
class AppParts:
    """What the composition root hands to the app factory."""

    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    authenticator: Authenticator
    routers: Sequence[APIRouter]


def create_app(parts: AppParts) -> FastAPI:
    """Build the HTTP application from already-wired parts."""
    app = FastAPI(
        title="Digital YRD API · 数字长三角",
        version=dyrd.__version__,
        description=(
            "Regional digital-governance platform for the Yangtze River Delta. "
            "长三角区域数字治理平台。Errors are application/problem+json."
        ),
        docs_url=None,  # served below from local assets: no CDN
        redoc_url=None,
        responses=PROBLEM_RESPONSES,
    )
    app.state.engine = parts.engine
    app.state.session_factory = parts.session_factory
    app.state.clock = parts.clock
    app.state.authenticator = parts.authenticator
    metrics = Metrics()
    app.state.metrics = metrics
    # The last added is the outermost: metrics see every request, refused ones included.
    app.add_middleware(_Wrap, wrap=refuse_nul_bytes)
    app.add_middleware(_Wrap, wrap=metrics.middleware)
    install_error_handlers(app)
    document_problems(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], response_model=None)
    def readyz() -> JSONResponse | dict[str, str]:
        """Readiness: the database answers a query."""
        try:
            with parts.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return problem(503, "Database unavailable", "The database did not answer SELECT 1.")
        return {"status": "ready", "database": parts.engine.dialect.name}

    app.mount("/static-docs", StaticFiles(directory=DOCS_ASSETS), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from the assets shipped in the fastapi-offline wheel."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Digital YRD API · 数字长三角",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static-docs/favicon.png",
        )

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def prometheus() -> object:
        return metrics.render()

    for router in parts.routers:
        app.include_router(router)
    return app
