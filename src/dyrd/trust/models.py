"""Tables of the trust domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, CreatedStamp, RevokedStamp, UtcDateTime
from dyrd.core.types import Role
from dyrd.trust.types import KeyAlgorithm, KeyStatus, MemberKind


def _one_of(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


KIND_CHECK = _one_of("kind", [k.value for k in MemberKind])
ROLE_CHECK = _one_of("role", [r.value for r in Role])
ACTIVE_ONLY = "revoked_at IS NULL"
ALGORITHM_CHECK = _one_of("algorithm", [a.value for a in KeyAlgorithm])
STATUS_CHECK = _one_of("status", [s.value for s in KeyStatus])
ACTIVE_KEY = "status = 'active'"


class Member(CreatedStamp, Base):
    """A participant of the region: the region itself, a jurisdiction, or a department."""

    __tablename__ = "trust_member"
    __table_args__ = (CheckConstraint(KIND_CHECK, name="kind"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("trust_member.id"), index=True, nullable=True
    )
    jurisdiction_code: Mapped[str | None] = mapped_column(String(6), nullable=True)


class User(CreatedStamp, Base):
    """A person (or service account) who signs in with API tokens.

    The username is the key because it is what every audit column (``created_by``) records;
    renaming a user would orphan that history, so usernames never change.
    """

    __tablename__ = "trust_user"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    updated_for: Mapped[str | None] = mapped_column(String(128), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RoleAssignment(CreatedStamp, RevokedStamp, Base):
    """A role a user holds in a member; revoking keeps the row and records who revoked it."""

    __tablename__ = "trust_role_assignment"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role"),
        # One live grant per (user, member, role); revoked grants stay as history beside it.
        Index(
            "uq_trust_role_assignment_active",
            "username",
            "member_id",
            "role",
            unique=True,
            sqlite_where=text(ACTIVE_ONLY),
            postgresql_where=text(ACTIVE_ONLY),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(ForeignKey("trust_user.username"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("trust_member.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class ApiToken(CreatedStamp, RevokedStamp, Base):
    """A bearer token: only its SHA-256 digest and a short non-secret prefix are stored."""

    __tablename__ = "trust_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(ForeignKey("trust_user.username"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TrustKey(CreatedStamp, RevokedStamp, Base):
    """A member's signing key: its public half and validity window (the private half is in the
    key store, never in the database).

    ``kid`` is the RFC 7638 thumbprint of the public key. A key signs while ``active``; rotation
    makes it ``retired`` with ``not_after`` set, revocation ``revoked`` with ``revoked_at``.
    """

    __tablename__ = "trust_key"
    __table_args__ = (
        CheckConstraint(ALGORITHM_CHECK, name="algorithm"),
        CheckConstraint(STATUS_CHECK, name="status"),
        # One signing key per member and algorithm; retired and revoked keys stay beside it.
        Index(
            "uq_trust_key_active",
            "member_id",
            "algorithm",
            unique=True,
            sqlite_where=text(ACTIVE_KEY),
            postgresql_where=text(ACTIVE_KEY),
        ),
    )

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("trust_member.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(8))
    public_jwk: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(256), nullable=True)


class Node(Base):
    """Where a member's node answers and which services it offers, as the directory lists them."""

    __tablename__ = "trust_node"

    member_id: Mapped[str] = mapped_column(ForeignKey("trust_member.id"), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_for: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PublishedDirectory(Base):
    """One signed directory document as served, byte for byte; the newest serial is current."""

    __tablename__ = "trust_directory"

    serial: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(ForeignKey("trust_key.kid"))
    content_digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(128))
    created_for: Mapped[str] = mapped_column(String(128))


CERTIFICATE_KIND_CHECK = "kind IN ('csca', 'dsc')"
CHANGE_ACTION_CHECK = "action IN ('added', 'retired', 'revoked', 'expired')"
ACTIVE_CERTIFICATE = "status = 'active'"


class TrustCertificate(CreatedStamp, RevokedStamp, Base):
    """An X.509 certificate of the credential trust list: the region CSCA or a member's DSC.

    ``fingerprint`` is the hex SHA-256 of ``der``; ``kid`` the EU DCC key identifier (base64 of
    its first 8 bytes, which may collide). A certificate is ``active`` while its key signs,
    ``retired`` once replaced (listed until ``not_after``), ``revoked`` when withdrawn.
    ``removed_in`` is the trust-list version that dropped it (revoked or expired).
    """

    __tablename__ = "trust_certificate"
    __table_args__ = (
        CheckConstraint(CERTIFICATE_KIND_CHECK, name="kind"),
        CheckConstraint(ALGORITHM_CHECK, name="algorithm"),
        CheckConstraint(STATUS_CHECK, name="status"),
        # One signing certificate per member, kind and algorithm; rotation retires the old one.
        Index(
            "uq_trust_certificate_active",
            "member_id",
            "kind",
            "algorithm",
            unique=True,
            sqlite_where=text(ACTIVE_CERTIFICATE),
            postgresql_where=text(ACTIVE_CERTIFICATE),
        ),
    )

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    kid: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    member_id: Mapped[str] = mapped_column(ForeignKey("trust_member.id"), index=True)
    jurisdiction_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("trust_key.kid"), index=True)
    algorithm: Mapped[str] = mapped_column(String(8))
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(8))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(256), nullable=True)
    removed_in: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TrustListChange(CreatedStamp, Base):
    """One change of the credential trust list; its ``version`` is the list's new version."""

    __tablename__ = "trust_list_change"
    __table_args__ = (CheckConstraint(CHANGE_ACTION_CHECK, name="action"),)

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(
        ForeignKey("trust_certificate.fingerprint"), index=True
    )
    action: Mapped[str] = mapped_column(String(8))
