"""Rule documents: checks, canonical form, signing input; the shipped samples."""

from __future__ import annotations

from typing import Any

from dyrd.healthcode.bundled import sample_rules
from dyrd.healthcode.compute.ruleset import (
    parse_rule,
    protected_header,
    rule_document,
    signing_input,
)


def _doc(**changes: Any) -> dict[str, Any]:
    doc = rule_document(sample_rules()[0])
    doc.update(changes)
    return doc


def test_samples_parse_and_are_marked_samples() -> None:
    rules = sample_rules()
    assert {r.jurisdiction for r in rules} == {"310000", "320000", "330000", "340000"}
    assert all(r.sample for r in rules)
    assert len(rules) == 21


def test_round_trip() -> None:
    for rule in sample_rules():
        parsed, problems = parse_rule(rule_document(rule))
        assert problems == []
        assert parsed == rule


def test_problems_are_listed_per_field() -> None:
    _, problems = parse_rule(
        _doc(
            id="AH-HC-001",  # prefix of another jurisdiction (the rule is SH's)
            version=0,
            colour="blue",
            valid_until="2019-01-01",
            logic={"or": [True, False]},
            reason_zh="{risk.nowhere} 到访",
            extra=1,
        )
    )
    where = {p.location for p in problems}
    assert {
        "rule.id",
        "rule.version",
        "rule.colour",
        "rule.valid_until",
        "rule.logic",
        "rule.reason_zh",
        "rule.extra",
    } <= where
    assert all(p.message_zh for p in problems)


def test_signing_input_binds_header_and_document() -> None:
    doc = rule_document(sample_rules()[0])
    header = protected_header(key_id="k" * 43, algorithm="ES256")
    one = signing_input(header, doc)
    assert one.startswith(header.encode() + b".")
    assert signing_input(header, {**doc, "version": 2}) != one
