"""Region: provinces, cities with boundaries, indicator definitions, long-form statistics.

Revision ID: 0001_region
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0001_region"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "region_province",
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("name_zh", sa.String(32), nullable=False),
        sa.Column("name_en", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region_province")),
    )
    op.create_table(
        "region_city",
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("name_zh", sa.String(32), nullable=False),
        sa.Column("name_en", sa.String(64), nullable=False),
        sa.Column("province_code", sa.String(6), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column("boundary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region_city")),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["region_province.code"],
            name=op.f("fk_region_city_province_code_region_province"),
        ),
    )
    op.create_index(op.f("ix_region_city_province_code"), "region_city", ["province_code"])
    op.create_table(
        "region_indicator",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name_zh", sa.String(128), nullable=False),
        sa.Column("name_en", sa.String(128), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region_indicator")),
    )
    op.create_table(
        "region_statistic",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_for", sa.String(128), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_statistic")),
        sa.ForeignKeyConstraint(
            ["city_code"],
            ["region_city.code"],
            name=op.f("fk_region_statistic_city_code_region_city"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator"],
            ["region_indicator.code"],
            name=op.f("fk_region_statistic_indicator_region_indicator"),
        ),
        sa.UniqueConstraint(
            "city_code",
            "indicator",
            "year",
            name=op.f("uq_region_statistic_city_code_indicator_year"),
        ),
    )
    op.create_index(op.f("ix_region_statistic_city_code"), "region_statistic", ["city_code"])
    op.create_index("ix_region_statistic_indicator_year", "region_statistic", ["indicator", "year"])


def downgrade() -> None:
    op.drop_table("region_statistic")
    op.drop_table("region_indicator")
    op.drop_index(op.f("ix_region_city_province_code"), table_name="region_city")
    op.drop_table("region_city")
    op.drop_table("region_province")
