"""The only module of the trust domain that builds queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.trust.models import (
    ApiToken,
    Member,
    Node,
    PublishedDirectory,
    RoleAssignment,
    TrustCertificate,
    TrustKey,
    TrustListChange,
    User,
)
from dyrd.trust.types import KeyStatus, MemberPath


class TrustRepository:
    """Reads and writes trust tables on one session; flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Members

    def member(self, member_id: str) -> Member | None:
        return self.session.get(Member, member_id)

    def members(self, *, parent_id: str | None = None, kind: str | None = None) -> list[Member]:
        stmt = select(Member).order_by(Member.id)
        if parent_id is not None:
            stmt = stmt.where(Member.parent_id == parent_id)
        if kind is not None:
            stmt = stmt.where(Member.kind == kind)
        return list(self.session.scalars(stmt))

    def member_ids(self) -> set[str]:
        return set(self.session.scalars(select(Member.id)))

    def add_member(
        self, path: MemberPath, name_zh: str, name_en: str, *, actor: Actor, at: datetime
    ) -> Member:
        row = Member(
            id=path.id,
            name_zh=name_zh,
            name_en=name_en,
            kind=path.kind.value,
            parent_id=path.parent_id,
            jurisdiction_code=path.jurisdiction_code,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    # Users and roles

    def user(self, username: str) -> User | None:
        return self.session.get(User, username)

    def add_user(self, username: str, display_name: str, *, actor: Actor, at: datetime) -> User:
        row = User(
            username=username,
            display_name=display_name,
            active=True,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def set_active(self, user: User, active: bool, *, actor: Actor, at: datetime) -> None:
        user.active = active
        user.updated_by = actor.user
        user.updated_for = actor.member
        user.updated_at = at
        self.session.flush()

    def live_roles(self, username: str) -> list[RoleAssignment]:
        stmt = (
            select(RoleAssignment)
            .where(RoleAssignment.username == username, RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.member_id, RoleAssignment.id)
        )
        return list(self.session.scalars(stmt))

    def live_role(self, username: str, member_id: str, role: str) -> RoleAssignment | None:
        stmt = select(RoleAssignment).where(
            RoleAssignment.username == username,
            RoleAssignment.member_id == member_id,
            RoleAssignment.role == role,
            RoleAssignment.revoked_at.is_(None),
        )
        return self.session.scalars(stmt).first()

    def add_role(
        self, username: str, member_id: str, role: str, *, actor: Actor, at: datetime
    ) -> RoleAssignment:
        row = RoleAssignment(
            username=username,
            member_id=member_id,
            role=role,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def revoke_role(self, row: RoleAssignment, *, actor: Actor, at: datetime) -> None:
        row.stamp_revoked(actor, at)
        self.session.flush()

    # Tokens

    def token(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def tokens_with_prefix(self, prefix: str) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)))

    def tokens_of(self, username: str) -> list[ApiToken]:
        stmt = select(ApiToken).where(ApiToken.username == username).order_by(ApiToken.id)
        return list(self.session.scalars(stmt))

    def add_token(
        self,
        username: str,
        name: str,
        *,
        prefix: str,
        token_hash: str,
        expires_at: datetime,
        actor: Actor,
        at: datetime,
    ) -> ApiToken:
        row = ApiToken(
            username=username,
            name=name,
            prefix=prefix,
            token_hash=token_hash,
            expires_at=expires_at,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def revoke_token(self, row: ApiToken, *, actor: Actor, at: datetime) -> None:
        row.stamp_revoked(actor, at)
        self.session.flush()

    def touch_token(self, row: ApiToken, at: datetime) -> None:
        row.last_used_at = at
        self.session.flush()

    # Keys

    def key(self, kid: str) -> TrustKey | None:
        return self.session.get(TrustKey, kid)

    def signing_keys(self, member_id: str | None = None) -> list[TrustKey]:
        stmt = select(TrustKey).order_by(TrustKey.member_id, TrustKey.not_before, TrustKey.kid)
        if member_id is not None:
            stmt = stmt.where(TrustKey.member_id == member_id)
        return list(self.session.scalars(stmt))

    def active_key(self, member_id: str, algorithm: str) -> TrustKey | None:
        stmt = select(TrustKey).where(
            TrustKey.member_id == member_id,
            TrustKey.algorithm == algorithm,
            TrustKey.status == KeyStatus.ACTIVE.value,
        )
        return self.session.scalars(stmt).first()

    def add_key(
        self,
        kid: str,
        member_id: str,
        algorithm: str,
        public_jwk: dict[str, str],
        *,
        actor: Actor,
        at: datetime,
    ) -> TrustKey:
        row = TrustKey(
            kid=kid,
            member_id=member_id,
            algorithm=algorithm,
            public_jwk=public_jwk,
            status=KeyStatus.ACTIVE.value,
            not_before=at,
            not_after=None,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def retire_key(self, row: TrustKey, *, at: datetime) -> None:
        row.status = KeyStatus.RETIRED.value
        row.not_after = at
        self.session.flush()

    def revoke_key(self, row: TrustKey, *, reason: str, actor: Actor, at: datetime) -> None:
        row.status = KeyStatus.REVOKED.value
        row.stamp_revoked(actor, at)
        row.revocation_reason = reason
        self.session.flush()

    # Nodes and directories

    def node(self, member_id: str) -> Node | None:
        return self.session.get(Node, member_id)

    def nodes(self) -> list[Node]:
        return list(self.session.scalars(select(Node).order_by(Node.member_id)))

    def put_node(
        self,
        member_id: str,
        url: str,
        services: list[dict[str, Any]],
        *,
        actor: Actor,
        at: datetime,
    ) -> Node:
        row = self.node(member_id)
        if row is None:
            row = Node(member_id=member_id)
            self.session.add(row)
        row.url = url
        row.services = services
        row.updated_by = actor.user
        row.updated_for = actor.member
        row.updated_at = at
        self.session.flush()
        return row

    def latest_directory(self) -> PublishedDirectory | None:
        stmt = select(PublishedDirectory).order_by(PublishedDirectory.serial.desc()).limit(1)
        return self.session.scalars(stmt).first()

    def max_directory_serial(self) -> int:
        return int(self.session.scalar(select(func.max(PublishedDirectory.serial))) or 0)

    def add_directory(
        self,
        *,
        serial: int,
        issued_at: datetime,
        expires_at: datetime,
        key_id: str,
        content_digest: str,
        document: bytes,
        actor: Actor,
    ) -> PublishedDirectory:
        row = PublishedDirectory(
            serial=serial,
            issued_at=issued_at,
            expires_at=expires_at,
            key_id=key_id,
            content_digest=content_digest,
            document=document,
            created_by=actor.user,
            created_for=actor.member,
        )
        self.session.add(row)
        self.session.flush()
        return row


class CertificateRepository:
    """Reads and writes certificates and the trust list's change log; flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def certificate(self, fingerprint: str) -> TrustCertificate | None:
        return self.session.get(TrustCertificate, fingerprint)

    def with_kid(self, kid: str) -> list[TrustCertificate]:
        stmt = select(TrustCertificate).where(TrustCertificate.kid == kid)
        return list(self.session.scalars(stmt.order_by(TrustCertificate.fingerprint)))

    def certificates(
        self, *, member_id: str | None = None, kind: str | None = None
    ) -> list[TrustCertificate]:
        stmt = select(TrustCertificate).order_by(
            TrustCertificate.member_id, TrustCertificate.not_before, TrustCertificate.fingerprint
        )
        if member_id is not None:
            stmt = stmt.where(TrustCertificate.member_id == member_id)
        if kind is not None:
            stmt = stmt.where(TrustCertificate.kind == kind)
        return list(self.session.scalars(stmt))

    def active(self, member_id: str, kind: str, algorithm: str) -> TrustCertificate | None:
        stmt = select(TrustCertificate).where(
            TrustCertificate.member_id == member_id,
            TrustCertificate.kind == kind,
            TrustCertificate.algorithm == algorithm,
            TrustCertificate.status == KeyStatus.ACTIVE.value,
        )
        return self.session.scalars(stmt).first()

    def listed(self) -> list[TrustCertificate]:
        """Certificates on the trust list now: not yet removed by a revocation or expiry."""
        stmt = select(TrustCertificate).where(TrustCertificate.removed_in.is_(None))
        return list(self.session.scalars(stmt.order_by(TrustCertificate.fingerprint)))

    def add(self, row: TrustCertificate) -> TrustCertificate:
        self.session.add(row)
        self.session.flush()
        return row

    def version(self) -> int:
        """The trust list's version: the number of the newest change, 0 before any."""
        return int(self.session.scalar(select(func.max(TrustListChange.version))) or 0)

    def add_change(
        self, fingerprint: str, action: str, *, actor: Actor, at: datetime
    ) -> TrustListChange:
        row = TrustListChange(
            version=self.version() + 1,
            fingerprint=fingerprint,
            action=action,
            created_by=actor.user,
            created_for=actor.member,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def changes(self, *, after: int, upto: int | None = None) -> list[TrustListChange]:
        stmt = select(TrustListChange).where(TrustListChange.version > after)
        if upto is not None:
            stmt = stmt.where(TrustListChange.version <= upto)
        return list(self.session.scalars(stmt.order_by(TrustListChange.version)))
