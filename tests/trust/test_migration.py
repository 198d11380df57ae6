"""Migration 0002_trust builds exactly the tables the models declare, and the DB enforces them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.db import Base, create_db_engine
from dyrd.trust.models import Member, RoleAssignment
from dyrd.trust.repository import TrustRepository
from tests.conftest import FIXED_NOW

TRUST_TABLES = {"trust_member", "trust_user", "trust_role_assignment", "trust_api_token"}


def _table_of(diff: Any) -> str:
    """The table an autogenerate difference is about.

    Alembic reports ``(op, Table)``, ``(op, Index | Constraint)`` (both have ``.table``),
    ``(op, schema, table_name, ...)`` for columns, and lists of those for modifications.
    """
    entry = diff[0] if isinstance(diff, list) else diff
    target = entry[1]
    if isinstance(target, Table):
        return str(target.name)
    table = getattr(target, "table", None)
    if isinstance(table, Table):
        return str(table.name)
    return str(entry[2])


def test_autogenerate_finds_no_difference_for_trust_tables(connection: Connection) -> None:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, Base.metadata)
    ours = [d for d in diffs if _table_of(d).startswith("trust_")]
    assert ours == []
    assert set(inspect(connection).get_table_names()) >= TRUST_TABLES


def test_named_checks_and_the_partial_unique_index_exist(connection: Connection) -> None:
    insp = inspect(connection)
    for table in TRUST_TABLES:
        declared = {c.name for c in Base.metadata.tables[table].constraints if c.name}
        reflected = {c["name"] for c in insp.get_check_constraints(table)}
        reflected |= {c["name"] for c in insp.get_unique_constraints(table)}
        reflected |= {c["name"] for c in insp.get_foreign_keys(table)}
        reflected.add(insp.get_pk_constraint(table)["name"])
        assert reflected == declared, table
    live = {i["name"]: i for i in insp.get_indexes("trust_role_assignment")}
    index = live["uq_trust_role_assignment_active"]
    assert index["unique"]
    where = index["dialect_options"].get(f"{connection.dialect.name}_where")
    assert "revoked_at IS NULL" in str(where)


def test_the_database_refuses_a_second_live_grant_but_keeps_history(session: Session) -> None:
    repo = TrustRepository(session)
    actor = Actor.system()
    repo.add_user("dup", "Dup", actor=actor, at=FIXED_NOW)
    first = repo.add_role("dup", "CN-YRD", "viewer", actor=actor, at=FIXED_NOW)
    with pytest.raises(IntegrityError), session.begin_nested():
        repo.add_role("dup", "CN-YRD", "viewer", actor=actor, at=FIXED_NOW)
    repo.revoke_role(first, actor=actor, at=FIXED_NOW)
    repo.add_role("dup", "CN-YRD", "viewer", actor=actor, at=FIXED_NOW)
    assert len(session.query(RoleAssignment).filter_by(username="dup").all()) == 2


def test_the_database_refuses_unknown_kinds_and_roles(session: Session) -> None:
    bogus = Member(
        id="CN-YRD/GOV/330000/ZZZ",
        name_zh="x",
        name_en="x",
        kind="province",
        parent_id="CN-YRD/GOV/330000",
        created_by="system",
        created_for="CN-YRD",
        created_at=FIXED_NOW,
    )
    nested = session.begin_nested()
    session.add(bogus)
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()
    repo = TrustRepository(session)
    repo.add_user("rolecheck", "R", actor=Actor.system(), at=FIXED_NOW)
    with pytest.raises(IntegrityError), session.begin_nested():
        repo.add_role("rolecheck", "CN-YRD", "superuser", actor=Actor.system(), at=FIXED_NOW)


def test_downgrade_removes_the_trust_tables_and_upgrade_restores_them(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    try:
        config = bootstrap.alembic_config(engine)
        command.upgrade(config, "0002_trust")
        assert set(inspect(engine).get_table_names()) >= TRUST_TABLES
        command.downgrade(config, "0001_region")
        assert not TRUST_TABLES & set(inspect(engine).get_table_names())
        assert "region_city" in inspect(engine).get_table_names()
        command.upgrade(config, "0002_trust")
        assert set(inspect(engine).get_table_names()) >= TRUST_TABLES
    finally:
        engine.dispose()
