"""Colours from rules: which rule versions are in force, the first that applies, and why.

A jurisdiction's rules are tried in ascending ``priority``; the first whose CertLogic logic is
truthy for a resident decides the colour, and its reason template, filled from the resident's
facts, says why in Chinese and English: ``黄码：2020-02-01 到访杭州市高风险区域 (rule ZJ-HC-003
v2)``. When no rule applies the colour is green under the built-in ``DEFAULT`` rule. A rule that
errors for a resident (a comparison on a missing value) does not apply, as the CertLogic
specification advises. ``colour_frame`` does the same for a whole feature frame at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from dyrd.healthcode.compute import certlogic
from dyrd.healthcode.compute.columnar import Compiler, NotCompilable
from dyrd.healthcode.compute.features import FEATURES, facts_of_row
from dyrd.healthcode.types import Colour, ColourVerdict, RuleRef

DEFAULT_RULE = RuleRef("DEFAULT", 0)
"""What decides green when no rule of the jurisdiction applies."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)(\|city)?\}")


@dataclass(frozen=True, slots=True)
class Rule:
    """One version of one colour rule of one jurisdiction."""

    rule_id: str
    version: int
    jurisdiction: str
    colour: Colour
    priority: int
    valid_from: date
    valid_until: date | None
    logic: Any
    description_zh: str
    description_en: str
    reason_zh: str
    reason_en: str
    sample: bool = False

    @property
    def ref(self) -> RuleRef:
        """Id and version."""
        return RuleRef(self.rule_id, self.version)

    def in_force(self, day: date) -> bool:
        """True when ``day`` lies in [valid_from, valid_until)."""
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def rules_in_force(rules: Iterable[Rule], jurisdiction: str, day: date) -> list[Rule]:
    """Per rule id the newest version in force on ``day``, in evaluation order."""
    newest: dict[str, Rule] = {}
    for rule in rules:
        if rule.jurisdiction != jurisdiction or not rule.in_force(day):
            continue
        held = newest.get(rule.rule_id)
        if held is None or rule.version > held.version:
            newest[rule.rule_id] = rule
    return sorted(newest.values(), key=lambda r: (r.priority, r.rule_id))


def rule_applies(rule: Rule, facts: Mapping[str, Any]) -> bool:
    """True when the rule's logic is truthy for ``facts``; an evaluation error means no."""
    try:
        return certlogic.is_truthy(certlogic.evaluate(rule.logic, facts))
    except certlogic.CertLogicError:
        return False


def _lookup(facts: Mapping[str, Any], path: str) -> Any:
    group, name = path.split(".", 1)
    section = facts.get(group)
    return section.get(name) if isinstance(section, Mapping) else None


def fill(
    template: str, facts: Mapping[str, Any], cities: Mapping[str, tuple[str, str]], lang: str
) -> str:
    """A reason template with ``{path}`` and ``{path|city}`` (a city's name) filled in."""

    def one(match: re.Match[str]) -> str:
        value = _lookup(facts, match.group(1))
        if value is None:
            return "?"
        text = str(value)
        if match.group(2):
            names = cities.get(text)
            if names is not None:
                return names[0] if lang == "zh" else names[1]
        return text[:10] if len(text) > 10 and text[4:5] == "-" else text

    return _PLACEHOLDER.sub(one, template)


def verdict_for(
    rule: Rule | None, facts: Mapping[str, Any], cities: Mapping[str, tuple[str, str]]
) -> ColourVerdict:
    """The colour, rule and bilingual reason when ``rule`` applies (None: default green)."""
    if rule is None:
        ref = DEFAULT_RULE
        return ColourVerdict(
            Colour.GREEN,
            ref,
            f"绿码：未命中任何风险规则 (rule {ref.rule_id} v{ref.version})",
            f"Green: no risk rule applies (rule {ref.rule_id} v{ref.version})",
        )
    colour = rule.colour
    zh = fill(rule.reason_zh, facts, cities, "zh")
    en = fill(rule.reason_en, facts, cities, "en")
    tag = f"(rule {rule.rule_id} v{rule.version})"
    return ColourVerdict(colour, rule.ref, f"{colour.zh}：{zh} {tag}", f"{colour.en}: {en} {tag}")


def evaluate_resident(
    facts: Mapping[str, Any], rules: Sequence[Rule], cities: Mapping[str, tuple[str, str]]
) -> ColourVerdict:
    """The verdict for one resident's data context under rules already in evaluation order."""
    for rule in rules:
        if rule_applies(rule, facts):
            return verdict_for(rule, facts, cities)
    return verdict_for(None, facts, cities)


def placeholder_problems(template: str) -> list[str]:
    """Placeholders of a reason template that name no feature."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in FEATURES]


def colour_lazy(
    features: pl.LazyFrame | pl.DataFrame,
    rules_by_jurisdiction: Mapping[str, Sequence[Rule]],
    external: Mapping[str, Any],
) -> pl.LazyFrame:
    """The query ``rid, colour, rule_id, rule_version`` for every row of a feature frame.

    Rules are compiled to polars expressions. A rule with no columnar form is evaluated row by
    row with the interpreter (same answer, slower), only over its own jurisdiction's residents;
    that needs the features materialised, so a lazy frame is then collected once, here.
    """
    compiler = Compiler(FEATURES, external)
    choices: list[tuple[pl.Expr, Rule]] = []
    interpreted: list[tuple[int, Rule]] = []  # (index in choices, rule) for the interpreter
    for jurisdiction, rules in sorted(rules_by_jurisdiction.items()):
        in_j = pl.col("resident.jurisdiction") == jurisdiction
        for rule in rules:
            try:
                applies = compiler.boolean(rule.logic)
            except (NotCompilable, certlogic.CertLogicError):
                interpreted.append((len(choices), rule))
                applies = _FALSE
            choices.append((in_j & applies, rule))
    if interpreted:
        frame = features.collect() if isinstance(features, pl.LazyFrame) else features
        for i, rule in interpreted:
            keys = _interpreted(frame, rule, external)
            choices[i] = (pl.col("rid").is_in(keys), rule)
        features = frame
    index = pl.lit(-1, dtype=pl.Int32)
    if choices:
        chain: Any = pl.when(choices[0][0]).then(pl.lit(0, dtype=pl.Int32))
        for i, (cond, _rule) in enumerate(choices[1:], start=1):
            chain = chain.when(cond).then(pl.lit(i, dtype=pl.Int32))
        index = chain.otherwise(pl.lit(-1, dtype=pl.Int32))
    codes = list(range(-1, len(choices)))
    picked = [None, *(r for _, r in choices)]

    def lookup(values: list[Any], dtype: pl.DataType) -> pl.Expr:
        return pl.col("choice").replace_strict(codes, values, return_dtype=dtype)

    return (
        features.lazy()
        .select("rid", index.alias("choice"))
        .select(
            "rid",
            lookup([(r.colour.value if r else Colour.GREEN.value) for r in picked], pl.String())
            .alias("colour"),
            lookup([(r.rule_id if r else DEFAULT_RULE.rule_id) for r in picked], pl.String())
            .alias("rule_id"),
            lookup([(r.version if r else DEFAULT_RULE.version) for r in picked], pl.Int32())
            .alias("rule_version"),
        )
    )  # fmt: skip


def colour_frame(
    features: pl.DataFrame,
    rules_by_jurisdiction: Mapping[str, Sequence[Rule]],
    external: Mapping[str, Any],
) -> pl.DataFrame:
    """``rid, colour, rule_id, rule_version`` for every row of a feature frame, in its order."""
    return colour_lazy(features, rules_by_jurisdiction, external).collect()


_FALSE = pl.lit(False)


def _interpreted(frame: pl.DataFrame, rule: Rule, external: Mapping[str, Any]) -> pl.Series:
    """Keys of the residents of the rule's jurisdiction for whom the interpreter applies it."""
    mine = frame.filter(pl.col("resident.jurisdiction") == rule.jurisdiction)
    keys = [
        row["rid"]
        for row in mine.iter_rows(named=True)
        if rule_applies(rule, facts_of_row(row, external))
    ]
    return pl.Series("rid", keys, dtype=frame.schema["rid"])
