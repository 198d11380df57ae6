"""Alembic environment: the engine handed over by dyrd.bootstrap, else DYRD_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from dyrd.core.config import Settings
from dyrd.core.db import Base, create_db_engine

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    engine = create_db_engine(Settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
