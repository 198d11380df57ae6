"""Ledger: append-only entries, stored subtree hashes, signed tree heads, signing keys.

Revision ID: 0003_ledger
Revises: 0002_trust
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0003_ledger"
down_revision = "0002_trust"
branch_labels = None
depends_on = None

# A literal copy of the model's variant: a migration must not change when the code does.
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    state = op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_state")),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_state_singleton")),
    )
    # The empty log: appenders lock this row, so it must exist before the first append.
    op.bulk_insert(state, [{"id": 1, "size": 0, "last_hash": bytes(32), "frontier": b""}])
    op.create_table(
        "ledger_entry",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("actor_user", sa.String(128), nullable=False),
        sa.Column("actor_member", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entry")),
    )
    op.create_index(op.f("ix_ledger_entry_subject"), "ledger_entry", ["subject"])
    op.create_table(
        "ledger_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_node")),
    )
    op.create_table(
        "ledger_key",
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("first_used_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_ledger_key")),
    )
    op.create_table(
        "ledger_tree_head",
        sa.Column("size", SEQ, autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("timestamp", UtcDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_tree_head")),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["ledger_key.key_id"],
            name=op.f("fk_ledger_tree_head_key_id_ledger_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("ledger_tree_head")
    op.drop_table("ledger_key")
    op.drop_table("ledger_node")
    op.drop_index(op.f("ix_ledger_entry_subject"), table_name="ledger_entry")
    op.drop_table("ledger_entry")
    op.drop_table("ledger_state")
