"""Health codes: residents (hashed ID numbers), inputs, risk lists, signed rules, colours,
issuances, appeals and the resident-visible access log.

Revision ID: 0011_healthcode
Revises: 0010_credential_revocation
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0011_healthcode"
down_revision = "0010_credential_revocation"
branch_labels = None
depends_on = None

RESIDENT = "healthcode_resident"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def _resident_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["resident_id"], [f"{RESIDENT}.id"], name=op.f(f"fk_{table}_resident_id_{RESIDENT}")
    )


def _input_table(table: str, *columns: sa.Column[object], created: bool = True) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resident_id", sa.String(36), nullable=False),
        *columns,
        *(_created() if created else []),
        _resident_fk(table),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f(f"ix_{table}_resident_id"), table, ["resident_id"])


def upgrade() -> None:
    op.create_table(
        RESIDENT,
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("initials", sa.String(4), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{RESIDENT}")),
        sa.UniqueConstraint("id_hash", name=op.f(f"uq_{RESIDENT}_id_hash")),
    )
    op.create_index(op.f(f"ix_{RESIDENT}_jurisdiction"), RESIDENT, ["jurisdiction"])
    _input_table(
        "healthcode_stay",
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("district_code", sa.String(6), nullable=True),
        sa.Column("stay_date", sa.Date(), nullable=False),
    )
    op.create_table(
        "healthcode_risk_list",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("areas", sa.Integer(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthcode_risk_list")),
        sa.UniqueConstraint(
            "jurisdiction", "version", name=op.f("uq_healthcode_risk_list_jurisdiction_version")
        ),
    )
    op.create_index(
        op.f("ix_healthcode_risk_list_jurisdiction"), "healthcode_risk_list", ["jurisdiction"]
    )
    op.create_table(
        "healthcode_risk_area",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("district_code", sa.String(6), nullable=True),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "level IN ('high', 'medium', 'low')", name=op.f("ck_healthcode_risk_area_level")
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["healthcode_risk_list.id"],
            name=op.f("fk_healthcode_risk_area_list_id_healthcode_risk_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthcode_risk_area")),
    )
    op.create_index(op.f("ix_healthcode_risk_area_list_id"), "healthcode_risk_area", ["list_id"])
    _input_table(
        "healthcode_test",
        sa.Column("test_type", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("tested_at", UtcDateTime(), nullable=False),
    )
    _input_table(
        "healthcode_vaccination",
        sa.Column("dose", sa.Integer(), nullable=False),
        sa.Column("vaccinated_on", sa.Date(), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
    )
    _input_table(
        "healthcode_contact",
        sa.Column("flagged_on", sa.Date(), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
    )
    _input_table(
        "healthcode_symptom",
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("symptoms", sa.JSON(), nullable=False),
    )
    op.create_table(
        "healthcode_rule",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("protected", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.String(128), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthcode_rule")),
        sa.UniqueConstraint("rule_id", "version", name=op.f("uq_healthcode_rule_rule_id_version")),
    )
    op.create_index(op.f("ix_healthcode_rule_rule_id"), "healthcode_rule", ["rule_id"])
    op.create_index(op.f("ix_healthcode_rule_jurisdiction"), "healthcode_rule", ["jurisdiction"])
    op.create_table(
        "healthcode_status",
        sa.Column("resident_id", sa.String(36), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", UtcDateTime(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        _resident_fk("healthcode_status"),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_healthcode_status")),
    )
    _input_table(
        "healthcode_issuance",
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
    )
    op.create_index(
        op.f("ix_healthcode_issuance_jurisdiction"), "healthcode_issuance", ["jurisdiction"]
    )
    op.create_table(
        "healthcode_appeal",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("resident_id", sa.String(36), nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(128), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(128), nullable=True),
        sa.Column("answered_for", sa.String(128), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'corrected', 'rejected')",
            name=op.f("ck_healthcode_appeal_status"),
        ),
        _resident_fk("healthcode_appeal"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healthcode_appeal")),
    )
    for column in ("resident_id", "jurisdiction", "status"):
        op.create_index(op.f(f"ix_healthcode_appeal_{column}"), "healthcode_appeal", [column])
    _input_table(
        "healthcode_access_log",
        sa.Column("accessed_at", UtcDateTime(), nullable=False),
        sa.Column("user", sa.String(128), nullable=False),
        sa.Column("member", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        created=False,
    )


def downgrade() -> None:
    for table in (
        "healthcode_access_log",
        "healthcode_appeal",
        "healthcode_issuance",
        "healthcode_status",
        "healthcode_rule",
        "healthcode_symptom",
        "healthcode_contact",
        "healthcode_vaccination",
        "healthcode_test",
        "healthcode_risk_area",
        "healthcode_risk_list",
        "healthcode_stay",
        RESIDENT,
    ):
        op.drop_table(table)
