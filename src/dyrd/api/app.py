"""The FastAPI application factory: routers, errors, health, metrics, static files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import dyrd
from dyrd.api.errors import install_error_handlers, problem
from dyrd.api.metrics import Metrics
from dyrd.core.auth import Authenticator
from dyrd.core.clock import Clock


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
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.engine = parts.engine
    app.state.session_factory = parts.session_factory
    app.state.clock = parts.clock
    app.state.authenticator = parts.authenticator
    metrics = Metrics()
    app.state.metrics = metrics
    app.middleware("http")(metrics.middleware)
    install_error_handlers(app)

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

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def prometheus() -> object:
        return metrics.render()

    for router in parts.routers:
        app.include_router(router)
    return app
