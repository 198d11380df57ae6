"""Enterprise market-risk score from events, with weights that are data, not code.

score(e, t) = Σ_events w[kind] · severity · decay(t − occurred), decay(a) = 0.5^(a / half_life)
(no decay when ``half_life_days`` is None). Every contribution is kept, so a score can always be
explained event by event. Weights, half-life and alert levels are policy choices of the operating
jurisdiction, read from a weights file (``data/risk_weights.json`` ships neutral defaults).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from dyrd.market.types import OcdsInputError, RiskEventKind


class AlertLevel(StrEnum):
    """Alert levels, lowest first."""

    NONE = "none"
    WATCH = "watch"
    ALERT = "alert"

    @property
    def zh(self) -> str:
        """Chinese name."""
        return {"none": "无", "watch": "关注", "alert": "预警"}[self.value]


@dataclass(frozen=True, slots=True)
class RiskWeights:
    """The transparent parameters of the score."""

    weights: Mapping[RiskEventKind, float]
    half_life_days: float | None
    watch_at: float
    alert_at: float

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RiskWeights:
        """Parse a weights document; every kind must have a non-negative weight."""
        raw = data.get("weights")
        if not isinstance(raw, Mapping):
            raise OcdsInputError("weights: an object of kind -> weight", "weights 必须是对象")
        weights: dict[RiskEventKind, float] = {}
        for kind in RiskEventKind:
            value = raw.get(kind.value)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise OcdsInputError(
                    f"weights.{kind.value}: a number >= 0 is required",
                    f"weights.{kind.value}：需要大于等于 0 的数值",
                )
            weights[kind] = float(value)
        unknown = set(raw) - {k.value for k in RiskEventKind}
        if unknown:
            raise OcdsInputError(
                f"unknown event kinds in weights: {sorted(unknown)}",
                f"权重中有未知事件类型：{sorted(unknown)}",
            )
        half = data.get("half_life_days")
        if half is not None and (not isinstance(half, int | float) or half <= 0):
            raise OcdsInputError(
                "half_life_days: a positive number or null", "half_life_days 必须为正数或 null"
            )
        watch, alert = data.get("watch_at"), data.get("alert_at")
        if not isinstance(watch, int | float) or not isinstance(alert, int | float):
            raise OcdsInputError(
                "watch_at and alert_at are numbers", "watch_at 与 alert_at 须为数值"
            )
        if not 0 < watch <= alert:
            raise OcdsInputError("0 < watch_at <= alert_at", "须满足 0 < watch_at <= alert_at")
        return cls(weights, None if half is None else float(half), float(watch), float(alert))


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """One event about an enterprise (USCC or other identifier), with its severity (default 1)."""

    enterprise_id: str
    kind: RiskEventKind
    occurred_at: datetime
    severity: float = 1.0
    jurisdiction: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one event adds to a score, after weight and decay."""

    event: RiskEvent
    value: float


@dataclass(frozen=True, slots=True)
class EnterpriseRisk:
    """An enterprise's score, its parts by kind, its alert level, and a bilingual explanation."""

    enterprise_id: str
    score: float
    by_kind: Mapping[RiskEventKind, float]
    contributions: tuple[Contribution, ...]
    level: AlertLevel
    explanation: str
    explanation_zh: str


def _decay(age_days: float, half_life: float | None) -> float:
    if half_life is None:
        return 1.0
    return math.pow(0.5, max(age_days, 0.0) / half_life)


def score_enterprises(
    events: Iterable[RiskEvent], weights: RiskWeights, at: datetime
) -> list[EnterpriseRisk]:
    """Scores of every enterprise with events up to ``at``, highest first (ties by id)."""
    grouped: dict[str, list[Contribution]] = defaultdict(list)
    for event in events:
        if event.severity < 0 or not math.isfinite(event.severity):
            raise OcdsInputError(
                f"severity of {event.reference or event.kind.value} must be >= 0",
                "事件严重程度必须大于等于 0",
            )
        if event.occurred_at > at:
            continue
        age = (at - event.occurred_at).total_seconds() / 86400.0
        value = weights.weights[event.kind] * event.severity * _decay(age, weights.half_life_days)
        grouped[event.enterprise_id].append(Contribution(event, value))
    out = [_summarise(eid, parts, weights) for eid, parts in grouped.items()]
    return sorted(out, key=lambda r: (-r.score, r.enterprise_id))


def _summarise(eid: str, parts: list[Contribution], weights: RiskWeights) -> EnterpriseRisk:
    by_kind: dict[RiskEventKind, float] = defaultdict(float)
    for part in parts:
        by_kind[part.event.kind] += part.value
    score = sum(by_kind.values())
    level = (
        AlertLevel.ALERT
        if score >= weights.alert_at
        else AlertLevel.WATCH
        if score >= weights.watch_at
        else AlertLevel.NONE
    )
    top = sorted(by_kind.items(), key=lambda kv: -kv[1])
    en = ", ".join(f"{k.value} {v:.2f}" for k, v in top if v > 0)
    zh = "，".join(f"{k.zh} {v:.2f}" for k, v in top if v > 0)
    return EnterpriseRisk(
        eid,
        score,
        dict(by_kind),
        tuple(parts),
        level,
        f"score {score:.2f} ({level.value}): {en or 'no weighted events'}",
        f"风险分 {score:.2f}（{level.zh}）：{zh or '无加权事件'}",
    )
