"""Tables of the health-code domain. Identity numbers are never stored, only their keyed hash."""

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

from dyrd.core.db import Base, CreatedStamp, UtcDateTime

_RESIDENT_FK = "healthcode_resident.id"


class Resident(CreatedStamp, Base):
    """A resident under a pseudonymous id: keyed hash of the ID number, initials, birth year."""

    __tablename__ = "healthcode_resident"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    initials: Mapped[str] = mapped_column(String(4))
    birth_year: Mapped[int] = mapped_column(Integer)


class Stay(CreatedStamp, Base):
    """A resident was in a city (and district) on a day."""

    __tablename__ = "healthcode_stay"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    city_code: Mapped[str] = mapped_column(String(6))
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    stay_date: Mapped[date] = mapped_column(Date)


class RiskList(CreatedStamp, Base):
    """One published version of a jurisdiction's risk-area list (the newest is in force)."""

    __tablename__ = "healthcode_risk_list"
    __table_args__ = (UniqueConstraint("jurisdiction", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    version: Mapped[int] = mapped_column(Integer)
    areas: Mapped[int] = mapped_column(Integer)


class RiskArea(Base):
    """One area of a risk list: a city, or one district of it, at a level over dates."""

    __tablename__ = "healthcode_risk_area"
    __table_args__ = (CheckConstraint("level IN ('high', 'medium', 'low')", name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("healthcode_risk_list.id"), index=True)
    city_code: Mapped[str] = mapped_column(String(6))
    district_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    level: Mapped[str] = mapped_column(String(8))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date, nullable=True)


class TestRecord(CreatedStamp, Base):
    """A test result of a resident."""

    __test__ = False
    __tablename__ = "healthcode_test"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    test_type: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    tested_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Vaccination(CreatedStamp, Base):
    """One vaccine dose a resident received."""

    __tablename__ = "healthcode_vaccination"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    dose: Mapped[int] = mapped_column(Integer)
    vaccinated_on: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(100))


class ContactFlag(CreatedStamp, Base):
    """A close-contact flag from tracing, active until cleared."""

    __tablename__ = "healthcode_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    flagged_on: Mapped[date] = mapped_column(Date)
    cleared_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(200))


class SymptomDeclaration(CreatedStamp, Base):
    """Symptoms a resident declared on a day (an empty list declares none)."""

    __tablename__ = "healthcode_symptom"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    declared_on: Mapped[date] = mapped_column(Date)
    symptoms: Mapped[list[str]] = mapped_column(JSON)


class RuleVersion(CreatedStamp, Base):
    """One signed version of one colour rule."""

    __tablename__ = "healthcode_rule"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_id: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    colour: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    sample: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    protected: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    signed_by: Mapped[str] = mapped_column(String(128))


class PolicyVersion(CreatedStamp, Base):
    """One signed version of one checkpoint acceptance policy (mutual recognition)."""

    __tablename__ = "healthcode_policy"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy_id: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    sample: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    protected: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    signed_by: Mapped[str] = mapped_column(String(128))


class ColourStatus(Base):
    """A resident's current colour and the rule version that decided it."""

    __tablename__ = "healthcode_status"

    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), primary_key=True)
    colour: Mapped[str] = mapped_column(String(8))
    rule_id: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[int] = mapped_column(Integer)
    evaluated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Issuance(CreatedStamp, Base):
    """One issued code (the text itself is not kept: the holder has it)."""

    __tablename__ = "healthcode_issuance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    colour: Mapped[str] = mapped_column(String(8))
    rule_id: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(64))
    chars: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))


class Appeal(Base):
    """A resident's appeal against a colour, and the jurisdiction's answer."""

    __tablename__ = "healthcode_appeal"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'corrected', 'rejected')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    colour: Mapped[str] = mapped_column(String(8))
    rule_id: Mapped[str] = mapped_column(String(16))
    rule_version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_by: Mapped[str] = mapped_column(String(128))
    due_date: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    answered_for: Mapped[str | None] = mapped_column(String(128), nullable=True)


class AccessLog(Base):
    """Who read or verified a resident's status or code, when, and how (shown to the resident)."""

    __tablename__ = "healthcode_access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey(_RESIDENT_FK), index=True)
    accessed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    user: Mapped[str] = mapped_column(String(128))
    member: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))


class Venue(CreatedStamp, Base):
    """A venue with a venue code (场所码), registered by the jurisdiction it lies in."""

    __tablename__ = "healthcode_venue"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    city_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))


class Scan(CreatedStamp, Base):
    """A scan of a venue code: a pseudonymous id, its home jurisdiction and a time window.

    Stored in the venue's jurisdiction. ``resident_ref`` is the pseudonymous id the visitor's
    home jurisdiction gave them (shown with their code), never an identity number.
    """

    __tablename__ = "healthcode_scan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue_id: Mapped[str] = mapped_column(ForeignKey("healthcode_venue.id"), index=True)
    resident_ref: Mapped[str] = mapped_column(String(36), index=True)
    home_jurisdiction: Mapped[str] = mapped_column(String(6))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
