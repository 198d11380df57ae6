"""Enterprise risk score: weights from data, decay, alert levels, explanations, bad weights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.market.bundled import risk_weights
from dyrd.market.compute.risk import AlertLevel, RiskEvent, RiskWeights, score_enterprises
from dyrd.market.types import OcdsInputError, RiskEventKind

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _ev(eid: str, kind: RiskEventKind, days_ago: float = 0, severity: float = 1.0) -> RiskEvent:
    return RiskEvent(eid, kind, AT - timedelta(days=days_ago), severity)


def _weights(**over: object) -> RiskWeights:
    doc: dict[str, object] = {
        "weights": {k.value: 1.0 for k in RiskEventKind},
        "half_life_days": None,
        "watch_at": 1.0,
        "alert_at": 3.0,
    }
    doc.update(over)
    return RiskWeights.from_mapping(doc)


def test_bundled_weights_parse_and_are_neutral() -> None:
    w = risk_weights()
    assert set(w.weights.values()) == {1.0}
    assert w.watch_at <= w.alert_at


def test_scores_sum_weighted_events_and_levels_follow_thresholds() -> None:
    doc_w = {k.value: 1.0 for k in RiskEventKind}
    doc_w["ip_infringement"] = 2.5
    weights = _weights(weights=doc_w)
    events = [
        _ev("A", RiskEventKind.IP_INFRINGEMENT),
        _ev("A", RiskEventKind.COMPLAINT),
        _ev("B", RiskEventKind.COMPLAINT),
        _ev("C", RiskEventKind.RED_FLAG, severity=0.5),
    ]
    result = {r.enterprise_id: r for r in score_enterprises(events, weights, AT)}
    assert result["A"].score == pytest.approx(3.5)
    assert result["A"].level is AlertLevel.ALERT
    assert result["B"].level is AlertLevel.WATCH
    assert result["C"].level is AlertLevel.NONE
    assert "ip_infringement 2.50" in result["A"].explanation
    assert "知识产权侵权判决" in result["A"].explanation_zh
    ordered = [r.enterprise_id for r in score_enterprises(events, weights, AT)]
    assert ordered == ["A", "B", "C"]


def test_half_life_halves_an_old_event_and_future_events_are_ignored() -> None:
    weights = _weights(half_life_days=30)
    events = [_ev("A", RiskEventKind.COMPLAINT, days_ago=30), _ev("A", RiskEventKind.COMPLAINT, -5)]
    (only,) = score_enterprises(events, weights, AT)
    assert only.score == pytest.approx(0.5)
    assert len(only.contributions) == 1


@pytest.mark.parametrize(
    "over",
    [
        {"weights": {"complaint": 1.0}},
        {"weights": {**{k.value: 1.0 for k in RiskEventKind}, "complaint": -1}},
        {"weights": {**{k.value: 1.0 for k in RiskEventKind}, "gossip": 1}},
        {"half_life_days": 0},
        {"watch_at": 5.0, "alert_at": 3.0},
    ],
)
def test_bad_weights_are_refused_with_a_reason(over: dict[str, object]) -> None:
    with pytest.raises(OcdsInputError) as info:
        _weights(**over)
    assert info.value.message
    assert info.value.message_zh


_kinds = st.sampled_from(list(RiskEventKind))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(_kinds, st.floats(0, 3), st.floats(0, 400)), max_size=12))
def test_score_is_the_sum_of_its_contributions_and_monotone(
    rows: list[tuple[RiskEventKind, float, float]],
) -> None:
    weights = _weights(half_life_days=90)
    events = [_ev("E", kind, age, sev) for kind, sev, age in rows]
    scored = score_enterprises(events, weights, AT)
    if not events:
        assert scored == []
        return
    (risk,) = scored
    assert risk.score == pytest.approx(sum(c.value for c in risk.contributions))
    more = score_enterprises([*events, _ev("E", RiskEventKind.COMPLAINT)], weights, AT)[0]
    assert more.score >= risk.score
