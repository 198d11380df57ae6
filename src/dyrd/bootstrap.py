"""The one composition root: settings -> engine -> sessions -> adapters -> app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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
from dyrd.exchange import api as exchange_api
from dyrd.exchange import models as _exchange_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.ledger import api as ledger_api
from dyrd.ledger import models as _ledger_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.ledger.adapters.local_keys import FileSigner
from dyrd.ledger.ports import Signer
from dyrd.ledger.service import Checkpointer
from dyrd.region import api as region_api
from dyrd.region import models as _region_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.trust import api as trust_api
from dyrd.trust import models as _trust_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.ports import KeyStore
from dyrd.web import install as install_web

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def metadata() -> object:
    """Metadata of every table (used by Alembic autogenerate and tests)."""
    return Base.metadata


def routers() -> list[APIRouter]:
    """Every domain's router, in the order they appear in the OpenAPI document."""
    return [region_api.router, trust_api.router, ledger_api.router, exchange_api.router]


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
    app.state.trust_keystore = trust_keystore(settings)
    install_web(app)
    _run_ledger_checkpointer(app, settings, parts)
    return app


def trust_keystore(settings: Settings | None = None) -> KeyStore:
    """Members' private keys: PEM files in DYRD_KEY_DIR, encrypted if DYRD_KEY_PASSPHRASE is set."""
    settings = settings or Settings()
    secret = settings.key_passphrase
    passphrase = secret.get_secret_value().encode("utf-8") if secret is not None else None
    return FileKeyStore(settings.key_dir, passphrase=passphrase)


def ledger_signer(settings: Settings | None = None) -> Signer:
    """The key that signs ledger tree heads: a local Ed25519 key file, made on first use."""
    return FileSigner((settings or Settings()).ledger_key_path)


def _run_ledger_checkpointer(app: FastAPI, settings: Settings, parts: AppParts) -> None:
    """Sign ledger tree heads in a background thread while the app serves (off the request path)."""
    if settings.ledger_checkpoint_seconds <= 0:
        return
    checkpointer = Checkpointer(
        session_factory=parts.session_factory,
        signer=ledger_signer(settings),
        clock=parts.clock,
        interval=settings.ledger_checkpoint_seconds,
        batch=settings.ledger_checkpoint_entries,
    )
    app.state.ledger_checkpointer = checkpointer
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        checkpointer.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            checkpointer.stop()

    app.router.lifespan_context = lifespan
