"""The only module that queries the credential tables. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd.credential.models import Revocation, RevocationList


class RevocationRepository:
    """Revocation records and list versions on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_version(self, issuer: str, at: datetime) -> int:
        """Take the issuer's next list version (row-locked until the caller commits)."""
        stmt = (
            update(RevocationList)
            .where(RevocationList.issuer_member == issuer)
            .values(version=RevocationList.version + 1, updated_at=at)
            .returning(RevocationList.version)
        )
        version = self.session.execute(stmt).scalar_one_or_none()
        if version is not None:
            return int(version)
        try:
            with self.session.begin_nested():
                self.session.add(RevocationList(issuer_member=issuer, version=1, updated_at=at))
        except IntegrityError:  # another transaction created the list first: take its next
            return self.next_version(issuer, at)
        return 1

    def version(self, issuer: str) -> int:
        """The issuer's current list version (0 before the first revocation)."""
        row = self.session.get(RevocationList, issuer)
        return 0 if row is None else row.version

    def lists(self) -> Sequence[RevocationList]:
        """Every issuer's list row."""
        return self.session.scalars(
            select(RevocationList).order_by(RevocationList.issuer_member)
        ).all()

    def find(self, issuer: str, kid: str, hash_type: str, hash_hex: str) -> Revocation | None:
        """The record of one hash, lifted or not."""
        return self.session.scalar(
            select(Revocation).where(
                Revocation.issuer_member == issuer,
                Revocation.kid == kid,
                Revocation.hash_type == hash_type,
                Revocation.hash == hash_hex,
            )
        )

    def add(self, row: Revocation) -> Revocation:
        """Insert a record."""
        self.session.add(row)
        self.session.flush()
        return row

    def changed_since(self, issuer: str, since: int) -> Sequence[Revocation]:
        """Records revoked or lifted after version ``since``."""
        return self.session.scalars(
            select(Revocation)
            .where(
                Revocation.issuer_member == issuer,
                or_(Revocation.version > since, Revocation.lifted_version > since),
            )
            .order_by(Revocation.id)
        ).all()

    def standing(self, issuer: str, kids: Sequence[str] | None = None) -> Sequence[Revocation]:
        """Records not lifted, optionally only under some key ids."""
        stmt = select(Revocation).where(
            Revocation.issuer_member == issuer, Revocation.lifted_version.is_(None)
        )
        if kids is not None:
            stmt = stmt.where(Revocation.kid.in_(list(kids)))
        return self.session.scalars(stmt.order_by(Revocation.id)).all()

    def page(
        self, issuer: str | None, *, include_lifted: bool, limit: int, offset: int
    ) -> tuple[Sequence[Revocation], int]:
        """Records newest first, and how many match."""
        stmt = select(Revocation)
        if issuer is not None:
            stmt = stmt.where(Revocation.issuer_member == issuer)
        if not include_lifted:
            stmt = stmt.where(Revocation.lifted_version.is_(None))
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.scalars(
            stmt.order_by(Revocation.id.desc()).limit(limit).offset(offset)
        ).all()
        return rows, int(total)

    def standing_count(self, issuer: str) -> int:
        """How many revocations of ``issuer`` stand."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(Revocation)
                .where(Revocation.issuer_member == issuer, Revocation.lifted_version.is_(None))
            )
            or 0
        )
