"""Chain join and exit rules as data: parsing with locations, evaluation with reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dyrd.supply.compute import join_rules as jr
from dyrd.supply.types import CreditGrade, Severity

ON = date(2026, 11, 26)
RULES: dict[str, Any] = {
    "join": [
        {"kind": "certification", "any_of": ["IATF 16949", "ISO 9001"]},
        {"kind": "credit_grade", "at_least": "B"},
        {"kind": "no_serious_violation", "window_days": 365},
        {"kind": "activity", "min_count": 2, "window_days": 90},
        {"kind": "location", "provinces": ["310000", "320000", "330000", "340000"]},
    ],
    "exit": [{"kind": "no_serious_violation", "window_days": 365}],
}


def facts(**kw: Any) -> jr.EnterpriseFacts:
    base: dict[str, Any] = {
        "province": "320000",
        "credit_grade": CreditGrade.A,
        "certifications": (jr.Certification("IATF 16949", date(2025, 1, 1), date(2027, 1, 1)),),
        "violations": (),
        "activity": (date(2026, 10, 1), date(2026, 11, 1)),
    }
    base.update(kw)
    return jr.EnterpriseFacts(**base)


def test_round_trip() -> None:
    rs = jr.parse_rule_set(RULES)
    assert jr.parse_rule_set(rs.as_dict()) == rs
    assert rs.as_dict() == RULES


def test_qualified_applicant_passes_every_rule() -> None:
    ev = jr.evaluate(jr.parse_rule_set(RULES).join, facts(), ON)
    assert ev.passed
    assert [r.kind for r in ev.results] == [r["kind"] for r in RULES["join"]]
    assert all(r.reason and r.reason_zh for r in ev.results)


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"certifications": ()}, "certification"),
        (
            {"certifications": (jr.Certification("ISO 9001", date(2020, 1, 1), date(2026, 1, 1)),)},
            "certification",
        ),
        ({"credit_grade": CreditGrade.M}, "credit_grade"),
        ({"credit_grade": None}, "credit_grade"),
        (
            {"violations": (jr.Violation(date(2026, 6, 1), Severity.SERIOUS),)},
            "no_serious_violation",
        ),
        ({"activity": (date(2026, 11, 1),)}, "activity"),
        ({"province": "110000"}, "location"),
    ],
)
def test_each_rule_fails_alone_with_a_reason(change: dict[str, Any], failing: str) -> None:
    ev = jr.evaluate(jr.parse_rule_set(RULES).join, facts(**change), ON)
    assert not ev.passed
    failed = [r for r in ev.results if not r.passed]
    assert [r.kind for r in failed] == [failing]
    assert failed[0].reason
    assert failed[0].reason_zh


def test_windows_exclude_old_records() -> None:
    old = facts(violations=(jr.Violation(date(2025, 11, 26), Severity.SERIOUS),))
    minor = facts(violations=(jr.Violation(date(2026, 11, 1), Severity.MINOR),))
    rules = jr.parse_rule_set(RULES).join
    assert jr.evaluate(rules, old, ON).passed
    assert jr.evaluate(rules, minor, ON).passed


@pytest.mark.parametrize(
    ("doc", "location"),
    [
        ([], "$"),
        ({"join": []}, "$.join"),
        ({"join": [{"kind": "karma"}]}, "$.join[0].kind"),
        ({"join": [{"kind": "credit_grade", "at_least": "AAA"}]}, "$.join[0].at_least"),
        ({"join": [{"kind": "activity", "min_count": 0, "window_days": 9}]}, "$.join[0].min_count"),
        (
            {"join": [{"kind": "activity", "min_count": 1, "window_days": True}]},
            "$.join[0].window_days",
        ),
        ({"join": [{"kind": "location", "provinces": ["31"]}]}, "$.join[0].provinces"),
        ({"join": [{"kind": "certification", "any_of": ["x"], "extra": 1}]}, "$.join[0]"),
        (
            {"join": RULES["join"], "exit": [{"kind": "certification", "any_of": []}]},
            "$.exit[0].any_of",
        ),
        ({"join": RULES["join"], "other": 1}, "$"),
    ],
)
def test_malformed_rule_sets_name_the_fault(doc: Any, location: str) -> None:
    with pytest.raises(jr.RuleSetError) as info:
        jr.parse_rule_set(doc)
    assert info.value.location == location
    assert info.value.message_zh
