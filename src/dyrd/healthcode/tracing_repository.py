"""Queries of venues, scans and tracing flags (flushes only; the service commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.healthcode.models import ContactFlag, Resident, Scan, Venue


class TracingRepository:
    """Queries of the venue and scan tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Venue | Scan | ContactFlag) -> None:
        """Stage a row and flush it."""
        self.session.add(row)
        self.session.flush()

    def add_all(self, rows: Sequence[Venue | Scan | ContactFlag]) -> None:
        """Stage rows and flush once."""
        self.session.add_all(rows)
        self.session.flush()

    def venue(self, venue_id: str) -> Venue | None:
        """A venue by id."""
        return self.session.get(Venue, venue_id)

    def venues(self, jurisdiction: str | None = None) -> list[Venue]:
        """Venues, optionally of one jurisdiction, by name."""
        query = select(Venue).order_by(Venue.name, Venue.id)
        if jurisdiction is not None:
            query = query.where(Venue.jurisdiction == jurisdiction)
        return list(self.session.scalars(query))

    def scans_of(self, resident_ref: str, since: datetime) -> list[Scan]:
        """Scans of one pseudonymous id since ``since``, oldest first."""
        return list(
            self.session.scalars(
                select(Scan)
                .where(Scan.resident_ref == resident_ref, Scan.entered_at >= since)
                .order_by(Scan.entered_at, Scan.id)
            )
        )

    def scans_at(self, venue_ids: Sequence[str], since: datetime) -> list[Scan]:
        """Scans at these venues entered since ``since`` (a window may start earlier)."""
        if not venue_ids:
            return []
        return list(
            self.session.scalars(
                select(Scan)
                .where(Scan.venue_id.in_(list(venue_ids)), Scan.entered_at >= since)
                .order_by(Scan.id)
            )
        )

    def residents_among(self, refs: Sequence[str]) -> list[Resident]:
        """The residents of this node whose pseudonymous ids are among ``refs``."""
        if not refs:
            return []
        return list(
            self.session.scalars(
                select(Resident).where(Resident.id.in_(list(refs))).order_by(Resident.id)
            )
        )

    def flagged_by(self, source: str, resident_ids: Sequence[str]) -> set[str]:
        """Which of these residents already carry a flag from ``source``."""
        if not resident_ids:
            return set()
        return set(
            self.session.scalars(
                select(ContactFlag.resident_id).where(
                    ContactFlag.source == source,
                    ContactFlag.resident_id.in_(list(resident_ids)),
                )
            )
        )

    def count_flagged(self, source: str) -> int:
        """How many residents of this node carry a flag from ``source``."""
        value = self.session.scalar(
            select(func.count(func.distinct(ContactFlag.resident_id))).where(
                ContactFlag.source == source
            )
        )
        return int(value or 0)
