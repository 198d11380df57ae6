"""Shared pieces of the access tests: members, principals, a movable clock, resources, ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.types import Role
from dyrd.exchange import service
from dyrd.exchange.access_schemas import AccessRequestCreate
from dyrd.exchange.compute.access import AccessPolicy
from dyrd.exchange.compute.workdays import WorkCalendar
from dyrd.exchange.schemas import ResourceCreate
from dyrd.ledger import service as ledger_service
from tests.conftest import FIXED_NOW
from tests.exchange.conftest import table_payload

CONSUMER = "CN-YRD/GOV/310000/DSJ"
OWNER = "CN-YRD/GOV/330000/DSJ"
STRANGER = "CN-YRD/GOV/340000/DSJ"

ANALYST = Principal("sh.analyst", {CONSUMER: frozenset({Role.ANALYST})})
CONSUMER_VIEWER = Principal("sh.viewer", {CONSUMER: frozenset({Role.VIEWER})})
OWNER_STEWARD = Principal("zj.steward", {OWNER: frozenset({Role.DATA_STEWARD})})
OWNER_ANALYST = Principal("zj.analyst", {OWNER: frozenset({Role.ANALYST})})
OUTSIDER = Principal("ah.steward", {STRANGER: frozenset({Role.DATA_STEWARD})})
TOKENS = {
    "analyst": ANALYST,
    "consumer-viewer": CONSUMER_VIEWER,
    "owner-steward": OWNER_STEWARD,
    "owner-analyst": OWNER_ANALYST,
    "outsider": OUTSIDER,
}

COLUMNS = ["code", "name", "score", "listed", "since"]
POLICY = AccessPolicy(answer_working_days=10, max_grant_days=365, calendar=WorkCalendar())


@dataclass
class MovingClock:
    """A clock tests move forward by hand."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_resource(session: Session, clock: Any, sharing_class: str, **overrides: Any) -> str:
    """Create a table owned by OWNER with the given sharing class; returns its id."""
    extra: dict[str, Any] = {"owner_member": OWNER, "sharing_class": sharing_class}
    if sharing_class == "not_shared":
        extra["not_shared_reason"] = "涉及个人隐私 / contains personal data"
    extra["name"] = f"access-{sharing_class.replace('_', '-')}"
    extra.update(overrides)
    created = service.create_resource(
        session,
        ResourceCreate.model_validate(table_payload(**extra)),
        principal=OWNER_STEWARD,
        clock=clock,
    )
    return created.id


def request_body(resource: str, **overrides: Any) -> dict[str, Any]:
    """A valid request for ``resource`` by CONSUMER."""
    body: dict[str, Any] = {
        "resource": resource,
        "consumer_member": CONSUMER,
        "purpose_code": "market_regulation",
        "purpose_zh": "跨省企业信用联合监管",
        "purpose_en": "Joint cross-province credit supervision",
        "legal_basis": "《政务数据共享条例》第十四条",
        "fields": ["code", "score"],
        "duration_days": 30,
    }
    body.update(overrides)
    return body


def request_model(resource: str, **overrides: Any) -> AccessRequestCreate:
    """request_body as the service's input model."""
    return AccessRequestCreate.model_validate(request_body(resource, **overrides))


def ledger_since(session: Session, start: int) -> list[dict[str, Any]]:
    """Ledger entries appended since log size ``start``, as their canonical JSON objects."""
    page = ledger_service.list_entries(session, start=start, end=start + 1000)
    return [item.entry for item in page.items]


def log_size(session: Session) -> int:
    """Current ledger size."""
    return ledger_service.log_size(session)
