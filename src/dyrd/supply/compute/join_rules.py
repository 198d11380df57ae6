"""Chain join and exit rules as data, evaluated with a reason per rule in Chinese and English.

A rule set is a JSON object::

    {"join": [rule, ...], "exit": [rule, ...]}

``join`` lists what an applicant must meet to be admitted (all of them). ``exit`` lists what a
member must keep meeting to stay; a review that finds any of them failed ends the membership.
Each rule is one of:

* ``{"kind": "certification", "any_of": ["IATF 16949", ...]}``: holds one of the named
  certifications, valid on the decision date;
* ``{"kind": "credit_grade", "at_least": "B"}``: tax credit grade at least this good
  (A > B > M > C > D, see ``CreditGrade``); no grade on record fails;
* ``{"kind": "no_serious_violation", "window_days": 365}``: no serious violation recorded in
  the window ending on the decision date;
* ``{"kind": "activity", "min_count": 1, "window_days": 90}``: at least this many recorded
  activities (offers, needs, supply links, events) in the window;
* ``{"kind": "location", "provinces": ["310000", ...]}``: registered in one of the provinces.

The rules carry no defaults: a chain states every number it applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dyrd.supply.types import CreditGrade, Severity

KINDS = ("certification", "credit_grade", "no_serious_violation", "activity", "location")
MAX_RULES = 50
MAX_WINDOW_DAYS = 3660


class RuleSetError(ValueError):
    """A rule set that is not well-formed; ``location`` points at the faulty part."""

    def __init__(self, location: str, message: str, message_zh: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Rule:
    """One parsed rule (only the fields of its kind are set)."""

    kind: str
    any_of: tuple[str, ...] = ()
    at_least: CreditGrade | None = None
    window_days: int = 0
    min_count: int = 0
    provinces: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The rule as stored (JSON)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "certification":
            out["any_of"] = list(self.any_of)
        elif self.kind == "credit_grade":
            out["at_least"] = str(self.at_least)
        elif self.kind == "no_serious_violation":
            out["window_days"] = self.window_days
        elif self.kind == "activity":
            out["min_count"] = self.min_count
            out["window_days"] = self.window_days
        else:
            out["provinces"] = list(self.provinces)
        return out


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The join and exit rules of a chain."""

    join: tuple[Rule, ...]
    exit: tuple[Rule, ...]

    def as_dict(self) -> dict[str, Any]:
        """The rule set as stored (JSON)."""
        return {"join": [r.as_dict() for r in self.join], "exit": [r.as_dict() for r in self.exit]}


@dataclass(frozen=True, slots=True)
class Certification:
    """A certification an enterprise holds, valid on [valid_from, valid_until]."""

    name: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class Violation:
    """A recorded violation."""

    occurred_on: date
    severity: Severity


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    """What the rules look at, gathered by the service on the decision date."""

    province: str
    credit_grade: CreditGrade | None
    certifications: tuple[Certification, ...] = ()
    violations: tuple[Violation, ...] = ()
    activity: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleResult:
    """Whether one rule passed and why, in both languages."""

    index: int
    kind: str
    passed: bool
    reason: str
    reason_zh: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of a rule list: passed when every rule passed."""

    passed: bool
    results: tuple[RuleResult, ...]


def _int(obj: Mapping[str, Any], key: str, loc: str, lo: int, hi: int) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise RuleSetError(
            f"{loc}.{key}",
            f"must be an integer from {lo} to {hi}",
            f"应为 {lo} 到 {hi} 之间的整数",
        )
    return value


def _strings(obj: Mapping[str, Any], key: str, loc: str) -> tuple[str, ...]:
    value = obj.get(key)
    if (
        not isinstance(value, list)
        or not value
        or len(value) > 100
        or not all(isinstance(v, str) and 0 < len(v.strip()) <= 200 for v in value)
    ):
        raise RuleSetError(
            f"{loc}.{key}",
            "must be a non-empty list of non-empty strings",
            "应为非空字符串组成的非空列表",
        )
    return tuple(v.strip() for v in value)


def _rule(raw: Any, loc: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise RuleSetError(loc, "a rule is a JSON object", "规则应为 JSON 对象")
    kind = raw.get("kind")
    allowed = {
        "certification": {"kind", "any_of"},
        "credit_grade": {"kind", "at_least"},
        "no_serious_violation": {"kind", "window_days"},
        "activity": {"kind", "min_count", "window_days"},
        "location": {"kind", "provinces"},
    }
    if kind not in allowed:
        raise RuleSetError(
            f"{loc}.kind", f"unknown kind {kind!r}; one of {', '.join(KINDS)}", "未知规则类型"
        )
    extra = sorted(set(raw) - allowed[kind])
    if extra:
        raise RuleSetError(loc, f"unknown fields {extra}", f"未知字段 {extra}")
    if kind == "certification":
        return Rule(kind, any_of=_strings(raw, "any_of", loc))
    if kind == "credit_grade":
        grade = raw.get("at_least")
        if grade not in {g.value for g in CreditGrade}:
            raise RuleSetError(f"{loc}.at_least", "one of A, B, M, C, D", "应为 A、B、M、C、D 之一")
        return Rule(kind, at_least=CreditGrade(grade))
    if kind == "no_serious_violation":
        return Rule(kind, window_days=_int(raw, "window_days", loc, 1, MAX_WINDOW_DAYS))
    if kind == "activity":
        return Rule(
            kind,
            min_count=_int(raw, "min_count", loc, 1, 1_000_000),
            window_days=_int(raw, "window_days", loc, 1, MAX_WINDOW_DAYS),
        )
    provinces = _strings(raw, "provinces", loc)
    if not all(len(p) == 6 and p.isdigit() for p in provinces):
        raise RuleSetError(f"{loc}.provinces", "6-digit division codes", "应为 6 位行政区划代码")
    return Rule(kind, provinces=provinces)


def parse_rule_set(raw: Any) -> RuleSet:
    """Validate a rule set document; raises ``RuleSetError`` naming the faulty part."""
    if not isinstance(raw, Mapping):
        raise RuleSetError("$", "a rule set is a JSON object", "规则集应为 JSON 对象")
    extra = sorted(set(raw) - {"join", "exit"})
    if extra:
        raise RuleSetError("$", f"unknown fields {extra}", f"未知字段 {extra}")
    lists: dict[str, tuple[Rule, ...]] = {}
    for part in ("join", "exit"):
        items = raw.get(part, [])
        if not isinstance(items, list) or len(items) > MAX_RULES:
            raise RuleSetError(
                f"$.{part}", f"a list of at most {MAX_RULES} rules", f"至多 {MAX_RULES} 条规则"
            )
        lists[part] = tuple(_rule(r, f"$.{part}[{i}]") for i, r in enumerate(items))
    if not lists["join"]:
        raise RuleSetError("$.join", "a chain needs at least one join rule", "至少需要一条加入规则")
    return RuleSet(join=lists["join"], exit=lists["exit"])


def _certification(rule: Rule, facts: EnterpriseFacts, on: date) -> tuple[bool, str, str]:
    held = sorted(c.name for c in facts.certifications if c.valid_from <= on <= c.valid_until)
    hit = [n for n in rule.any_of if n in held]
    want = " / ".join(rule.any_of)
    if hit:
        return True, f"holds {hit[0]} valid on {on}", f"持有 {on} 有效的 {hit[0]}"
    return False, f"no valid certification among {want}", f"缺少有效认证：{want}"


def _credit(rule: Rule, facts: EnterpriseFacts, on: date) -> tuple[bool, str, str]:
    need = rule.at_least
    assert need is not None  # noqa: S101  # set by the parser for this kind
    grade = facts.credit_grade
    if grade is None:
        return False, "no credit grade on record", "无纳税信用等级记录"
    ok = grade.rank <= need.rank
    cmp_en, cmp_zh = ("meets", "达到") if ok else ("is below", "低于")
    return ok, f"credit grade {grade} {cmp_en} {need}", f"信用等级 {grade} {cmp_zh} {need}"


def _violations(rule: Rule, facts: EnterpriseFacts, on: date) -> tuple[bool, str, str]:
    start = on - timedelta(days=rule.window_days)
    serious = sorted(
        v.occurred_on
        for v in facts.violations
        if v.severity is Severity.SERIOUS and start < v.occurred_on <= on
    )
    if serious:
        return (
            False,
            f"{len(serious)} serious violation(s) in the last {rule.window_days} days "
            f"(latest {serious[-1]})",
            f"近 {rule.window_days} 天内有 {len(serious)} 起严重违法失信记录（最近 {serious[-1]}）",
        )
    return (
        True,
        f"no serious violation in the last {rule.window_days} days",
        f"近 {rule.window_days} 天内无严重违法失信记录",
    )


def _activity(rule: Rule, facts: EnterpriseFacts, on: date) -> tuple[bool, str, str]:
    start = on - timedelta(days=rule.window_days)
    count = sum(1 for d in facts.activity if start < d <= on)
    return (
        count >= rule.min_count,
        f"{count} activities in the last {rule.window_days} days (at least {rule.min_count})",
        f"近 {rule.window_days} 天内活动 {count} 次（要求至少 {rule.min_count} 次）",
    )


def _location(rule: Rule, facts: EnterpriseFacts, on: date) -> tuple[bool, str, str]:
    ok = facts.province in rule.provinces
    where = ", ".join(rule.provinces)
    return (
        ok,
        f"registered in {facts.province}" + ("" if ok else f", not in {where}"),
        f"注册地 {facts.province}" + ("" if ok else f"，不在 {where} 范围内"),
    )


_CHECKS = {
    "certification": _certification,
    "credit_grade": _credit,
    "no_serious_violation": _violations,
    "activity": _activity,
    "location": _location,
}


def evaluate(rules: Sequence[Rule], facts: EnterpriseFacts, on: date) -> Evaluation:
    """Evaluate every rule (none short-circuits, so each reason is reported)."""
    results = tuple(
        RuleResult(i, r.kind, *_CHECKS[r.kind](r, facts, on)) for i, r in enumerate(rules)
    )
    return Evaluation(passed=all(r.passed for r in results), results=results)
