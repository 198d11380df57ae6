"""Use cases of the market risk monitor: record events, score enterprises, raise alerts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.market.bundled import risk_weights
from dyrd.market.compute.red_flags import TENDERER, Results
from dyrd.market.compute.risk import (
    AlertLevel,
    EnterpriseRisk,
    RiskEvent,
    RiskWeights,
    score_enterprises,
)
from dyrd.market.errors import MarketInputInvalid, UnknownEnterprise
from dyrd.market.models import RiskAlertRow, RiskEventRow
from dyrd.market.repository import OversightRepository
from dyrd.market.schemas import RiskAlertRead, RiskEventCreate, RiskEventRead, RiskScoreRead
from dyrd.market.types import OcdsInputError, RiskEventKind


def parse_weights(document: Mapping[str, Any] | None) -> RiskWeights:
    """The given weights document, validated, or the bundled neutral weights."""
    if document is None:
        return risk_weights()
    try:
        return RiskWeights.from_mapping(document)
    except OcdsInputError as exc:
        raise MarketInputInvalid(
            exc.message,
            exc.message_zh,
            hint="See data/README.md of the market domain for the weights file format.",
            errors=[FieldError("weights", exc.message, exc.message_zh)],
        ) from None


def _kind(value: str) -> RiskEventKind:
    try:
        return RiskEventKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in RiskEventKind)
        raise MarketInputInvalid(
            f"Unknown risk event kind {value!r}; one of: {allowed}.",
            f"未知风险事件类型 {value}；可选：{allowed}。",
            errors=[FieldError("kind", f"one of: {allowed}", f"可选：{allowed}", value)],
        ) from None


def _event_read(row: RiskEventRow) -> RiskEventRead:
    kind = RiskEventKind(row.kind)
    return RiskEventRead(
        id=row.id,
        enterprise_id=row.enterprise_id,
        kind=row.kind,
        kind_zh=kind.zh,
        occurred_at=row.occurred_at,
        severity=row.severity,
        jurisdiction=row.jurisdiction,
        reference=row.reference,
    )


def _new_event(
    body: RiskEventCreate, kind: RiskEventKind, actor: Actor, clock: Clock
) -> RiskEventRow:
    return RiskEventRow(
        id=str(uuid.uuid4()),
        enterprise_id=body.enterprise_id,
        kind=kind.value,
        occurred_at=body.occurred_at,
        severity=body.severity,
        jurisdiction=body.jurisdiction,
        reference=body.reference,
        created_by=actor.user,
        created_for=actor.member,
        created_at=clock(),
    )


def record_event(
    session: Session, body: RiskEventCreate, *, actor: Actor, clock: Clock
) -> RiskEventRead:
    """Store one risk event about an enterprise."""
    row = _new_event(body, _kind(body.kind), actor, clock)
    OversightRepository(session).add(row)
    session.commit()
    return _event_read(row)


def record_red_flags(
    session: Session, results: Results, *, actor: Actor, clock: Clock, jurisdiction: str = ""
) -> list[RiskEventRead]:
    """One ``red_flag`` event per flagged tenderer and flag, so procurement feeds the monitor."""
    now = clock()
    repo = OversightRepository(session)
    rows = []
    for tenderer, flags in sorted(results.get(TENDERER, {}).items()):
        for code in sorted(flags):
            body = RiskEventCreate(
                enterprise_id=tenderer,
                kind=RiskEventKind.RED_FLAG.value,
                occurred_at=now,
                jurisdiction=jurisdiction,
                reference=code,
            )
            row = _new_event(body, RiskEventKind.RED_FLAG, actor, clock)
            repo.add(row)
            rows.append(row)
    session.commit()
    return [_event_read(r) for r in rows]


def list_events(session: Session, enterprise_id: str | None = None) -> list[RiskEventRead]:
    """Stored events, oldest first."""
    return [_event_read(r) for r in OversightRepository(session).risk_events(enterprise_id)]


def _scores(session: Session, weights: RiskWeights, clock: Clock) -> list[EnterpriseRisk]:
    events = [
        RiskEvent(
            r.enterprise_id,
            RiskEventKind(r.kind),
            r.occurred_at,
            r.severity,
            r.jurisdiction,
            r.reference,
        )
        for r in OversightRepository(session).risk_events()
    ]
    return score_enterprises(events, weights, clock())


def _score_read(risk: EnterpriseRisk) -> RiskScoreRead:
    return RiskScoreRead(
        enterprise_id=risk.enterprise_id,
        score=risk.score,
        by_kind={k.value: v for k, v in risk.by_kind.items()},
        events=len(risk.contributions),
        level=risk.level.value,
        level_zh=risk.level.zh,
        explanation=risk.explanation,
        explanation_zh=risk.explanation_zh,
    )


def risk_scores(
    session: Session, *, clock: Clock, weights: Mapping[str, Any] | None = None
) -> list[RiskScoreRead]:
    """Every enterprise's score now, highest first."""
    return [_score_read(r) for r in _scores(session, parse_weights(weights), clock)]


def enterprise_risk(
    session: Session, enterprise_id: str, *, clock: Clock, weights: Mapping[str, Any] | None = None
) -> RiskScoreRead:
    """One enterprise's score; 404 when it has no recorded events."""
    for risk in _scores(session, parse_weights(weights), clock):
        if risk.enterprise_id == enterprise_id:
            return _score_read(risk)
    raise UnknownEnterprise(
        f"No risk events recorded for {enterprise_id}.",
        f"没有 {enterprise_id} 的风险事件记录。",
    )


def _alert_read(row: RiskAlertRow) -> RiskAlertRead:
    return RiskAlertRead(
        id=row.id,
        enterprise_id=row.enterprise_id,
        level=row.level,
        score=row.score,
        explanation=row.explanation,
        explanation_zh=row.explanation_zh,
        created_at=row.created_at,
    )


def raise_alerts(
    session: Session, *, actor: Actor, clock: Clock, weights: Mapping[str, Any] | None = None
) -> list[RiskAlertRead]:
    """Store an alert for each enterprise whose level changed since its last alert."""
    repo = OversightRepository(session)
    raised = []
    for risk in _scores(session, parse_weights(weights), clock):
        last = repo.latest_alert(risk.enterprise_id)
        previous = AlertLevel(last.level) if last is not None else AlertLevel.NONE
        if risk.level == previous:
            continue
        row = RiskAlertRow(
            id=str(uuid.uuid4()),
            enterprise_id=risk.enterprise_id,
            level=risk.level.value,
            score=risk.score,
            explanation=risk.explanation,
            explanation_zh=risk.explanation_zh,
            created_by=actor.user,
            created_for=actor.member,
            created_at=clock(),
        )
        repo.add(row)
        raised.append(row)
    session.commit()
    return [_alert_read(r) for r in raised]


def list_alerts(session: Session) -> list[RiskAlertRead]:
    """Raised alerts, newest first."""
    return [_alert_read(r) for r in OversightRepository(session).alerts()]
