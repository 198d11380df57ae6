"""Trust keys: members' public keys and validity windows, node URLs, signed directories.

Revision ID: 0005_trust_keys
Revises: 0004_exchange
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0005_trust_keys"
down_revision = "0004_exchange"
branch_labels = None
depends_on = None

# Literal copies of the model's checks: a migration must not change when the code does.
ALGORITHM_CHECK = "algorithm IN ('ES256', 'EdDSA')"
STATUS_CHECK = "status IN ('active', 'retired', 'revoked')"
ACTIVE_KEY = "status = 'active'"


def upgrade() -> None:
    op.create_table(
        "trust_key",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(128), nullable=False),
        sa.Column("algorithm", sa.String(8), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("not_after", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("revoked_for", sa.String(128), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(256), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_trust_key")),
        sa.CheckConstraint(ALGORITHM_CHECK, name=op.f("ck_trust_key_algorithm")),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_trust_key_status")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["trust_member.id"], name=op.f("fk_trust_key_member_id_trust_member")
        ),
    )
    op.create_index(op.f("ix_trust_key_member_id"), "trust_key", ["member_id"])
    op.create_index(
        "uq_trust_key_active",
        "trust_key",
        ["member_id", "algorithm"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_KEY),
        postgresql_where=sa.text(ACTIVE_KEY),
    )
    op.create_table(
        "trust_node",
        sa.Column("member_id", sa.String(128), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_for", sa.String(128), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_trust_node")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["trust_member.id"], name=op.f("fk_trust_node_member_id_trust_member")
        ),
    )
    op.create_table(
        "trust_directory",
        sa.Column("serial", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_trust_directory")),
        sa.ForeignKeyConstraint(
            ["key_id"], ["trust_key.kid"], name=op.f("fk_trust_directory_key_id_trust_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("trust_directory")
    op.drop_table("trust_node")
    op.drop_index("uq_trust_key_active", table_name="trust_key")
    op.drop_index(op.f("ix_trust_key_member_id"), table_name="trust_key")
    op.drop_table("trust_key")
