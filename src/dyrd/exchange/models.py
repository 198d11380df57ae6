"""Tables of the exchange domain: catalog entries, their immutable versions, uploaded rows.

Uploaded data is stored as one JSON object per row in ``exchange_resource_row``, keyed by the
version that uploaded it. A later metadata-only version points at the same rows through
``data_version``, so rows are never copied; an upload's rows are never changed or deleted, so any
version's data can be read (and diffed) for as long as the catalog exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
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
