"""Trust: members, users, role assignments and API tokens (stored as SHA-256 digests).

Revision ID: 0002_trust
Revises: 0001_region
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0002_trust"
down_revision = "0001_region"
branch_labels = None
depends_on = None

# Literal copies of the model's checks: a migration must not change when the code does.
KIND_CHECK = "kind IN ('region', 'jurisdiction', 'department')"
ROLE_CHECK = "role IN ('viewer', 'analyst', 'data_steward', 'admin')"
ACTIVE_ONLY = "revoked_at IS NULL"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def _revoked() -> list[sa.Column[object]]:
    return [
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("revoked_for", sa.String(128), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "trust_member",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("name_zh", sa.String(128), nullable=False),
        sa.Column("name_en", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.String(128), nullable=True),
        sa.Column("jurisdiction_code", sa.String(6), nullable=True),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_member")),
        sa.CheckConstraint(KIND_CHECK, name=op.f("ck_trust_member_kind")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["trust_member.id"],
            name=op.f("fk_trust_member_parent_id_trust_member"),
        ),
    )
    op.create_index(op.f("ix_trust_member_parent_id"), "trust_member", ["parent_id"])
    op.create_table(
        "trust_user",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_created(),
        sa.Column("updated_by", sa.String(128), nullable=True),
        sa.Column("updated_for", sa.String(128), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_trust_user")),
    )
    op.create_table(
        "trust_role_assignment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        *_created(),
        *_revoked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_role_assignment")),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_trust_role_assignment_role")),
        sa.ForeignKeyConstraint(
            ["username"],
            ["trust_user.username"],
            name=op.f("fk_trust_role_assignment_username_trust_user"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["trust_member.id"],
            name=op.f("fk_trust_role_assignment_member_id_trust_member"),
        ),
    )
    op.create_index(
        op.f("ix_trust_role_assignment_username"), "trust_role_assignment", ["username"]
    )
    op.create_index(
        op.f("ix_trust_role_assignment_member_id"), "trust_role_assignment", ["member_id"]
    )
    op.create_index(
        "uq_trust_role_assignment_active",
        "trust_role_assignment",
        ["username", "member_id", "role"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_ONLY),
        postgresql_where=sa.text(ACTIVE_ONLY),
    )
    op.create_table(
        "trust_api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        *_created(),
        *_revoked(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_api_token")),
        sa.ForeignKeyConstraint(
            ["username"],
            ["trust_user.username"],
            name=op.f("fk_trust_api_token_username_trust_user"),
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_trust_api_token_token_hash")),
    )
    op.create_index(op.f("ix_trust_api_token_username"), "trust_api_token", ["username"])
    op.create_index(op.f("ix_trust_api_token_prefix"), "trust_api_token", ["prefix"])


def downgrade() -> None:
    op.drop_index(op.f("ix_trust_api_token_prefix"), table_name="trust_api_token")
    op.drop_index(op.f("ix_trust_api_token_username"), table_name="trust_api_token")
    op.drop_table("trust_api_token")
    op.drop_index("uq_trust_role_assignment_active", table_name="trust_role_assignment")
    op.drop_index(op.f("ix_trust_role_assignment_member_id"), table_name="trust_role_assignment")
    op.drop_index(op.f("ix_trust_role_assignment_username"), table_name="trust_role_assignment")
    op.drop_table("trust_role_assignment")
    op.drop_table("trust_user")
    op.drop_index(op.f("ix_trust_member_parent_id"), table_name="trust_member")
    op.drop_table("trust_member")
