"""The one composition root: settings -> engine -> sessions -> adapters -> app."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from dyrd.api.app import AppParts, create_app
from dyrd.core.clock import Clock, utc_now
from dyrd.core.config import Settings
from dyrd.core.db import Base, check_database, create_db_engine, make_session_factory
from dyrd.core.errors import ConfigurationError
from dyrd.region import api as region_api
from dyrd.region import models as _region_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.trust import api as trust_api
from dyrd.trust import service as trust_service
from dyrd.web import install as install_web

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def metadata() -> object:
    """Metadata of every table (used by Alembic autogenerate and tests)."""
    return Base.metadata


def routers() -> list[APIRouter]:
    """Every domain's router, in the order they appear in the OpenAPI document."""
    return [region_api.router, trust_api.router]


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_database(engine: Engine) -> str:
    """Apply every migration; returns the head revision."""
    command.upgrade(alembic_config(engine), "head")
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    return head or ""


def connect(settings: Settings) -> Engine:
    """Engine for the configured database, checked to answer."""
    engine = create_db_engine(settings.database_url)
    check_database(engine)
    return engine


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve a database that is not at the newest schema."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise ConfigurationError(
            f"The database is at schema {current or 'none'}, the code expects {head}.",
            "数据库结构版本与程序不一致。",
            hint="Run `dyrd db upgrade` (make run does this for you).",
        )


def build_app(
    settings: Settings, *, engine: Engine | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Wire the whole platform into one ASGI app."""
    engine = engine if engine is not None else connect(settings)
    parts = AppParts(
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        authenticator=trust_service.authenticator(clock),
        routers=routers(),
    )
    app = create_app(parts)
    app.state.settings = settings
    install_web(app)
    return app
