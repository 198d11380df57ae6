"""Exchange: catalog resources, their immutable versions, uploaded rows.

Revision ID: 0004_exchange
Revises: 0003_ledger
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0004_exchange"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_resource",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("owner_member", sa.String(128), nullable=False),
        sa.Column("jurisdiction", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("title_zh", sa.String(300), nullable=False),
        sa.Column("sharing_class", sa.String(16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=True),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("modified_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_resource")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_resource_name")),
    )
    op.create_index(
        op.f("ix_exchange_resource_owner_member"), "exchange_resource", ["owner_member"]
    )
    op.create_index(
        op.f("ix_exchange_resource_jurisdiction"), "exchange_resource", ["jurisdiction"]
    )
    op.create_table(
        "exchange_resource_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_kind", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("summary_zh", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=True),
        sa.Column("data_format", sa.String(16), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("data_sha256", sa.String(64), nullable=True),
        sa.Column("data_bytes", sa.Integer(), nullable=True),
        sa.Column("data_uploaded_at", UtcDateTime(), nullable=True),
        sa.Column("quality", sa.JSON(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_resource_version")),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["exchange_resource.id"],
            name=op.f("fk_exchange_resource_version_resource_id_exchange_resource"),
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_exchange_resource_version_uid")),
        sa.UniqueConstraint(
            "resource_id",
            "version",
            name=op.f("uq_exchange_resource_version_resource_id_version"),
        ),
    )
    op.create_index(
        op.f("ix_exchange_resource_version_resource_id"),
        "exchange_resource_version",
        ["resource_id"],
    )
    op.create_table(
        "exchange_resource_row",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_resource_row")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["exchange_resource_version.id"],
            name=op.f("fk_exchange_resource_row_version_id_exchange_resource_version"),
        ),
        sa.UniqueConstraint(
            "version_id",
            "row_number",
            name=op.f("uq_exchange_resource_row_version_id_row_number"),
        ),
    )


def downgrade() -> None:
    op.drop_table("exchange_resource_row")
    op.drop_index(
        op.f("ix_exchange_resource_version_resource_id"), table_name="exchange_resource_version"
    )
    op.drop_table("exchange_resource_version")
    op.drop_index(op.f("ix_exchange_resource_jurisdiction"), table_name="exchange_resource")
    op.drop_index(op.f("ix_exchange_resource_owner_member"), table_name="exchange_resource")
    op.drop_table("exchange_resource")
