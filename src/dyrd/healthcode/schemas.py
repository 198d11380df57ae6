"""Pydantic I/O of the health-code API. No schema ever carries an identity number back out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dyrd.healthcode.types import AppealStatus, Colour, RiskLevel, TestResult, TestType

_STRICT = ConfigDict(extra="forbid")
CityCode = str


class ResidentCreate(BaseModel):
    """Register a resident: the identity number is checked, hashed, and forgotten."""

    model_config = _STRICT
    id_number: str = Field(min_length=1, max_length=32, description="GB 11643 identity number")
    initials: str = Field(min_length=1, max_length=8, description="Pinyin initials, e.g. ZS")
    jurisdiction: str = Field(description="Home jurisdiction: 310000, 320000, 330000 or 340000")


class ResidentRead(BaseModel):
    """A resident as the platform knows them: pseudonymous id and minimal identity."""

    id: str
    jurisdiction: str
    initials: str
    birth_year: int
    created_at: datetime


class StayCreate(BaseModel):
    """The resident was in a city (and optionally a district of it) on a day."""

    model_config = _STRICT
    city_code: CityCode = Field(description="GB/T 2260 code of one of the 41 YRD cities")
    district_code: str | None = Field(default=None, description="County-level code within it")
    stay_date: date


class RiskAreaIn(BaseModel):
    """One area of a risk list."""

    model_config = _STRICT
    city_code: CityCode
    district_code: str | None = None
    level: RiskLevel
    effective_from: date
    effective_until: date | None = None


class RiskListCreate(BaseModel):
    """A jurisdiction's complete risk-area list; it replaces the previous one."""

    model_config = _STRICT
    jurisdiction: str
    areas: list[RiskAreaIn] = Field(max_length=100_000)


class RiskListRead(BaseModel):
    """A published risk list version."""

    id: int
    jurisdiction: str
    version: int
    areas: list[RiskAreaIn]
    created_at: datetime
    created_by: str


class TestCreate(BaseModel):
    """A test result."""

    __test__ = False
    model_config = _STRICT
    test_type: TestType
    result: TestResult
    tested_at: datetime


class VaccinationCreate(BaseModel):
    """A vaccine dose."""

    model_config = _STRICT
    dose: int = Field(ge=1, le=10)
    vaccinated_on: date
    product: str = Field(min_length=1, max_length=100)


class ContactCreate(BaseModel):
    """A close-contact flag (cleared_on: when it stops counting)."""

    model_config = _STRICT
    flagged_on: date
    cleared_on: date | None = None
    source: str = Field(min_length=1, max_length=200)


class SymptomCreate(BaseModel):
    """Self-declared symptoms on a day; an empty list declares none."""

    model_config = _STRICT
    declared_on: date
    symptoms: list[str] = Field(max_length=20)


class InputRecorded(BaseModel):
    """An input stored for a resident."""

    kind: str
    id: int
    resident_id: str


class ImportReport(BaseModel):
    """A CSV import: rows stored (all or nothing)."""

    kind: str
    rows: int
    risk_list_version: int | None = None


class RuleRead(BaseModel):
    """One signed rule version, with its explanation."""

    rule_id: str
    version: int
    jurisdiction: str
    colour: Colour
    priority: int
    valid_from: date
    valid_until: date | None
    sample: bool
    description_zh: str
    description_en: str
    reason_zh: str
    reason_en: str
    logic: Any
    key_id: str
    signed_by: str
    signature: str
    protected: str


class RulePublish(BaseModel):
    """A rule document to sign with the jurisdiction's key and publish."""

    model_config = _STRICT
    document: dict[str, Any]


class ColourRead(BaseModel):
    """A resident's colour, the rule version that decided it, and why."""

    resident_id: str
    colour: Colour
    rule_id: str
    rule_version: int
    reason_zh: str
    reason_en: str
    evaluated_at: datetime


class CodeRead(BaseModel):
    """An issued health code: HC1 text and its QR renderings."""

    resident_id: str
    text: str
    chars: int
    colour: Colour
    jurisdiction: str
    rule_id: str
    rule_version: int
    issued_at: datetime
    expires_at: datetime
    key_id: str
    svg: str
    png_base64: str


class ReevaluationRead(BaseModel):
    """What a batch re-evaluation did."""

    residents: int
    changed: int
    reissued: int
    colours: dict[str, int]
    engine: Literal["polars", "dask"]
    seconds: float


class AppealCreate(BaseModel):
    """A resident contests their current colour."""

    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=2000)


class AppealAnswer(BaseModel):
    """The jurisdiction's answer."""

    model_config = _STRICT
    outcome: Literal["corrected", "rejected"]
    answer: str = Field(min_length=1, max_length=2000)


class AppealRead(BaseModel):
    """An appeal, its deadline and its answer."""

    id: str
    resident_id: str
    jurisdiction: str
    colour: Colour
    rule_id: str
    rule_version: int
    reason: str
    status: AppealStatus
    submitted_at: datetime
    due_date: date
    overdue: bool
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


class AccessRead(BaseModel):
    """One read or verification of a resident's status or code."""

    accessed_at: datetime
    user: str
    member: str
    action: str


class IssuanceCount(BaseModel):
    """Codes issued per jurisdiction and colour."""

    jurisdiction: str
    colour: Colour
    count: int
