"""Pydantic I/O schemas of access requests, decisions and grants."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dyrd.exchange.compute.access import Decision, GrantStatus, PurposeCode, RequestStatus
from dyrd.exchange.compute.catalog import OWNER_PATTERN
from dyrd.exchange.types import SharingClass

MAX_DURATION_DAYS = 3650
"""Schema bound on durations; the policy's ``max_grant_days`` (default 365) is the real cap."""

Side = Literal["consumer", "owner"]
"""Which side of a request or grant to list: my members as consumer, or as owner."""

Member = Annotated[str, StringConstraints(pattern=OWNER_PATTERN)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]
Duration = Annotated[int, Field(ge=1, le=MAX_DURATION_DAYS)]


def _unique(fields: list[str] | None) -> None:
    if fields is not None and len(set(fields)) != len(fields):
        raise ValueError("fields must not repeat a name")


class AccessRequestCreate(BaseModel):
    """A request to use a resource: who for, why, on what legal basis, which columns, how long."""

    model_config = ConfigDict(extra="forbid")

    resource: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Resource id or name"
    )
    consumer_member: Member = Field(description="Member that will use the data")
    purpose_code: PurposeCode
    purpose_zh: Reason = Field(description="用途与场景（中文）")
    purpose_en: Annotated[str, StringConstraints(max_length=2000)] = ""
    legal_basis: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=r"\S")] = (
        Field(description="Law or regulation article, e.g. 《政务数据共享条例》第十四条")
    )
    fields: list[FieldName] = Field(
        default_factory=list,
        max_length=500,
        description="Columns wanted (tables: at least one; services: none)",
    )
    duration_days: Duration = 90

    @model_validator(mode="after")
    def _fields_unique(self) -> AccessRequestCreate:
        _unique(self.fields)
        return self


class DecisionCreate(BaseModel):
    """The owner's answer: approve (possibly narrower) or refuse with a reason."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"]
    reason: Reason | None = Field(default=None, description="Required to refuse")
    fields: list[FieldName] | None = Field(
        default=None, max_length=500, description="Approve fewer columns (default: as requested)"
    )
    duration_days: Duration | None = Field(
        default=None, description="Approve a shorter duration (default: as requested)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> DecisionCreate:
        _unique(self.fields)
        if self.decision == "refuse":
            if self.reason is None:
                raise ValueError("a refusal needs a reason")
            if self.fields is not None or self.duration_days is not None:
                raise ValueError("fields and duration_days go with an approval only")
        return self


class RevokeCreate(BaseModel):
    """Why a grant is revoked."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class AccessRequestRead(BaseModel):
    """An access request and its answer."""

    id: str
    resource_id: str
    resource_name: str
    resource_version: int
    sharing_class: SharingClass
    owner_member: str
    consumer_member: str
    purpose_code: PurposeCode
    purpose_label_zh: str
    purpose_zh: str
    purpose_en: str
    legal_basis: str
    fields: list[str]
    duration_days: int
    status: RequestStatus
    submitted_at: datetime
    submitted_by: str
    due_date: date | None = Field(description="Last working day to answer (China time)")
    due_at: datetime | None = Field(description="When the answer becomes overdue")
    overdue: bool
    decision: Decision | None
    decision_reason: str | None
    decided_at: datetime | None
    decided_by: str | None
    decided_for: str | None
    escalated_at: datetime | None
    escalated_to: str | None
    grant_id: str | None


class AccessRequestPage(BaseModel):
    """A page of access requests, newest first."""

    items: list[AccessRequestRead]
    total: int
    limit: int
    offset: int


class GrantRead(BaseModel):
    """A grant: columns, purpose, validity, and revocation if any."""

    id: str
    request_id: str
    resource_id: str
    owner_member: str
    consumer_member: str
    purpose_code: PurposeCode
    purpose_zh: str
    purpose_en: str
    legal_basis: str
    fields: list[str]
    valid_from: datetime
    valid_until: datetime
    status: GrantStatus
    created_at: datetime
    created_by: str
    created_for: str
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_for: str | None
    revocation_reason: str | None


class GrantPage(BaseModel):
    """A page of grants, newest first."""

    items: list[GrantRead]
    total: int
    limit: int
    offset: int


class EscalationRead(BaseModel):
    """An overdue request handed to the owner's jurisdiction."""

    request_id: str
    resource_id: str
    owner_member: str
    escalated_to: str
    due_date: date
    escalated_at: datetime


class PrivacyBudgetRead(BaseModel):
    """A grant's differential-privacy ε budget: total, spent on aggregates, and what remains."""

    grant_id: str
    resource_id: str
    consumer_member: str
    owner_member: str
    total_epsilon: float = Field(description="ε the grant may spend in all")
    spent_epsilon: float = Field(description="ε charged by aggregate answers so far")
    remaining_epsilon: float = Field(description="ε still available to aggregate queries")
    updated_at: datetime | None = Field(description="Last charge or change; null: never used")


class PrivacyBudgetUpdate(BaseModel):
    """A new ε total for a grant (the owner's data steward); never below what was spent."""

    model_config = ConfigDict(extra="forbid")

    total_epsilon: float = Field(
        gt=0, le=1000, allow_inf_nan=False, description="The grant's new ε total"
    )
    reason: Reason = Field(description="Why the budget changes (kept in the ledger)")
