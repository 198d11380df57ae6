"""The only module of the exchange domain that builds queries; flushes, never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    Table,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from dyrd.core.types import REGION_MEMBER_ID
from dyrd.exchange.models import (
    AccessRequest,
    GatewayNonce,
    Grant,
    Resource,
    ResourceRow,
    ResourceVersion,
)

ACTIVE = "active"
WITHDRAWN = "withdrawn"

_ROW_CHUNK = 1000


class ExchangeRepository:
    """Reads and writes the catalog tables on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def resource(self, ref: str) -> Resource | None:
        """A resource by id or by name."""
        stmt = select(Resource).where(or_(Resource.id == ref, Resource.name == ref))
        return self.session.scalars(stmt).first()

    def name_taken(self, name: str) -> bool:
        return self.session.scalar(select(Resource.id).where(Resource.name == name)) is not None

    def active_resources(self) -> list[Resource]:
        stmt = select(Resource).where(Resource.status == ACTIVE).order_by(Resource.id)
        return list(self.session.scalars(stmt))

    def active_with_versions(self) -> list[tuple[Resource, ResourceVersion]]:
        """Active resources with their current version row (for summaries and data info)."""
        stmt = (
            select(Resource, ResourceVersion)
            .join(
                ResourceVersion,
                (ResourceVersion.resource_id == Resource.id)
                & (ResourceVersion.version == Resource.current_version),
            )
            .where(Resource.status == ACTIVE)
            .order_by(Resource.id)
        )
        return [(r, v) for r, v in self.session.execute(stmt)]

    def add_resource(self, resource: Resource) -> Resource:
        self.session.add(resource)
        self.session.flush()
        return resource

    def add_version(self, version: ResourceVersion) -> ResourceVersion:
        self.session.add(version)
        self.session.flush()
        return version

    def versions(self, resource_id: str) -> list[ResourceVersion]:
        stmt = (
            select(ResourceVersion)
            .where(ResourceVersion.resource_id == resource_id)
            .order_by(ResourceVersion.version)
        )
        return list(self.session.scalars(stmt))

    def version(self, resource_id: str, number: int) -> ResourceVersion | None:
        stmt = select(ResourceVersion).where(
            ResourceVersion.resource_id == resource_id, ResourceVersion.version == number
        )
        return self.session.scalars(stmt).first()

    def fingerprint(self) -> tuple[int, str]:
        """Changes whenever any version is written: (count, uid of the newest version row).

        Versions are append-only and every catalog change writes one, so this identifies the
        catalog's state; the random uid keeps it unique even when a rolled-back id is reused.
        """
        count = self.session.scalar(select(func.count()).select_from(ResourceVersion)) or 0
        newest = self.session.scalar(
            select(ResourceVersion.uid).order_by(ResourceVersion.id.desc()).limit(1)
        )
        return count, newest or ""

    def add_rows(self, version_id: int, rows: Sequence[dict[str, Any]]) -> int:
        """Insert ``rows`` for one version in chunks (executemany)."""
        for start in range(0, len(rows), _ROW_CHUNK):
            chunk = rows[start : start + _ROW_CHUNK]
            self.session.execute(
                insert(ResourceRow),
                [
                    {"version_id": version_id, "row_number": start + i + 1, "data": row}
                    for i, row in enumerate(chunk)
                ],
            )
        self.session.flush()
        return len(rows)

    def rows(
        self, version_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        stmt = (
            select(ResourceRow.data)
            .where(ResourceRow.version_id == version_id)
            .order_by(ResourceRow.row_number)
            .offset(offset)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def count_rows(self, version_id: int) -> int:
        stmt = select(func.count()).where(ResourceRow.version_id == version_id)
        return self.session.scalar(stmt) or 0

    def count_versions(self, resource_id: str) -> int:
        stmt = select(func.count()).where(ResourceVersion.resource_id == resource_id)
        return self.session.scalar(stmt) or 0


def _members(column: Any, members: Collection[str]) -> ColumnElement[bool]:
    """Rows whose ``column`` is one of ``members`` or a department under one (the region: all)."""
    if REGION_MEMBER_ID in members:
        return true()
    if not members:
        return false()
    return or_(*(or_(column == m, column.like(m + "/%")) for m in sorted(members)))


class AccessRepository:
    """Reads and writes access requests and grants on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: AccessRequest | Grant) -> None:
        self.session.add(row)
        self.session.flush()

    def request(self, request_id: str) -> AccessRequest | None:
        return self.session.get(AccessRequest, request_id)

    def grant(self, grant_id: str) -> Grant | None:
        return self.session.get(Grant, grant_id)

    def grant_ids(self, request_ids: Collection[str]) -> dict[str, str]:
        """Grant id per request id, for the requests that have one."""
        if not request_ids:
            return {}
        stmt = select(Grant.request_id, Grant.id).where(Grant.request_id.in_(request_ids))
        return {str(r): str(g) for r, g in self.session.execute(stmt)}

    def resource_names(self, resource_ids: Collection[str]) -> dict[str, str]:
        if not resource_ids:
            return {}
        stmt = select(Resource.id, Resource.name).where(Resource.id.in_(resource_ids))
        return {str(i): str(n) for i, n in self.session.execute(stmt)}

    def requests(
        self,
        *,
        consumer_of: Collection[str] | None,
        owner_of: Collection[str] | None,
        status: str | None,
        overdue_before: date | None,
        limit: int,
        offset: int,
        escalated_to: Collection[str] | None = None,
    ) -> tuple[list[AccessRequest], int]:
        """Requests where the consumer or the owner is among the members given (None: ignored);
        with ``escalated_to``, only requests escalated to one of those members (or under one)."""
        sides = []
        if consumer_of is not None:
            sides.append(_members(AccessRequest.consumer_member, consumer_of))
        if owner_of is not None:
            sides.append(_members(AccessRequest.owner_member, owner_of))
        conds: list[ColumnElement[bool]] = [or_(*sides)] if sides else []
        if escalated_to is not None:
            conds.append(AccessRequest.escalated_at.is_not(None))
            conds.append(_members(AccessRequest.escalated_to, escalated_to))
        if status is not None:
            conds.append(AccessRequest.status == status)
        if overdue_before is not None:
            conds.append(AccessRequest.status == "pending")
            conds.append(AccessRequest.due_date < overdue_before)
        total = self.session.scalar(select(func.count(AccessRequest.id)).where(*conds)) or 0
        stmt = (
            select(AccessRequest)
            .where(*conds)
            .order_by(AccessRequest.submitted_at.desc(), AccessRequest.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt)), total

    def unescalated_overdue(self, today: date) -> list[AccessRequest]:
        """Pending requests whose answer day ended before ``today`` and were never escalated."""
        stmt = (
            select(AccessRequest)
            .where(
                AccessRequest.status == "pending",
                AccessRequest.due_date < today,
                AccessRequest.escalated_at.is_(None),
            )
            .order_by(AccessRequest.due_date, AccessRequest.id)
            .with_for_update()
        )
        return list(self.session.scalars(stmt))

    def grants(
        self,
        *,
        consumer_of: Collection[str] | None,
        owner_of: Collection[str] | None,
        resource_id: str | None,
        status: str | None,
        valid_at: datetime | None,
        ended_at: datetime | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Grant], int]:
        """Grants where the consumer or the owner is among the members given (None: ignored)."""
        sides = []
        if consumer_of is not None:
            sides.append(_members(Grant.consumer_member, consumer_of))
        if owner_of is not None:
            sides.append(_members(Grant.owner_member, owner_of))
        conds: list[ColumnElement[bool]] = [or_(*sides)] if sides else []
        if resource_id is not None:
            conds.append(Grant.resource_id == resource_id)
        if status is not None:
            conds.append(Grant.status == status)
        if valid_at is not None:
            conds.append(Grant.valid_until > valid_at)
        if ended_at is not None:
            conds.append(Grant.valid_until <= ended_at)
        total = self.session.scalar(select(func.count(Grant.id)).where(*conds)) or 0
        stmt = (
            select(Grant)
            .where(*conds)
            .order_by(Grant.created_at.desc(), Grant.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(stmt)), total


@dataclass(frozen=True, slots=True)
class NonceClaim:
    """A request nonce to record: whose, until when, and the message that carried it."""

    client_member: str
    nonce: str
    expires_at: datetime
    message_id: str


class NonceRepository:
    """The gateway's store of accepted request nonces."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self, client_member: str, nonce: str, *, expires_at: datetime, message_id: str
    ) -> bool:
        """Record a nonce; False when that client already used it (a replay).

        INSERT ... ON CONFLICT DO NOTHING on both backends: no savepoint, and on PostgreSQL a
        concurrent insert of the same nonce waits for the first transaction, then sees it.
        """
        claim = NonceClaim(client_member, nonce, expires_at, message_id)
        return self.claim_many([claim])[0]

    def claim_many(self, claims: Sequence[NonceClaim]) -> list[bool]:
        """Record many nonces at once; per claim, False for a replay.

        A (client, nonce) repeated within ``claims`` is a replay from its second occurrence
        on. Otherwise as :meth:`claim`: INSERT ... ON CONFLICT DO NOTHING RETURNING, run as
        one executemany (SQLAlchemy's "insertmanyvalues": multi-row statements, compiled
        once and cached), whose returned keys are the claims that were new.
        """
        from sqlalchemy.dialects import postgresql, sqlite

        seen: set[tuple[str, str]] = set()
        values: list[dict[str, Any]] = []
        for c in claims:
            if (c.client_member, c.nonce) not in seen:
                seen.add((c.client_member, c.nonce))
                values.append(
                    {
                        "client_member": c.client_member,
                        "nonce": c.nonce,
                        "expires_at": c.expires_at,
                        "message_id": c.message_id,
                    }
                )
        won: set[tuple[str, str]] = set()
        if values:
            table = cast(Table, GatewayNonce.__table__)
            postgres = self.session.get_bind().dialect.name == "postgresql"
            insert_ = postgresql.insert(table) if postgres else sqlite.insert(table)
            stmt: Executable = insert_.on_conflict_do_nothing().returning(
                table.c.client_member, table.c.nonce
            )
            # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
            won.update((str(m), str(n)) for m, n in self.session.execute(stmt, values))
        out: list[bool] = []
        for c in claims:
            key = (c.client_member, c.nonce)
            out.append(key in won)
            won.discard(key)  # a second occurrence in the same batch is a replay
        return out

    def prune(self, before: datetime) -> int:
        """Delete nonces that expired before ``before``; how many went."""
        result = self.session.execute(delete(GatewayNonce).where(GatewayNonce.expires_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
