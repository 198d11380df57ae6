"""Colour rules as signed data: the rule document, its checks, canonical form and JWS input.

A rule version is a JSON document (see ``rule_document``), signed by its jurisdiction's member key
as a JWS (RFC 7515) whose payload is the document in canonical form: ``BASE64URL(protected) "."
BASE64URL(canonical(document))`` is what the key signs, the protected header naming ``alg``,
``kid`` (the trust key id) and ``typ`` ``dyrd-hc-rule+jcs``. The canonical form is RFC 8785
(JCS) for the values rule documents may hold (objects with ASCII keys, arrays, strings,
integers, booleans, null; no floats), where JCS reduces to sorted keys, no whitespace and
minimal escaping, exactly what ``json.dumps(sort_keys=True, ensure_ascii=False,
separators=(",", ":"))`` writes. Checks follow the EU DCC rule-upload checks: the id's prefix
names the jurisdiction, versions only grow, and validity runs forwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from dyrd.core.b64 import b64url
from dyrd.core.errors import FieldError
from dyrd.core.jcs import canonical
from dyrd.healthcode.compute import certlogic
from dyrd.healthcode.compute.colour import Rule, placeholder_problems
from dyrd.healthcode.types import JURISDICTION_PREFIX, Colour

JWS_TYPE = "dyrd-hc-rule+jcs"
RULE_ID = re.compile(r"^(SH|JS|ZJ|AH)-HC-\d{3}$")
MAX_TEXT = 500
MAX_LOGIC_BYTES = 16_384
FIELDS = frozenset(
    {
        "id", "version", "jurisdiction", "colour", "priority", "valid_from", "valid_until",
        "logic", "description_zh", "description_en", "reason_zh", "reason_en", "sample",
    }
)  # fmt: skip


def protected_header(*, key_id: str, algorithm: str) -> str:
    """The base64url JWS protected header of a rule signature."""
    header = {"alg": algorithm, "kid": key_id, "typ": JWS_TYPE}
    return b64url(json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii"))


def signing_input(protected: str, document: Mapping[str, Any]) -> bytes:
    """What the jurisdiction's key signs: ``protected "." base64url(canonical(document))``."""
    return f"{protected}.{b64url(canonical(document))}".encode("ascii")


def rule_document(rule: Rule) -> dict[str, Any]:
    """The JSON document of a rule version (what is signed and published)."""
    return {
        "id": rule.rule_id,
        "version": rule.version,
        "jurisdiction": rule.jurisdiction,
        "colour": rule.colour.value,
        "priority": rule.priority,
        "valid_from": rule.valid_from.isoformat(),
        "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
        "logic": rule.logic,
        "description_zh": rule.description_zh,
        "description_en": rule.description_en,
        "reason_zh": rule.reason_zh,
        "reason_en": rule.reason_en,
        "sample": rule.sample,
    }


def _date(value: Any, location: str, problems: list[FieldError]) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        pass
    problems.append(FieldError(location, "Expected a date YYYY-MM-DD.", "应为日期 YYYY-MM-DD。"))
    return None


def parse_rule(document: Any, *, location: str = "rule") -> tuple[Rule | None, list[FieldError]]:  # noqa: PLR0912
    """A rule from its JSON document, or every problem found in it."""
    if not isinstance(document, Mapping):
        return None, [FieldError(location, "A rule is a JSON object.", "规则应为 JSON 对象。")]
    p: list[FieldError] = []

    def bad(name: str, en: str, zh: str) -> None:
        p.append(FieldError(f"{location}.{name}", en, zh))

    unknown = sorted(set(document) - FIELDS)
    if unknown:
        bad(unknown[0], f"Unknown field(s): {', '.join(unknown)}.", "存在未知字段。")
    rule_id, jurisdiction = document.get("id"), document.get("jurisdiction")
    if not isinstance(jurisdiction, str) or jurisdiction not in JURISDICTION_PREFIX:
        bad("jurisdiction", "One of 310000, 320000, 330000, 340000.", "应为四省市代码之一。")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        bad("id", "Rule ids look like ZJ-HC-003.", "规则编号形如 ZJ-HC-003。")
    elif JURISDICTION_PREFIX.get(str(jurisdiction)) != rule_id[:2]:
        bad(
            "id", "The id's prefix must name the rule's jurisdiction.", "编号前缀须与所属省市一致。"
        )
    version, priority = document.get("version"), document.get("priority")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 9999:
        bad("version", "An integer 1-9999.", "应为 1-9999 的整数。")
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 9999:
        bad("priority", "An integer 0-9999 (lower is tried first).", "应为 0-9999 的整数。")
    colour = document.get("colour")
    if colour not in {c.value for c in Colour}:
        bad("colour", "green, yellow or red.", "应为 green、yellow 或 red。")
    valid_from = _date(document.get("valid_from"), f"{location}.valid_from", p)
    raw_until = document.get("valid_until")
    valid_until = None if raw_until is None else _date(raw_until, f"{location}.valid_until", p)
    if valid_from and valid_until and valid_until <= valid_from:
        bad("valid_until", "Must be after valid_from.", "失效日期须晚于生效日期。")
    logic = document.get("logic")
    for problem in certlogic.validate(logic):
        bad("logic", f"Not valid CertLogic: {problem}.", "不是有效的 CertLogic 表达式。")
    if len(json.dumps(logic)) > MAX_LOGIC_BYTES:
        bad("logic", f"Longer than {MAX_LOGIC_BYTES} bytes.", "表达式过长。")
    texts = {}
    for name in ("description_zh", "description_en", "reason_zh", "reason_en"):
        value = document.get(name)
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_TEXT:
            bad(name, f"Text of 1-{MAX_TEXT} characters.", f"应为 1-{MAX_TEXT} 字的文本。")
            value = ""
        texts[name] = value
    for name in ("reason_zh", "reason_en"):
        for missing in placeholder_problems(texts[name]):
            bad(name, f"Placeholder {{{missing}}} names no feature.", "占位符不对应任何特征。")
    sample = document.get("sample", False)
    if not isinstance(sample, bool):
        bad("sample", "true or false.", "应为 true 或 false。")
    if p or valid_from is None:
        return None, p
    return (
        Rule(
            rule_id=str(rule_id),
            version=int(str(version)),
            jurisdiction=str(jurisdiction),
            colour=Colour(str(colour)),
            priority=int(str(priority)),
            valid_from=valid_from,
            valid_until=valid_until,
            logic=logic,
            sample=bool(sample),
            **texts,
        ),
        [],
    )
