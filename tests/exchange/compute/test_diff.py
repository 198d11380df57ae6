"""Metadata diffs and row diffs (pure)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dyrd.exchange.compute.diff import apply_diff, diff, diff_rows, invert, summarise

KEYS = ("title_zh", "keywords", "frequency", "temporal_start", "columns")
SCALARS = st.one_of(st.none(), st.text(max_size=5), st.integers(-3, 3), st.booleans())
COLUMN = st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "c"]), "type": st.sampled_from(["string", "integer"])}
)
VALUES = st.one_of(SCALARS, st.lists(st.text(max_size=3), max_size=4), st.lists(COLUMN, max_size=3))
SNAPSHOTS = st.fixed_dictionaries(dict.fromkeys(KEYS, VALUES))


@given(SNAPSHOTS, SNAPSHOTS)
def test_applying_a_diff_gives_the_new_snapshot(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert apply_diff(a, diff(a, b)) == b


@given(SNAPSHOTS, SNAPSHOTS)
def test_the_inverse_diff_restores_the_old_snapshot(a: dict[str, Any], b: dict[str, Any]) -> None:
    forward = diff(a, b)
    assert invert(forward) == diff(b, a)
    assert apply_diff(b, invert(forward)) == a


@given(SNAPSHOTS)
def test_a_snapshot_has_no_diff_with_itself(a: dict[str, Any]) -> None:
    assert diff(a, a) == {}
    assert summarise({})[0] == "No metadata change."


def test_list_fields_name_added_and_removed_values() -> None:
    changes = diff({"keywords": ["信用", "企业"]}, {"keywords": ["企业", "credit"]})
    assert changes == {
        "keywords": {
            "old": ["信用", "企业"],
            "new": ["企业", "credit"],
            "added": ["credit"],
            "removed": ["信用"],
        }
    }


def test_column_changes_are_described_per_column() -> None:
    old = {"columns": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}]}
    new = {"columns": [{"name": "a", "type": "integer"}, {"name": "c", "type": "date"}]}
    change = diff(old, new)["columns"]
    assert change["columns_added"] == ["c"]
    assert change["columns_removed"] == ["b"]
    assert change["columns_changed"] == {"a": {"type": {"old": "string", "new": "integer"}}}


def test_missing_key_counts_as_none_and_summary_names_fields() -> None:
    changes = diff({"department": None}, {"department": "信用处", "title_en": "X"})
    assert set(changes) == {"department", "title_en"}
    en, zh = summarise(changes)
    assert "department" in en
    assert "title_en" in zh


def test_row_diff_by_key_counts_changes() -> None:
    old = [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}, {"k": 3, "v": "c"}]
    new = [{"k": 1, "v": "a"}, {"k": 2, "v": "B"}, {"k": 4, "v": "d"}]
    rd = diff_rows(old, new, key="k")
    assert (rd.added, rd.removed, rd.changed, rd.unchanged) == (1, 1, 1, 1)
    assert (rd.added_keys, rd.removed_keys, rd.changed_keys) == ([4], [3], [2])


def test_row_diff_without_key_compares_multisets() -> None:
    old = [{"v": 1}, {"v": 1}, {"v": 2}]
    new = [{"v": 1}, {"v": 3}]
    rd = diff_rows(old, new)
    assert (rd.added, rd.removed, rd.changed, rd.unchanged) == (1, 2, 0, 1)
