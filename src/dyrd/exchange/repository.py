"""The only module of the exchange domain that builds queries; flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from dyrd.exchange.models import Resource, ResourceRow, ResourceVersion

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
