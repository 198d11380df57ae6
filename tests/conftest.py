"""storage tests run on SQLite, and on PostgreSQL if DYRD_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.clock import Clock
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.region import service as region_service

PG_URL = os.environ.get("DYRD_TEST_DATABASE_URL", "")
# Under pytest-xdist each worker gets a database of its own next to the given one ("test" ->
# "test_gw0"), created on first use: the suite drops and recreates the public schema, which two
# workers must not do to each other.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_BASE_PG_URL = PG_URL
if PG_URL and _WORKER:
    _url = make_url(PG_URL)
    PG_URL = _url.set(database=f"{_url.database}_{_WORKER}").render_as_string(hide_password=False)
FIXED_NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def fixed_clock() -> datetime:
    """A clock frozen at FIXED_NOW."""
    return FIXED_NOW


def ensure_pg_database() -> None:
    """Create this worker's PostgreSQL database if it does not exist yet (xdist only)."""
    if not (PG_URL and _WORKER):
        return
    name = make_url(PG_URL).database
    admin = create_engine(_BASE_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def _prepared_engine(url: str) -> Engine:
    engine = create_db_engine(url)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    bootstrap.upgrade_database(engine)
    from dyrd.trust import service as trust_service

    with Session(engine) as session:
        region_service.load_bundled(session, clock=fixed_clock)
        trust_service.load_default_members(session, clock=fixed_clock)
    return engine


@pytest.fixture(
    scope="session",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not PG_URL, reason="DYRD_TEST_DATABASE_URL is not set"),
            ],
        ),
    ],
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database with the bundled data loaded, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        ensure_pg_database()
        url = PG_URL
    eng = _prepared_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        yield conn
        if trans.is_active:
            trans.rollback()


def _session_on(conn: Connection) -> Session:
    # Service commits release a SAVEPOINT only; the outer transaction is rolled back.
    return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits are undone after the test."""
    with _session_on(connection) as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    """The frozen test clock."""
    return fixed_clock


@pytest.fixture
def app(engine: Engine, connection: Connection) -> FastAPI:
    """The whole platform, with request sessions bound to the test transaction."""
    application = bootstrap.build_app(
        Settings(database_url=str(engine.url)), engine=engine, clock=fixed_clock
    )
    application.state.session_factory = lambda: _session_on(connection)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for ``app``."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Make the number of PostgreSQL tests visible in every run."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        reports = terminalreporter.stats.get(outcome, [])
        counts[outcome] = sum(
            1
            for r in reports
            if getattr(r, "when", "call") in ("call", "setup")
            and "[postgresql" in getattr(r, "nodeid", "")
            and (outcome != "passed" or r.when == "call")
        )
    line = "PostgreSQL tests: {passed} passed, {failed} failed, {skipped} skipped, {error} errors"
    suffix = "" if PG_URL else " (DYRD_TEST_DATABASE_URL not set)"
    terminalreporter.write_line(line.format(**counts) + suffix)
