"""Trust certificates: the region CSCA, members' DSCs and the trust list's change log.

Revision ID: 0009_trust_certificates
Revises: 0008_exchange_gateway
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0009_trust_certificates"
down_revision = "0008_exchange_gateway"
branch_labels = None
depends_on = None

# Literal copies of the model's checks: a migration must not change when the code does.
KIND_CHECK = "kind IN ('csca', 'dsc')"
ALGORITHM_CHECK = "algorithm IN ('ES256', 'EdDSA')"
STATUS_CHECK = "status IN ('active', 'retired', 'revoked')"
ACTION_CHECK = "action IN ('added', 'retired', 'revoked', 'expired')"
ACTIVE_CERTIFICATE = "status = 'active'"


def upgrade() -> None:
    op.create_table(
        "trust_certificate",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("kid", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("member_id", sa.String(128), nullable=False),
        sa.Column("jurisdiction_code", sa.String(6), nullable=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(8), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", UtcDateTime(), nullable=False),
        sa.Column("not_after", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("retired_at", UtcDateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(256), nullable=True),
        sa.Column("removed_in", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("revoked_for", sa.String(128), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_trust_certificate")),
        sa.CheckConstraint(KIND_CHECK, name=op.f("ck_trust_certificate_kind")),
        sa.CheckConstraint(ALGORITHM_CHECK, name=op.f("ck_trust_certificate_algorithm")),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_trust_certificate_status")),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["trust_member.id"],
            name=op.f("fk_trust_certificate_member_id_trust_member"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["trust_key.kid"], name=op.f("fk_trust_certificate_key_id_trust_key")
        ),
    )
    op.create_index(op.f("ix_trust_certificate_kid"), "trust_certificate", ["kid"])
    op.create_index(op.f("ix_trust_certificate_member_id"), "trust_certificate", ["member_id"])
    op.create_index(op.f("ix_trust_certificate_key_id"), "trust_certificate", ["key_id"])
    op.create_index(
        "uq_trust_certificate_active",
        "trust_certificate",
        ["member_id", "kind", "algorithm"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_CERTIFICATE),
        postgresql_where=sa.text(ACTIVE_CERTIFICATE),
    )
    op.create_table(
        "trust_list_change",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_trust_list_change")),
        sa.CheckConstraint(ACTION_CHECK, name=op.f("ck_trust_list_change_action")),
        sa.ForeignKeyConstraint(
            ["fingerprint"],
            ["trust_certificate.fingerprint"],
            name=op.f("fk_trust_list_change_fingerprint_trust_certificate"),
        ),
    )
    op.create_index(op.f("ix_trust_list_change_fingerprint"), "trust_list_change", ["fingerprint"])


def downgrade() -> None:
    op.drop_index(op.f("ix_trust_list_change_fingerprint"), table_name="trust_list_change")
    op.drop_table("trust_list_change")
    op.drop_index("uq_trust_certificate_active", table_name="trust_certificate")
    op.drop_index(op.f("ix_trust_certificate_key_id"), table_name="trust_certificate")
    op.drop_index(op.f("ix_trust_certificate_member_id"), table_name="trust_certificate")
    op.drop_index(op.f("ix_trust_certificate_kid"), table_name="trust_certificate")
    op.drop_table("trust_certificate")
