"""Market oversight: enterprise risk events and alerts, imported OCDS releases.

Revision ID: 0015_market_risk
Revises: 0014_market
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0015_market_risk"
down_revision = "0014_market"
branch_labels = None
depends_on = None


def _stamp() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "market_risk_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=256), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_risk_event")),
    )
    op.create_index(
        op.f("ix_market_risk_event_enterprise_id"), "market_risk_event", ["enterprise_id"]
    )
    op.create_table(
        "market_risk_alert",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_id", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("explanation_zh", sa.Text(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_risk_alert")),
    )
    op.create_index(
        op.f("ix_market_risk_alert_enterprise_id"), "market_risk_alert", ["enterprise_id"]
    )
    op.create_table(
        "market_ocds_release",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ocid", sa.String(length=128), nullable=False),
        sa.Column("release_id", sa.String(length=256), nullable=False),
        sa.Column("date", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_ocds_release")),
        sa.UniqueConstraint(
            "ocid", "release_id", name=op.f("uq_market_ocds_release_ocid_release_id")
        ),
    )
    op.create_index(op.f("ix_market_ocds_release_ocid"), "market_ocds_release", ["ocid"])


def downgrade() -> None:
    op.drop_index(op.f("ix_market_ocds_release_ocid"), table_name="market_ocds_release")
    op.drop_table("market_ocds_release")
    op.drop_index(op.f("ix_market_risk_alert_enterprise_id"), table_name="market_risk_alert")
    op.drop_table("market_risk_alert")
    op.drop_index(op.f("ix_market_risk_event_enterprise_id"), table_name="market_risk_event")
    op.drop_table("market_risk_event")
