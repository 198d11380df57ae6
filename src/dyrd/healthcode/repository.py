"""The only module that builds queries on a Session in the health-code domain (flushes only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.core.db import Base
from dyrd.healthcode.models import (
    AccessLog,
    Appeal,
    ColourStatus,
    ContactFlag,
    Issuance,
    PolicyVersion,
    Resident,
    RiskArea,
    RiskList,
    RuleVersion,
    Stay,
    SymptomDeclaration,
    TestRecord,
    Vaccination,
)


class HealthcodeRepository:
    """Queries of the health-code tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Base) -> None:
        """Stage a row and flush it (ids become available)."""
        self.session.add(row)
        self.session.flush()

    def add_all(self, rows: Sequence[Base]) -> None:
        """Stage rows and flush once."""
        self.session.add_all(rows)
        self.session.flush()

    # residents ------------------------------------------------------------------------------

    def resident(self, resident_id: str) -> Resident | None:
        """A resident by pseudonymous id."""
        return self.session.get(Resident, resident_id)

    def resident_by_hash(self, id_hash: str) -> Resident | None:
        """A resident by keyed hash of the identity number."""
        return self.session.scalar(select(Resident).where(Resident.id_hash == id_hash))

    def residents(self, jurisdiction: str | None = None) -> list[Resident]:
        """Residents, optionally of one jurisdiction, by id."""
        query = select(Resident).order_by(Resident.id)
        if jurisdiction is not None:
            query = query.where(Resident.jurisdiction == jurisdiction)
        return list(self.session.scalars(query))

    # risk lists -----------------------------------------------------------------------------

    def latest_risk_list(self, jurisdiction: str) -> RiskList | None:
        """The newest risk list of a jurisdiction."""
        return self.session.scalar(
            select(RiskList)
            .where(RiskList.jurisdiction == jurisdiction)
            .order_by(RiskList.version.desc())
            .limit(1)
        )

    def risk_areas(self, list_id: int) -> list[RiskArea]:
        """Areas of one risk list."""
        return list(
            self.session.scalars(
                select(RiskArea).where(RiskArea.list_id == list_id).order_by(RiskArea.id)
            )
        )

    def current_areas(self) -> list[RiskArea]:
        """Areas of the newest list of every jurisdiction."""
        newest = (
            select(RiskList.jurisdiction, func.max(RiskList.version).label("v"))
            .group_by(RiskList.jurisdiction)
            .subquery()
        )
        ids = select(RiskList.id).join(
            newest,
            (RiskList.jurisdiction == newest.c.jurisdiction) & (RiskList.version == newest.c.v),
        )
        return list(self.session.scalars(select(RiskArea).where(RiskArea.list_id.in_(ids))))

    # inputs as frames -------------------------------------------------------------------------

    def frame(
        self, model: type[Base], columns: Sequence[str], resident_id: str | None
    ) -> pl.DataFrame:
        """Columns of an input table (``resident_id`` as ``rid``), optionally of one resident."""
        table: Any = model.__table__
        key = "id" if model is Resident else "resident_id"
        query = select(*(table.c[c] for c in (key, *columns)))
        if resident_id is not None:
            query = query.where(table.c[key] == resident_id)
        rows = self.session.execute(query).all()
        return pl.DataFrame(
            [tuple(r) for r in rows],
            schema=["rid", *columns],
            orient="row",
            infer_schema_length=None,
        )

    # rules ----------------------------------------------------------------------------------

    def rule_versions(
        self, *, jurisdiction: str | None = None, rule_id: str | None = None
    ) -> list[RuleVersion]:
        """Rule versions, by jurisdiction, rule id and version."""
        query = select(RuleVersion).order_by(
            RuleVersion.jurisdiction, RuleVersion.rule_id, RuleVersion.version
        )
        if jurisdiction is not None:
            query = query.where(RuleVersion.jurisdiction == jurisdiction)
        if rule_id is not None:
            query = query.where(RuleVersion.rule_id == rule_id)
        return list(self.session.scalars(query))

    def newest_rule_version(self, rule_id: str) -> int:
        """Highest version stored of a rule id (0 when none)."""
        value = self.session.scalar(
            select(func.max(RuleVersion.version)).where(RuleVersion.rule_id == rule_id)
        )
        return int(value or 0)

    # acceptance policies ------------------------------------------------------------------

    def policy_versions(
        self, *, jurisdiction: str | None = None, policy_id: str | None = None
    ) -> list[PolicyVersion]:
        """Acceptance policy versions, by jurisdiction, policy id and version."""
        query = select(PolicyVersion).order_by(
            PolicyVersion.jurisdiction, PolicyVersion.policy_id, PolicyVersion.version
        )
        if jurisdiction is not None:
            query = query.where(PolicyVersion.jurisdiction == jurisdiction)
        if policy_id is not None:
            query = query.where(PolicyVersion.policy_id == policy_id)
        return list(self.session.scalars(query))

    def newest_policy_version(self, policy_id: str) -> int:
        """Highest version stored of a policy id (0 when none)."""
        value = self.session.scalar(
            select(func.max(PolicyVersion.version)).where(PolicyVersion.policy_id == policy_id)
        )
        return int(value or 0)

    def policy_data_version(self) -> tuple[int, int]:
        """(rows, highest row id) of the policy table: changes whenever a version is stored."""
        rows, top = self.session.execute(
            select(func.count(PolicyVersion.id), func.max(PolicyVersion.id))
        ).one()
        return int(rows or 0), int(top or 0)

    def input_data_version(self) -> tuple[tuple[int, str], ...]:
        """(rows, newest ``created_at``) of every table colours are computed from.

        The domain only ever adds rows to these tables (a cleared flag, a corrected colour, a
        new rule or risk list are new rows), so the tuple changes whenever an input does.
        """
        models = [m for m, _ in INPUT_TABLES.values()] + [RiskList, RuleVersion]
        out: list[tuple[int, str]] = []
        for model in models:
            rows, newest = self.session.execute(
                select(func.count(), func.max(model.created_at))  # type: ignore[attr-defined]
            ).one()
            out.append((int(rows or 0), str(newest)))
        return tuple(out)

    # status, issuance, appeals, access --------------------------------------------------------

    def status(self, resident_id: str) -> ColourStatus | None:
        """A resident's stored colour."""
        return self.session.get(ColourStatus, resident_id)

    def statuses(self) -> list[ColourStatus]:
        """Every stored colour."""
        return list(self.session.scalars(select(ColourStatus)))

    def issuance_counts(self) -> list[tuple[str, str, int]]:
        """(jurisdiction, colour, codes issued)."""
        rows = self.session.execute(
            select(Issuance.jurisdiction, Issuance.colour, func.count())
            .group_by(Issuance.jurisdiction, Issuance.colour)
            .order_by(Issuance.jurisdiction, Issuance.colour)
        ).all()
        return [(str(j), str(c), int(n)) for j, c, n in rows]

    def appeal(self, appeal_id: str) -> Appeal | None:
        """An appeal by id."""
        return self.session.get(Appeal, appeal_id)

    def appeals(
        self, *, jurisdiction: str | None, status: str | None, due_before: date | None
    ) -> list[Appeal]:
        """Appeals, oldest first, filtered."""
        query = select(Appeal).order_by(Appeal.submitted_at, Appeal.id)
        if jurisdiction is not None:
            query = query.where(Appeal.jurisdiction == jurisdiction)
        if status is not None:
            query = query.where(Appeal.status == status)
        if due_before is not None:
            query = query.where(Appeal.due_date < due_before)
        return list(self.session.scalars(query))

    def access_log(self, resident_id: str, limit: int) -> list[AccessLog]:
        """Newest reads of a resident's status or code first."""
        return list(
            self.session.scalars(
                select(AccessLog)
                .where(AccessLog.resident_id == resident_id)
                .order_by(AccessLog.accessed_at.desc(), AccessLog.id.desc())
                .limit(limit)
            )
        )

    # checkpoints ------------------------------------------------------------------------------

    def resident_by_hash_prefix(self, prefix_hex: str) -> Resident | None:
        """The resident whose identity hash starts with ``prefix_hex`` (a code carries 16 bytes
        of it); None when none or, improbably at 128 bits, several match."""
        rows = list(
            self.session.scalars(
                select(Resident).where(Resident.id_hash.startswith(prefix_hex.lower())).limit(2)
            )
        )
        return rows[0] if len(rows) == 1 else None

    def last_negative_test(self, resident_id: str, *, before: datetime) -> datetime | None:
        """When the resident's latest negative test up to ``before`` was taken, if any."""
        return self.session.scalar(
            select(TestRecord.tested_at)
            .where(
                TestRecord.resident_id == resident_id,
                TestRecord.result == "negative",
                TestRecord.tested_at <= before,
            )
            .order_by(TestRecord.tested_at.desc())
            .limit(1)
        )


INPUT_TABLES: dict[str, tuple[type[Base], tuple[str, ...]]] = {
    "residents": (Resident, ("jurisdiction", "birth_year")),
    "stays": (Stay, ("city_code", "district_code", "stay_date")),
    "tests": (TestRecord, ("test_type", "result", "tested_at")),
    "vaccinations": (Vaccination, ("dose", "vaccinated_on")),
    "contacts": (ContactFlag, ("flagged_on", "cleared_on")),
    "symptoms": (SymptomDeclaration, ("declared_on", "symptoms")),
}
"""Which table and columns feed each input frame of ``dyrd.healthcode.compute.features``."""
