"""Tables of the exchange domain: catalog entries, versions, uploaded rows, access requests, grants.

Uploaded data is stored as one JSON object per row in ``exchange_resource_row``, keyed by the
version that uploaded it. A later metadata-only version points at the same rows through
``data_version``, so rows are never copied; an upload's rows are never changed or deleted, so any
version's data can be read (and diffed) for as long as the catalog exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, UtcDateTime


class Resource(Base):
    """A catalog entry at its current version (the head of its version history)."""

    __tablename__ = "exchange_resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner_member: Mapped[str] = mapped_column(String(128), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    title_zh: Mapped[str] = mapped_column(String(300))
    sharing_class: Mapped[str] = mapped_column(String(16))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    current_version: Mapped[int] = mapped_column(Integer)
    data_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    modified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))


class ResourceVersion(Base):
    """One immutable version: full metadata snapshot, diff from the previous one, data summary."""

    __tablename__ = "exchange_resource_version"
    __table_args__ = (UniqueConstraint("resource_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("exchange_resource.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change_kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    summary_zh: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    data_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data_format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    row_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data_uploaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))


class ResourceRow(Base):
    """One uploaded row as a JSON object, in file order (row_number from 1)."""

    __tablename__ = "exchange_resource_row"
    # The unique constraint's index (version_id first) serves reads of one version's rows.
    __table_args__ = (UniqueConstraint("version_id", "row_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("exchange_resource_version.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class AccessRequest(Base):
    """A member's request to use a resource: purpose, legal basis, fields, duration, answer."""

    __tablename__ = "exchange_access_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'granted', 'refused')", name="status"),
        CheckConstraint(
            "decision IS NULL OR decision IN ('approve', 'refuse', 'auto_grant', 'auto_refuse')",
            name="decision",
        ),
        CheckConstraint("duration_days >= 1", name="duration_days"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("exchange_resource.id"), index=True)
    resource_version: Mapped[int] = mapped_column(Integer)
    sharing_class: Mapped[str] = mapped_column(String(16))
    owner_member: Mapped[str] = mapped_column(String(128), index=True)
    consumer_member: Mapped[str] = mapped_column(String(128), index=True)
    purpose_code: Mapped[str] = mapped_column(String(32))
    purpose_zh: Mapped[str] = mapped_column(Text)
    purpose_en: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(JSON)
    duration_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_by: Mapped[str] = mapped_column(String(128))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_for: Mapped[str | None] = mapped_column(String(128), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalated_to: Mapped[str | None] = mapped_column(String(128), nullable=True)


class Grant(Base):
    """Permission for one member to use some columns of a resource, for a purpose, until a time."""

    __tablename__ = "exchange_grant"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'revoked')", name="status"),
        CheckConstraint("valid_until > valid_from", name="validity"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("exchange_access_request.id"), unique=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("exchange_resource.id"), index=True)
    owner_member: Mapped[str] = mapped_column(String(128), index=True)
    consumer_member: Mapped[str] = mapped_column(String(128), index=True)
    purpose_code: Mapped[str] = mapped_column(String(32))
    purpose_zh: Mapped[str] = mapped_column(Text)
    purpose_en: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    revoked_for: Mapped[str | None] = mapped_column(String(128), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PrivacyBudget(Base):
    """The ε a grant may spend on differentially private aggregates, and has spent.

    Amounts are integer millionths of ε, so that adding charges is exact on every database. No
    foreign key to ``exchange_grant``: the gateway writes here only after it has checked the
    grant, and the ledger of a revoked or expired grant is kept as evidence.
    """

    __tablename__ = "exchange_privacy_budget"
    __table_args__ = (
        # The last line of defence: the conditional UPDATE already refuses overspending.
        CheckConstraint(
            "spent_micro_eps >= 0 AND spent_micro_eps <= total_micro_eps", name="spent"
        ),
    )

    grant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    total_micro_eps: Mapped[int] = mapped_column(Integer)
    spent_micro_eps: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GatewayNonce(Base):
    """A request nonce the gateway accepted, kept until a request carrying it would be stale.

    The primary key makes a replay fail in the database itself, so it is caught across worker
    processes and restarts; rows past ``expires_at`` are pruned by the gateway.
    """

    __tablename__ = "exchange_gateway_nonce"

    client_member: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    message_id: Mapped[str] = mapped_column(String(256))
