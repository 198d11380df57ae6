"""Colours with reasons; compiled (polars) rules agree with the CertLogic interpreter."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.healthcode.bundled import sample_rules
from dyrd.healthcode.compute import batch
from dyrd.healthcode.compute.colour import (
    Rule,
    colour_frame,
    evaluate_resident,
    rule_applies,
    rules_in_force,
)
from dyrd.healthcode.compute.columnar import Compiler, NotCompilable
from dyrd.healthcode.compute.features import (
    FEATURES,
    SCHEMAS,
    Inputs,
    external_context,
    facts_of_row,
    features_frame,
)
from dyrd.healthcode.types import Colour
from tests.healthcode.support import AT, city_names, population


def _one_resident_in_hangzhou() -> Inputs:
    residents = pl.DataFrame(
        {"rid": [1], "jurisdiction": ["330000"], "birth_year": [1985]},
        schema=SCHEMAS["residents"],
    )
    stays = pl.DataFrame(
        {
            "rid": [1],
            "city_code": [330100],
            "district_code": [330106],
            "stay_date": [date(2020, 2, 1)],
        },
        schema=SCHEMAS["stays"],
    )
    areas = pl.DataFrame(
        {
            "city_code": [330100],
            "district_code": [330106],
            "level": ["high"],
            "effective_from": [date(2020, 1, 25)],
            "effective_until": [None],
        },
        schema=SCHEMAS["areas"],
    )
    return Inputs(residents=residents, stays=stays, areas=areas)


def test_reason_names_rule_version_date_and_city() -> None:
    inputs = _one_resident_in_hangzhou()
    row = features_frame(inputs, AT).row(0, named=True)
    rules = rules_in_force(sample_rules(), "330000", AT.date())
    verdict = evaluate_resident(facts_of_row(row, external_context(AT)), rules, city_names())
    assert verdict.colour is Colour.YELLOW
    assert verdict.reason_zh == "黄码：2020-02-01 到访杭州市高风险区域 (rule ZJ-HC-003 v2)"
    assert verdict.reason_en.startswith("Yellow: stay in a high-risk area of Hangzhou")
    assert (verdict.rule.rule_id, verdict.rule.version) == ("ZJ-HC-003", 2)


def test_rule_versions_follow_their_validity() -> None:
    before = rules_in_force(sample_rules(), "330000", date(2020, 1, 30))
    after = rules_in_force(sample_rules(), "330000", date(2020, 2, 1))
    assert {r.version for r in before if r.rule_id == "ZJ-HC-003"} == {1}
    assert {r.version for r in after if r.rule_id == "ZJ-HC-003"} == {2}
    assert [r.priority for r in after] == sorted(r.priority for r in after)


def test_no_rule_gives_default_green() -> None:
    inputs = _one_resident_in_hangzhou()
    inputs = Inputs(residents=inputs.residents)
    row = features_frame(inputs, AT).row(0, named=True)
    verdict = evaluate_resident(facts_of_row(row, external_context(AT)), [], {})
    assert verdict.colour is Colour.GREEN
    assert "DEFAULT" in verdict.reason_zh


def test_erroring_rule_does_not_apply() -> None:
    rule = sample_rules()[0]
    broken = Rule(**{**_fields(rule), "logic": {"<": [{"var": "risk.high_last"}, 3]}})
    assert not rule_applies(broken, {"risk": {"high_last": "2020-01-01"}})


def _fields(rule: Rule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in Rule.__dataclass_fields__}


def test_compiled_equals_interpreted_on_a_synthetic_population() -> None:
    inputs = population(3000)
    features = features_frame(inputs, AT)
    rules = sample_rules()
    compiled = batch.colour_table(inputs, rules, AT)
    ext = external_context(AT)
    force = batch.in_force(rules, AT)
    expected = []
    for row in features.sort("rid").iter_rows(named=True):
        rules_j = force[row["resident.jurisdiction"]]
        v = evaluate_resident(facts_of_row(row, ext), rules_j, {})
        expected.append((row["rid"], v.colour.value, v.rule.rule_id, v.rule.version))
    assert [tuple(r) for r in compiled.iter_rows()] == expected
    assert compiled["colour"].n_unique() == 3  # the population exercises every colour


def test_uncompilable_rule_falls_back_to_the_interpreter() -> None:
    inputs = population(400)
    rule = Rule(
        **{
            **_fields(sample_rules()[0]),
            "rule_id": "ZJ-HC-009",
            "jurisdiction": "330000",
            "colour": Colour.RED,
            "priority": 0,
            # reduce has no columnar form: counts a literal array, applies to everyone in ZJ.
            "logic": {"reduce": [[1, 2], {"+": [{"var": "accumulator"}, 1]}, 0]},
        }
    )
    with pytest.raises(NotCompilable):
        Compiler(FEATURES, {}).boolean(rule.logic)
    features = features_frame(inputs, AT)
    out = colour_frame(features, {"330000": [rule]}, external_context(AT)).join(
        features.select("rid", "resident.jurisdiction"), on="rid"
    )
    zj = out["resident.jurisdiction"] == "330000"
    assert (out.filter(zj)["colour"] == "red").all()
    assert (out.filter(~zj)["colour"] == "green").all()


# Random expressions over the feature paths: the compiled form must agree with the interpreter
# for every resident (or decline to compile).
_INT_PATHS = [p for p, k in FEATURES.items() if k == "int"]
_DATE_PATHS = [p for p, k in FEATURES.items() if k in ("date", "datetime")]
_STR_PATHS = [p for p, k in FEATURES.items() if k == "str"]
_BOOL_PATHS = [p for p, k in FEATURES.items() if k == "bool"]


def _instant() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            lambda p, n, u: {"plusTime": [{"var": p}, n, u]},
            st.sampled_from([*_DATE_PATHS, "external.validationClock", "external.today"]),
            st.integers(-30, 30),
            st.sampled_from(["day", "hour", "month"]),
        ),
    )


def _leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda p: {"var": p}, st.sampled_from(_BOOL_PATHS + _DATE_PATHS + _STR_PATHS)),
        st.builds(
            lambda p, v: {"===": [{"var": p}, v]},
            st.sampled_from(_STR_PATHS),
            st.sampled_from(["negative", "positive", "330100", "310000", "pcr"]),
        ),
        st.builds(
            lambda op, p, v: {op: [{"var": p}, v]},
            st.sampled_from(["<", ">=", "<="]),
            st.sampled_from(_INT_PATHS),
            st.integers(0, 2000),
        ),
        st.builds(
            lambda op, a, b: {op: [a, b]},
            st.sampled_from(["before", "not-before", "after", "not-after"]),
            _instant(),
            _instant(),
        ),
        st.builds(
            lambda p, xs: {"in": [{"var": p}, xs]},
            st.sampled_from(_STR_PATHS),
            st.lists(st.sampled_from(["330000", "310000", "330100", "negative"]), max_size=3),
        ),
    )


_EXPR = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"and": xs}, st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda x: {"!": [x]}, inner),
        st.builds(lambda g, a, b: {"if": [g, a, b]}, inner, inner, inner),
    ),
    max_leaves=6,
)

_POPULATION = population(600, seed=11)
_FEATURES_FRAME = features_frame(_POPULATION, AT)
_EXTERNAL = external_context(AT)
_ROWS = list(_FEATURES_FRAME.iter_rows(named=True))


@settings(max_examples=60, deadline=None)
@given(_EXPR)
def test_compiled_expressions_agree_with_the_interpreter(expr: Any) -> None:
    try:
        applies = Compiler(FEATURES, _EXTERNAL).boolean(expr)
    except NotCompilable:
        return
    # with_columns broadcasts an expression on the external context alone (a constant) to
    # every resident, as the colour chain does by combining it with the jurisdiction column.
    compiled = _FEATURES_FRAME.with_columns(applies.alias("__applies"))["__applies"]
    rule = Rule(**{**_fields(sample_rules()[0]), "logic": expr})
    expected = [rule_applies(rule, facts_of_row(row, _EXTERNAL)) for row in _ROWS]
    assert compiled.to_list() == expected
