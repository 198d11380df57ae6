"""Sharing classes as code: what a request becomes, who answers it by when, what a grant allows.

Pure rules over plain values; the service (``dyrd.exchange.service.access``) stores and audits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from dyrd.core.types import REGION_MEMBER_ID
from dyrd.exchange.compute.workdays import WorkCalendar, end_of_day, local_date

DEFAULT_ANSWER_WORKING_DAYS = 10
"""Working days the owner has to answer a conditional request.

Source: the practice summarised in ../shared/research/exchange_healthcode.md §3.4 (国发〔2016〕51号
and its provincial rules): Guizhou's regulation has the provider reply "within 10 working days";
a 2024 county rule (sxgp.gov.cn) allows 5 working days, 10 when the data must first be published.
10 is the longer of the two, so no owner following either rule is flagged early; it is the
``exchange_answer_working_days`` setting, so an installation bound by a shorter rule sets 5.
"""

DEFAULT_MAX_GRANT_DAYS = 365
"""Longest grant a request may ask for. A policy choice, not a cited figure: one year keeps grants
reviewed at least yearly (data minimisation); the ``exchange_max_grant_days`` setting changes it."""


class PurposeCode(StrEnum):
    """Why the consumer wants the data (用途), a small controlled vocabulary."""

    PUBLIC_HEALTH = "public_health"
    EMERGENCY_RESPONSE = "emergency_response"
    MARKET_REGULATION = "market_regulation"
    PUBLIC_SERVICES = "public_services"
    STATISTICS = "statistics"
    PLANNING = "planning"
    OTHER_STATUTORY_DUTY = "other_statutory_duty"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return _PURPOSE_ZH[self]


_PURPOSE_ZH = {
    PurposeCode.PUBLIC_HEALTH: "公共卫生与疫情防控",
    PurposeCode.EMERGENCY_RESPONSE: "应急管理",
    PurposeCode.MARKET_REGULATION: "市场监管",
    PurposeCode.PUBLIC_SERVICES: "政务服务与社会保障",
    PurposeCode.STATISTICS: "统计分析与决策支持",
    PurposeCode.PLANNING: "规划与区域协同",
    PurposeCode.OTHER_STATUTORY_DUTY: "其他依法履职事项",
}


class RequestStatus(StrEnum):
    """Where an access request stands."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Decision(StrEnum):
    """How a request was answered: by the owner's steward, or at once by its sharing class."""

    APPROVE = "approve"
    REFUSE = "refuse"
    AUTO_GRANT = "auto_grant"
    AUTO_REFUSE = "auto_refuse"


class GrantStatus(StrEnum):
    """Stored state of a grant; ``expired`` is derived from the clock, never stored."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Denial(StrEnum):
    """Why a grant does not cover a use (each maps to one error class)."""

    WRONG_CONSUMER = "wrong_consumer"
    WRONG_RESOURCE = "wrong_resource"
    RESOURCE_WITHDRAWN = "resource_withdrawn"
    NOT_SHARED = "not_shared"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    FIELD_NOT_GRANTED = "field_not_granted"


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """The tunables of the access workflow (built from settings in the composition root)."""

    answer_working_days: int = DEFAULT_ANSWER_WORKING_DAYS
    max_grant_days: int = DEFAULT_MAX_GRANT_DAYS
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    def due_date(self, submitted_at: datetime) -> date:
        """Last day (China Standard Time) on which a request submitted then may be answered."""
        return self.calendar.add_working_days(local_date(submitted_at), self.answer_working_days)


def immediate_decision(sharing_class: str) -> Decision | None:
    """The answer the sharing class gives at once; None when the owner must decide."""
    if sharing_class == "unconditional":
        return Decision.AUTO_GRANT
    if sharing_class == "not_shared":
        return Decision.AUTO_REFUSE
    return None


def is_overdue(status: str, due: date | None, at: datetime) -> bool:
    """A pending request whose answer day has ended."""
    return status == RequestStatus.PENDING and due is not None and at >= end_of_day(due)


def escalation_member(owner_member: str) -> str:
    """Who an overdue request is escalated to: the owner's jurisdiction, or the region above it.

    ``CN-YRD/GOV/330000/SCJG`` -> ``CN-YRD/GOV/330000``; a jurisdiction (or the region) itself ->
    ``CN-YRD``, the region's administrators.
    """
    parts = owner_member.split("/")
    if len(parts) > 3:  # CN-YRD/GOV/<code>/<department>
        return "/".join(parts[:3])
    return REGION_MEMBER_ID


def unknown_fields(wanted: Collection[str], allowed: Collection[str]) -> list[str]:
    """Names in ``wanted`` that are not in ``allowed``, in the order given."""
    allowed_set = set(allowed)
    return [f for f in wanted if f not in allowed_set]


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """What a grant allows, as the gateway checks it."""

    grant_id: str
    resource_id: str
    consumer_member: str
    fields: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime
    revoked: bool
    resource_active: bool = True
    """False once the resource is withdrawn (or gone): its grants cover nothing any more."""
    resource_shared: bool = True
    """False once the resource is classed not shared: its grants no longer apply."""


def grant_denial(  # noqa: PLR0911  # one return per reason reads best
    terms: GrantTerms,
    *,
    consumer_member: str,
    resource_id: str,
    fields: Collection[str],
    at: datetime,
) -> Denial | None:
    """Why ``terms`` do not cover this use, or None when they do.

    Valid from ``valid_from`` (inclusive) to ``valid_until`` (exclusive). Who and what are checked
    before state, so a caller holding someone else's grant id learns nothing about that grant.
    """
    if consumer_member != terms.consumer_member:
        return Denial.WRONG_CONSUMER
    if resource_id != terms.resource_id:
        return Denial.WRONG_RESOURCE
    if not terms.resource_active:
        return Denial.RESOURCE_WITHDRAWN
    if not terms.resource_shared:
        return Denial.NOT_SHARED
    if terms.revoked:
        return Denial.REVOKED
    if at < terms.valid_from:
        return Denial.NOT_YET_VALID
    if at >= terms.valid_until:
        return Denial.EXPIRED
    if unknown_fields(fields, terms.fields):
        return Denial.FIELD_NOT_GRANTED
    return None


@dataclass(frozen=True, slots=True)
class GrantCheck:
    """A use a grant covers: the columns allowed and the purpose every use is bound to."""

    grant_id: str
    resource_id: str
    consumer_member: str
    fields: tuple[str, ...]
    purpose_code: str
    purpose_zh: str
    purpose_en: str
    legal_basis: str
    valid_until: datetime
