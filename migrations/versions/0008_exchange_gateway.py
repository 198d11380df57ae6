"""Exchange gateway: the nonce store that refuses replayed signed requests.

Revision ID: 0008_exchange_gateway
Revises: 0007_exchange_privacy
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0008_exchange_gateway"
down_revision = "0007_exchange_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_gateway_nonce",
        sa.Column("client_member", sa.String(128), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("message_id", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("client_member", "nonce", name=op.f("pk_exchange_gateway_nonce")),
    )
    op.create_index(
        op.f("ix_exchange_gateway_nonce_expires_at"), "exchange_gateway_nonce", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_gateway_nonce_expires_at"), "exchange_gateway_nonce")
    op.drop_table("exchange_gateway_nonce")
