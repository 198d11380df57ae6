"""Exchange privacy: the per-grant ε budget of differentially private aggregates.

Revision ID: 0007_exchange_privacy
Revises: 0006_exchange_access
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0007_exchange_privacy"
down_revision = "0006_exchange_access"
branch_labels = None
depends_on = None

# A literal copy of the model's check: a migration must not change when the code does.
SPENT_CHECK = "spent_micro_eps >= 0 AND spent_micro_eps <= total_micro_eps"


def upgrade() -> None:
    op.create_table(
        "exchange_privacy_budget",
        sa.Column("grant_id", sa.String(36), nullable=False),
        sa.Column("total_micro_eps", sa.Integer(), nullable=False),
        sa.Column("spent_micro_eps", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_exchange_privacy_budget")),
        sa.CheckConstraint(SPENT_CHECK, name=op.f("ck_exchange_privacy_budget_spent")),
    )


def downgrade() -> None:
    op.drop_table("exchange_privacy_budget")
