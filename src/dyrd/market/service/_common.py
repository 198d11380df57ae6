"""Helpers shared by the tender and auction use cases: member checks, ledger entries, errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, NotFoundError
from dyrd.market.errors import DeadlinePassed, MarketInputInvalid, WrongState


def require_member(session: Session, member_id: str, location: str) -> None:
    """Refuse a member id the trust domain does not know (422, not 404: it is a field)."""
    try:
        trust.get_member(session, member_id)
    except NotFoundError:
        raise MarketInputInvalid(
            f"{member_id!r} is not a registered member.",
            f"{member_id} 不是已登记的成员。",
            errors=[FieldError(location, "Unknown member id.", "未知成员标识。", member_id)],
        ) from None


def invalid(
    location: str, message: str, message_zh: str, value: str | None = None
) -> MarketInputInvalid:
    """A one-field input error."""
    return MarketInputInvalid(
        message, message_zh, errors=[FieldError(location, message, message_zh, value)]
    )


def rule_error(kind: str, message: str, message_zh: str) -> WrongState | DeadlinePassed:
    """The domain error for a refused transition: deadlines are ``DeadlinePassed``, others
    (wrong state, too early) ``WrongState``; both are 409."""
    if kind == "deadline":
        return DeadlinePassed(message, message_zh)
    return WrongState(message, message_zh)


def log(
    session: Session,
    *,
    kind: str,
    subject: str,
    actor: Actor,
    payload: dict[str, Any],
    clock: Clock,
) -> int:
    """Append one market entry to the audit ledger (caller commits); returns its sequence."""
    return ledger.append(
        session, kind=kind, subject=subject, actor=actor, payload=payload, clock=clock
    ).seq
