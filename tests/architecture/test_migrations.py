"""The Alembic history builds exactly the schema the models declare, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

from dyrd import bootstrap


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    metadata = bootstrap.metadata()
    assert isinstance(metadata, MetaData)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        diff: list[Any] = compare_metadata(context, metadata)
    assert diff == [], "the models and the migrations disagree; write a migration:\n" + "\n".join(
        map(str, diff)
    )


def test_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert bootstrap.current_revision(engine) == bootstrap.head_revision()


def test_history_is_one_linear_chain() -> None:
    scripts = ScriptDirectory(str(bootstrap.MIGRATIONS))
    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1
    for revision in scripts.walk_revisions():
        assert not revision.is_merge_point, f"{revision.revision} merges branches"
