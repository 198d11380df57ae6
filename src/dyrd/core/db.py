"""Database engine, declarative base and session factory (SQLAlchemy 2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, String, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from dyrd.core.actor import Actor
from dyrd.core.errors import ConfigurationError

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# user:password@ after the scheme. Masks up to the last @, erring towards hiding too much.
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:).*@")


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CreatedStamp:
    """Mixin: who created the row, on behalf of which member, and when."""

    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RevokedStamp:
    """Mixin: who revoked the row, for which member, and when; revoking keeps the row."""

    revoked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    revoked_for: Mapped[str | None] = mapped_column(String(128), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    def stamp_revoked(self, actor: Actor, at: datetime) -> None:
        """Record the revocation on the row."""
        self.revoked_by = actor.user
        self.revoked_for = actor.member
        self.revoked_at = at


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, wal: bool = False) -> None:
    # Let SQLAlchemy, not the sqlite3 module, emit BEGIN: otherwise SAVEPOINT and
    # transactional DDL misbehave (SQLAlchemy docs, "Serializable isolation / Savepoints").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    if wal:
        # Write-ahead log: readers no longer block the writer nor it them (the gateway reads
        # while its group commit writes). A property of the file, kept across connections and
        # processes. synchronous stays at its default, FULL: in WAL mode NORMAL may lose the
        # last commits on power loss, and a ledger entry is acknowledged once committed
        # (https://www.sqlite.org/pragma.html#pragma_synchronous).
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_file_pragmas(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record, wal=True)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _redact(url: str) -> str:
    """The URL with any password masked, for messages about URLs that do not parse."""
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url``; refuses malformed URLs with a clear message."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise ConfigurationError(
            f"DYRD_DATABASE_URL is not a valid database URL: {_redact(url)!r}",
            "DYRD_DATABASE_URL 不是合法的数据库地址",
            hint="Use sqlite:///var/dyrd.db or postgresql+psycopg://user@host:5432/db",
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            on_file = bool(parsed.database) and parsed.database != ":memory:"
            if on_file:
                Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, echo=echo)
            event.listen(engine, "connect", _sqlite_file_pragmas if on_file else _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise ConfigurationError(
            f"Unsupported database URL {parsed.render_as_string(hide_password=True)!r}: {exc}",
            "不支持的数据库地址",
            hint="Supported: sqlite:///PATH and postgresql+psycopg://...",
        ) from exc
    return engine


def check_database(engine: Engine) -> None:
    """Open one connection; raise ConfigurationError naming the URL (no password) if it fails."""
    safe = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigurationError(
            f"Cannot reach the database at {safe}: {reason}",
            f"无法连接数据库 {safe}",
            hint="Check DYRD_DATABASE_URL and that the database server is running.",
        ) from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (the API serialises them)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
