"""k-anonymity, l-diversity and generalisation on hand-computed tables (pure), and the gate."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.core.errors import PermissionDenied
from dyrd.exchange.compute.anonymity import (
    AnonymityPolicy,
    anonymise,
    check_anonymity,
    hierarchy,
)
from dyrd.exchange.compute.pseudonym import PSEUDONYM_PREFIX
from dyrd.exchange.errors import AnonymityRefused
from dyrd.exchange.service.privacy import release_rows
from dyrd.exchange.types import ColumnSpec, ColumnType, PersonalDataRole

QI, SA, ID = (
    PersonalDataRole.QUASI_IDENTIFIER,
    PersonalDataRole.SENSITIVE,
    PersonalDataRole.IDENTIFIER,
)
SECRET = b"k" * 32

# age, zip -> disease. Classes: (30, 31001) x3 {flu, cold}; (41, 31002) x2 {flu}; (52, 31003) x1.
HAND = [
    {"age": 30, "zip": "31001", "disease": "flu"},
    {"age": 30, "zip": "31001", "disease": "flu"},
    {"age": 30, "zip": "31001", "disease": "cold"},
    {"age": 41, "zip": "31002", "disease": "flu"},
    {"age": 41, "zip": "31002", "disease": "flu"},
    {"age": 52, "zip": "31003", "disease": "hiv"},
]


def test_classes_k_and_l_of_a_hand_computed_table() -> None:
    report = check_anonymity(HAND, ["age", "zip"], ["disease"], k=2, l=2)
    assert report.classes == 3
    assert report.min_class_size == 1
    assert report.min_diversity == {"disease": 1}
    sizes = {c.key: (c.size, c.diversity["disease"]) for c in report.violating}
    assert sizes == {(41, "31002"): (2, 1), (52, "31003"): (1, 1)}
    assert report.violating_rows == 3
    assert not report.ok
    # k=1, l=1 holds for any table
    assert check_anonymity(HAND, ["age", "zip"], ["disease"], k=1, l=1).ok
    # with zip alone the classes are the same, with age generalised away one class of 6
    whole = check_anonymity(HAND, [], ["disease"], k=6, l=3)
    assert (whole.classes, whole.min_class_size, whole.min_diversity) == (1, 6, {"disease": 3})
    assert whole.ok


def test_summary_for_the_consumer_has_counts_not_values() -> None:
    summary = check_anonymity(HAND, ["age", "zip"], ["disease"], k=2, l=2).summary()
    assert summary["violating_classes"] == 2
    assert summary["violating_rows"] == 3
    assert "31003" not in repr(summary)


table = st.lists(
    st.fixed_dictionaries(
        {
            "a": st.integers(0, 3),
            "b": st.sampled_from(["x", "y", None]),
            "s": st.sampled_from(["p", "q", "r"]),
        }
    ),
    max_size=40,
)


@settings(max_examples=150)
@given(rows=table, k=st.integers(1, 6), l=st.integers(1, 3))
def test_report_matches_a_brute_force_count(rows: list[dict[str, Any]], k: int, l: int) -> None:  # noqa: E741
    report = check_anonymity(rows, ["a", "b"], ["s"], k=k, l=l)

    def peers(row: dict[str, Any]) -> list[dict[str, Any]]:
        return [o for o in rows if (o["a"], o["b"]) == (row["a"], row["b"])]

    sizes = [len(peers(r)) for r in rows]
    diversity = [len({o["s"] for o in peers(r)}) for r in rows]
    assert report.min_class_size == min(sizes, default=0)
    assert report.min_diversity == {"s": min(diversity, default=0)}
    bad = sum(1 for n, d in zip(sizes, diversity, strict=True) if n < k or d < l)
    assert report.violating_rows == bad
    assert report.classes == len({(r["a"], r["b"]) for r in rows})


def test_hierarchies_widen_step_by_step() -> None:
    ages = hierarchy(ColumnSpec("age", ColumnType.INTEGER), [{"age": v} for v in (0, 37, 99)])
    assert [ages.apply(37, level) for level in range(ages.top + 1)] == [
        37,
        "35–39",
        "30–39",
        "0–49",
        "0–99",
        "*",
    ]
    assert ages.describe(2) == "ranges of width 10"
    dates = hierarchy(ColumnSpec("d", ColumnType.DATE), [{"d": "2024-03-17"}])
    assert [dates.apply("2024-03-17", lv) for lv in range(4)] == [
        "2024-03-17",
        "2024-03",
        "2024",
        "*",
    ]
    codes = hierarchy(ColumnSpec("c", ColumnType.STRING), [{"c": "310115"}, {"c": "3201"}])
    assert [codes.apply("310115", lv) for lv in (1, 2, 5, 6)] == ["31011*", "3101**", "3*****", "*"]
    assert codes.apply("3201", 2) == "32**"
    rates = hierarchy(ColumnSpec("r", ColumnType.NUMBER), [{"r": v} for v in (0.0, 0.37, 1.0)])
    assert rates.apply(0.37, 1) == "[0.35, 0.4)"
    assert rates.apply(0.37, 2) == "[0.3, 0.4)"
    assert rates.apply(None, 1) is None


def _schema(*specs: tuple[str, ColumnType, PersonalDataRole]) -> list[ColumnSpec]:
    return [ColumnSpec(n, t, personal_data=r) for n, t, r in specs]


def test_one_level_of_generalisation_on_a_hand_made_table() -> None:
    # ages 30..39 twice each: classes of 2; ranges of width 5 give two classes of 10.
    rows = [{"age": 30 + i % 10} for i in range(20)]
    schema = _schema(("age", ColumnType.INTEGER, QI))
    out = anonymise(rows, schema, AnonymityPolicy(k=5, l=2))
    assert out.ok
    assert out.levels == {"age": 1}
    assert out.generalisations[0].description == "ranges of width 5"
    assert Counter(r["age"] for r in out.rows) == {"30–34": 10, "35–39": 10}
    assert out.suppressed == 0
    assert out.before.min_class_size == 2
    assert out.after.min_class_size == 10


def _synthetic(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [
        {
            "id": f"P{i:06d}",
            "age": int(rng.integers(18, 91)),
            "zip": f"31{int(rng.integers(0, 40)):02d}{int(rng.integers(0, 100)):02d}",
            "sex": str(rng.choice(["F", "M"])),
            "diagnosis": str(rng.choice(["flu", "cold", "covid", "asthma"])),
            "visits": int(rng.integers(0, 9)),
        }
        for i in range(n)
    ]


SYNTH_SCHEMA = _schema(
    ("id", ColumnType.STRING, ID),
    ("age", ColumnType.INTEGER, QI),
    ("zip", ColumnType.STRING, QI),
    ("sex", ColumnType.STRING, QI),
    ("diagnosis", ColumnType.STRING, SA),
    ("visits", ColumnType.INTEGER, PersonalDataRole.NONE),
)


def test_generalisation_reaches_k5_l2_on_a_synthetic_table() -> None:
    rows = _synthetic(500, seed=7)
    release = release_rows(rows, SYNTH_SCHEMA, grant_id="g-1", secret=SECRET)
    assert not release.before.ok
    assert release.after.ok
    assert release.after.min_class_size >= 5
    assert release.after.min_diversity["diagnosis"] >= 2
    assert release.suppressed <= 0.05 * len(rows)
    assert len(release.rows) == len(rows) - release.suppressed
    # what was done is reported, and the rows carry exactly that
    assert set(release.levels) == {"age", "zip", "sex"}
    assert any(level > 0 for level in release.levels.values())
    recheck = check_anonymity(release.rows, ["age", "zip", "sex"], ["diagnosis"], k=5, l=2)
    assert recheck.ok
    assert all(r["id"].startswith(PSEUDONYM_PREFIX) for r in release.rows)
    assert {r["visits"] for r in release.rows} <= {r["visits"] for r in rows}
    summary = release.summary()
    assert summary["suppressed"] == release.suppressed
    assert [g["column"] for g in summary["generalisations"]] == ["age", "zip", "sex"]
    # deterministic: the same table gives the same release
    again = release_rows(rows, SYNTH_SCHEMA, grant_id="g-1", secret=SECRET)
    assert again.rows == release.rows
    assert again.levels == release.levels


def test_the_column_with_most_distinct_values_is_generalised_first() -> None:
    rows = [{"age": 20 + i % 40, "sex": "FM"[i % 2]} for i in range(80)]
    schema = _schema(("age", ColumnType.INTEGER, QI), ("sex", ColumnType.STRING, QI))
    out = anonymise(rows, schema, AnonymityPolicy(k=5, l=1))
    assert out.ok
    assert out.levels["sex"] == 0  # age (40 values) is coarsened; sex (2 values) is left alone
    assert out.levels["age"] >= 1


def test_a_few_outliers_are_suppressed_without_generalising() -> None:
    rows = [{"age": 40 + i % 4, "d": "ab"[(i // 4) % 2]} for i in range(96)]
    rows += [{"age": 90 + i, "d": "a"} for i in range(4)]  # four unique, rare people
    schema = _schema(("age", ColumnType.INTEGER, QI), ("d", ColumnType.STRING, SA))
    out = anonymise(rows, schema, AnonymityPolicy(k=5, l=2, max_suppression=0.05))
    assert out.ok
    assert out.suppressed == 4
    assert out.levels == {"age": 0}
    assert all(r["age"] < 90 for r in out.rows)
    # with a stricter suppression limit the age is generalised instead
    strict = anonymise(rows, schema, AnonymityPolicy(k=5, l=2, max_suppression=0.0))
    assert strict.ok
    assert strict.suppressed == 0
    assert strict.levels["age"] > 0


def test_release_is_refused_when_l_cannot_be_reached() -> None:
    rows = [{"age": 30 + i, "d": "hiv"} for i in range(50)]  # everyone shares the value
    schema = _schema(("age", ColumnType.INTEGER, QI), ("d", ColumnType.STRING, SA))
    out = anonymise(rows, schema, AnonymityPolicy())
    assert not out.ok
    assert out.rows == []
    # every level was tried: widths 5, 10, 50, 100 for ages 30..79, then "*"
    assert out.levels == {"age": 5}
    assert "fully generalised" in out.reason
    with pytest.raises(AnonymityRefused) as info:
        release_rows(rows, schema, grant_id="g-2", secret=SECRET)
    err = info.value
    assert isinstance(err, PermissionDenied)
    assert "g-2" in err.message
    assert "l=2" in err.message_zh
    assert {e.location for e in err.errors} >= {"min_class_size", "violating_rows"}


def test_too_few_rows_are_refused_and_values_are_not_disclosed() -> None:
    rows = [{"age": 97, "zip": "310115"}, {"age": 98, "zip": "310116"}]
    schema = _schema(("age", ColumnType.INTEGER, QI), ("zip", ColumnType.STRING, QI))
    with pytest.raises(AnonymityRefused) as info:
        release_rows(rows, schema, grant_id="g", secret=SECRET)
    text = str(info.value) + info.value.message_zh + repr(info.value.errors)
    assert "310115" not in text
    assert "97" not in text


def test_without_generalisation_a_failing_table_is_refused() -> None:
    rows = [{"age": 30 + i % 10} for i in range(20)]  # one level would fix it (see above)
    schema = _schema(("age", ColumnType.INTEGER, QI))
    with pytest.raises(AnonymityRefused, match="generalisation was not allowed"):
        release_rows(rows, schema, grant_id="g", secret=SECRET, generalise=False)
    ok = release_rows(rows, schema, grant_id="g", secret=SECRET, k=2, generalise=False)
    assert ok.levels == {"age": 0}
    assert ok.rows == rows


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        AnonymityPolicy(k=0)
    with pytest.raises(ValueError, match="max_suppression"):
        AnonymityPolicy(max_suppression=1.5)
