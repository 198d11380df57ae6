"""Health codes: signed checkpoint acceptance policies (mutual recognition), versioned.

Revision ID: 0013_healthcode_policies
Revises: 0012_healthcode_venues
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0013_healthcode_policies"
down_revision = "0012_healthcode_venues"
branch_labels = None
depends_on = None

POLICY = "healthcode_policy"


def upgrade() -> None:
    op.create_table(
        POLICY,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("policy_id", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("protected", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.String(128), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{POLICY}")),
        sa.UniqueConstraint("policy_id", "version", name=op.f(f"uq_{POLICY}_policy_id_version")),
    )
    op.create_index(op.f(f"ix_{POLICY}_policy_id"), POLICY, ["policy_id"])
    op.create_index(op.f(f"ix_{POLICY}_jurisdiction"), POLICY, ["jurisdiction"])


def downgrade() -> None:
    op.drop_table(POLICY)
