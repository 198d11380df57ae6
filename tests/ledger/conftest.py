"""Ledger fixtures: signers, and databases whose commits are real (for concurrency and crashes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.db import create_db_engine
from dyrd.ledger import service
from dyrd.ledger.adapters.local_keys import Ed25519Signer
from dyrd.ledger.types import AppendReceipt
from tests.conftest import PG_URL, ensure_pg_database

ACTOR = Actor(user="auditor", member="CN-YRD/310000")


@pytest.fixture(scope="session")
def signer() -> Ed25519Signer:
    """One Ed25519 key for the whole run."""
    return Ed25519Signer.generate()


def append_many(session: Session, n: int, clock: Clock, *, start: int = 0) -> list[AppendReceipt]:
    """Append ``n`` entries and commit after each, like n separate requests."""
    out = []
    for i in range(start, start + n):
        out.append(
            service.append(
                session,
                kind="exchange.request",
                subject=f"dataset:{i % 5}",
                actor=ACTOR,
                payload={"i": i, "purpose": "统计分析"},
                clock=clock,
            )
        )
        session.commit()
    return out


def sqlite_file_engine(path: str) -> Engine:
    """A migrated SQLite database in a file."""
    engine = create_db_engine(f"sqlite:///{path}")
    bootstrap.upgrade_database(engine)
    return engine


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="DYRD_TEST_DATABASE_URL is not set"),
        ],
    ),
]


@contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An empty migrated database where commits are real: a SQLite file, or a PostgreSQL
    schema of its own (so the shared test schema never sees these rows)."""
    if backend == "sqlite":
        engine = sqlite_file_engine(str(tmp_path_factory.mktemp("ledger") / "ledger.db"))
        yield engine
        engine.dispose()
        return
    schema = f"ledger_{uuid.uuid4().hex[:12]}"
    ensure_pg_database()
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema travels in the URL, so a CLI given str(engine.url) lands there too.
    engine = create_engine(f"{PG_URL}?options=-csearch_path%3D{schema}", pool_pre_ping=True)
    try:
        bootstrap.upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def committing_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh database per test, on each backend."""
    with fresh_database(request.param, tmp_path_factory) as engine:
        yield engine


@pytest.fixture(scope="module", params=BACKENDS)
def module_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh database shared by one module's tests, on each backend."""
    with fresh_database(request.param, tmp_path_factory) as engine:
        yield engine
