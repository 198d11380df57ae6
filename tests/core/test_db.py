"""Engines refuse bad URLs clearly, never show passwords, and timestamps stay aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from dyrd.core.db import (
    NAMING_CONVENTION,
    Base,
    UtcDateTime,
    check_database,
    create_db_engine,
    make_session_factory,
)
from dyrd.core.errors import ConfigurationError

UNREACHABLE_PG = "postgresql+psycopg://x@127.0.0.1:1/none"


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "",
        "postgresql://dyrd@db:port/dyrd",  # port is not a number
        "postgresql+psycopg://dyrd:s3cret@db:port/dyrd",
    ],
    # Plain ids: the run summary counts ids containing "[postgresql" as PostgreSQL tests.
    ids=["words", "empty", "bad-port", "bad-port-with-password"],
)
def test_malformed_url_is_a_configuration_error_with_a_hint(url: str) -> None:
    with pytest.raises(ConfigurationError) as exc:
        create_db_engine(url)
    assert "DYRD_DATABASE_URL" in exc.value.message
    assert exc.value.message_zh
    assert "sqlite:///" in exc.value.hint
    assert "postgresql+psycopg://" in exc.value.hint


def test_malformed_url_message_does_not_repeat_the_password() -> None:
    with pytest.raises(ConfigurationError) as exc:
        create_db_engine("postgresql+psycopg://dyrd:s3cret@db:port/dyrd")
    assert "s3cret" not in exc.value.message
    assert "dyrd:***@db" in exc.value.message


@pytest.mark.parametrize(
    "url",
    ["nosuchdb://x/y", "postgresql+nosuchdriver://x@h/db"],
    ids=["unknown-dialect", "unknown-driver"],
)
def test_unsupported_backend_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError) as exc:
        create_db_engine(url)
    assert "Unsupported database URL" in exc.value.message
    assert exc.value.hint


def test_unreachable_postgresql_names_the_url() -> None:
    engine = create_db_engine(UNREACHABLE_PG)
    try:
        with pytest.raises(ConfigurationError) as exc:
            check_database(engine)
    finally:
        engine.dispose()
    assert f"Cannot reach the database at {UNREACHABLE_PG}" in exc.value.message
    assert "DYRD_DATABASE_URL" in exc.value.hint
    assert exc.value.message_zh


def test_unreachable_postgresql_hides_the_password() -> None:
    engine = create_db_engine("postgresql+psycopg://x:s3cret@127.0.0.1:1/none")
    try:
        with pytest.raises(ConfigurationError) as exc:
            check_database(engine)
    finally:
        engine.dispose()
    text = " ".join([exc.value.message, exc.value.message_zh, exc.value.hint])
    assert "s3cret" not in text
    assert "postgresql+psycopg://x:***@127.0.0.1:1/none" in exc.value.message


def test_sqlite_file_gets_its_folder_and_answers(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "dyrd.db"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        check_database(engine)
        assert path.parent.is_dir()
    finally:
        engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_file_uses_the_write_ahead_log_and_full_sync(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        engine.dispose()


def test_sqlite_in_memory_keeps_its_memory_journal() -> None:
    engine = create_db_engine("sqlite:///:memory:")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
    finally:
        engine.dispose()


def test_sessions_keep_objects_usable_after_commit(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        factory = make_session_factory(engine)
        assert factory.kw["expire_on_commit"] is False
    finally:
        engine.dispose()


def test_metadata_names_constraints_the_same_on_every_backend() -> None:
    assert Base.metadata.naming_convention == NAMING_CONVENTION


# --- UtcDateTime, on every backend -----------------------------------------------------------

_stamps = Table(
    "test_core_db_stamp",
    MetaData(),  # not Base.metadata: the table exists only inside the rolled-back transaction
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=True),
)


@pytest.fixture
def stamps(connection: Connection) -> Connection:
    """A scratch table inside the test transaction (DDL is rolled back with it)."""
    _stamps.create(connection)
    return connection


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 26, 8, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 26, 16, 0, tzinfo=timezone(timedelta(hours=8))),  # Beijing time
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_utc_datetime_round_trips_the_instant_as_aware_utc(
    stamps: Connection, value: datetime
) -> None:
    stamps.execute(insert(_stamps).values(id=1, at=value))
    back = stamps.execute(select(_stamps.c.at)).scalar_one()
    assert back == value
    assert back.utcoffset() == timedelta(0)
    assert back.tzinfo is UTC


def test_utc_datetime_keeps_null(stamps: Connection) -> None:
    stamps.execute(insert(_stamps).values(id=1, at=None))
    assert stamps.execute(select(_stamps.c.at)).scalar_one() is None


def test_utc_datetime_refuses_naive_values(stamps: Connection) -> None:
    with pytest.raises(StatementError) as exc:
        stamps.execute(insert(_stamps).values(id=1, at=datetime(2026, 11, 26, 8, 0)))  # noqa: DTZ001
    assert isinstance(exc.value.orig, ValueError)
    assert "naive datetime" in str(exc.value.orig)
