"""Health codes: venues (场所码) and venue-code scans, for contact tracing.

Revision ID: 0012_healthcode_venues
Revises: 0011_healthcode
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0012_healthcode_venues"
down_revision = "0011_healthcode"
branch_labels = None
depends_on = None

VENUE = "healthcode_venue"
SCAN = "healthcode_scan"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        VENUE,
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{VENUE}")),
    )
    op.create_index(op.f(f"ix_{VENUE}_jurisdiction"), VENUE, ["jurisdiction"])
    op.create_table(
        SCAN,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("venue_id", sa.String(36), nullable=False),
        sa.Column("resident_ref", sa.String(36), nullable=False),
        sa.Column("home_jurisdiction", sa.String(6), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.Column("left_at", UtcDateTime(), nullable=True),
        *_created(),
        sa.ForeignKeyConstraint(
            ["venue_id"], [f"{VENUE}.id"], name=op.f(f"fk_{SCAN}_venue_id_{VENUE}")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{SCAN}")),
    )
    op.create_index(op.f(f"ix_{SCAN}_venue_id"), SCAN, ["venue_id"])
    op.create_index(op.f(f"ix_{SCAN}_resident_ref"), SCAN, ["resident_ref"])
    op.create_index(op.f(f"ix_{SCAN}_entered_at"), SCAN, ["entered_at"])


def downgrade() -> None:
    op.drop_table(SCAN)
    op.drop_table(VENUE)
