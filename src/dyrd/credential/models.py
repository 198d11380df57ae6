"""Tables of the credential domain: revocation records and each issuer's list version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, UtcDateTime

HASH_TYPE_CHECK = "hash_type IN ('SIGNATURE', 'UCI', 'COUNTRYCODEUCI')"


class RevocationList(Base):
    """One issuing member's revocation list: its version, bumped by every revoke and lift.

    The version is taken with ``UPDATE ... SET version = version + 1``, which holds the row lock
    until commit, so versions are handed out in commit order: a verifier that has synced to
    version V never later misses an entry with a version at or below V.
    """

    __tablename__ = "credential_revocation_list"

    issuer_member: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Revocation(Base):
    """A revoked hash under one signing key, with who revoked it, why, and a possible lift."""

    __tablename__ = "credential_revocation"
    __table_args__ = (
        UniqueConstraint("issuer_member", "kid", "hash_type", "hash"),
        CheckConstraint(HASH_TYPE_CHECK, name="hash_type"),
        Index("ix_credential_revocation_issuer_version", "issuer_member", "version"),
        Index("ix_credential_revocation_issuer_lifted", "issuer_member", "lifted_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issuer_member: Mapped[str] = mapped_column(String(128))
    kid: Mapped[str] = mapped_column(String(16))
    """The 8-byte DCC key id of the signing key, hex."""
    hash_type: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(32))
    """The 16-byte revocation hash, hex."""
    reason: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    """List version at which the entry was (last) revoked."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))
    lifted_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lifted_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
