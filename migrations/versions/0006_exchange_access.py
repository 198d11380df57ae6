"""Exchange access: access requests (purpose, legal basis, fields, deadline, answer) and grants.

Revision ID: 0006_exchange_access
Revises: 0005_trust_keys
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0006_exchange_access"
down_revision = "0005_trust_keys"
branch_labels = None
depends_on = None

# Literal copies of the model's checks: a migration must not change when the code does.
REQUEST_STATUS_CHECK = "status IN ('pending', 'granted', 'refused')"
DECISION_CHECK = (
    "decision IS NULL OR decision IN ('approve', 'refuse', 'auto_grant', 'auto_refuse')"
)
DURATION_CHECK = "duration_days >= 1"
GRANT_STATUS_CHECK = "status IN ('active', 'revoked')"
VALIDITY_CHECK = "valid_until > valid_from"

_REQUEST_INDEXES = ("resource_id", "owner_member", "consumer_member", "status")
_GRANT_INDEXES = ("resource_id", "owner_member", "consumer_member")


def upgrade() -> None:
    op.create_table(
        "exchange_access_request",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("resource_version", sa.Integer(), nullable=False),
        sa.Column("sharing_class", sa.String(16), nullable=False),
        sa.Column("owner_member", sa.String(128), nullable=False),
        sa.Column("consumer_member", sa.String(128), nullable=False),
        sa.Column("purpose_code", sa.String(32), nullable=False),
        sa.Column("purpose_zh", sa.Text(), nullable=False),
        sa.Column("purpose_en", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(128), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_for", sa.String(128), nullable=True),
        sa.Column("escalated_at", UtcDateTime(), nullable=True),
        sa.Column("escalated_to", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_access_request")),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["exchange_resource.id"],
            name=op.f("fk_exchange_access_request_resource_id_exchange_resource"),
        ),
        sa.CheckConstraint(REQUEST_STATUS_CHECK, name=op.f("ck_exchange_access_request_status")),
        sa.CheckConstraint(DECISION_CHECK, name=op.f("ck_exchange_access_request_decision")),
        sa.CheckConstraint(DURATION_CHECK, name=op.f("ck_exchange_access_request_duration_days")),
    )
    for column in _REQUEST_INDEXES:
        op.create_index(
            op.f(f"ix_exchange_access_request_{column}"), "exchange_access_request", [column]
        )
    op.create_table(
        "exchange_grant",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("owner_member", sa.String(128), nullable=False),
        sa.Column("consumer_member", sa.String(128), nullable=False),
        sa.Column("purpose_code", sa.String(32), nullable=False),
        sa.Column("purpose_zh", sa.Text(), nullable=False),
        sa.Column("purpose_en", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("revoked_for", sa.String(128), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_grant")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["exchange_access_request.id"],
            name=op.f("fk_exchange_grant_request_id_exchange_access_request"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["exchange_resource.id"],
            name=op.f("fk_exchange_grant_resource_id_exchange_resource"),
        ),
        sa.UniqueConstraint("request_id", name=op.f("uq_exchange_grant_request_id")),
        sa.CheckConstraint(GRANT_STATUS_CHECK, name=op.f("ck_exchange_grant_status")),
        sa.CheckConstraint(VALIDITY_CHECK, name=op.f("ck_exchange_grant_validity")),
    )
    for column in _GRANT_INDEXES:
        op.create_index(op.f(f"ix_exchange_grant_{column}"), "exchange_grant", [column])


def downgrade() -> None:
    for column in _GRANT_INDEXES:
        op.drop_index(op.f(f"ix_exchange_grant_{column}"), table_name="exchange_grant")
    op.drop_table("exchange_grant")
    for column in _REQUEST_INDEXES:
        op.drop_index(
            op.f(f"ix_exchange_access_request_{column}"), table_name="exchange_access_request"
        )
    op.drop_table("exchange_access_request")
