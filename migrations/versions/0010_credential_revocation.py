"""Credential revocation: revoked hashes per signing key and each issuer's list version.

Revision ID: 0010_credential_revocation
Revises: 0009_trust_certificates
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0010_credential_revocation"
down_revision = "0009_trust_certificates"
branch_labels = None
depends_on = None

# A literal copy of the model's check: a migration must not change when the code does.
HASH_TYPE_CHECK = "hash_type IN ('SIGNATURE', 'UCI', 'COUNTRYCODEUCI')"


def upgrade() -> None:
    op.create_table(
        "credential_revocation_list",
        sa.Column("issuer_member", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_member", name=op.f("pk_credential_revocation_list")),
    )
    op.create_table(
        "credential_revocation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issuer_member", sa.String(128), nullable=False),
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("hash_type", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("lifted_version", sa.Integer(), nullable=True),
        sa.Column("lifted_at", UtcDateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(128), nullable=True),
        sa.Column("lifted_reason", sa.String(500), nullable=True),
        sa.CheckConstraint(HASH_TYPE_CHECK, name=op.f("ck_credential_revocation_hash_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_revocation")),
        sa.UniqueConstraint(
            "issuer_member",
            "kid",
            "hash_type",
            "hash",
            name=op.f("uq_credential_revocation_issuer_member_kid_hash_type_hash"),
        ),
    )
    op.create_index(
        "ix_credential_revocation_issuer_version",
        "credential_revocation",
        ["issuer_member", "version"],
    )
    op.create_index(
        "ix_credential_revocation_issuer_lifted",
        "credential_revocation",
        ["issuer_member", "lifted_version"],
    )


def downgrade() -> None:
    op.drop_index("ix_credential_revocation_issuer_lifted", "credential_revocation")
    op.drop_index("ix_credential_revocation_issuer_version", "credential_revocation")
    op.drop_table("credential_revocation")
    op.drop_table("credential_revocation_list")
