"""Differences between metadata snapshots and between two uploads of rows.

A metadata diff maps each changed field to ``{"old": ..., "new": ...}``; for list fields it also
names what was ``added`` and ``removed``, and for the column schema which columns were added,
removed or changed (and how). ``apply_diff(old, diff(old, new)) == new`` always holds.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Change = dict[str, Any]


def _listy(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _column_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value)


def _column_detail(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> Change:
    before = {c["name"]: c for c in old}
    after = {c["name"]: c for c in new}
    changed: dict[str, dict[str, Change]] = {}
    for name in before.keys() & after.keys():
        fields = {
            k: {"old": before[name].get(k), "new": after[name].get(k)}
            for k in sorted(before[name].keys() | after[name].keys())
            if before[name].get(k) != after[name].get(k)
        }
        if fields:
            changed[name] = fields
    return {
        "columns_added": [n for n in after if n not in before],
        "columns_removed": [n for n in before if n not in after],
        "columns_changed": dict(sorted(changed.items())),
    }


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Change]:
    """Changed fields of two snapshots; a key missing on one side counts as None."""
    out: dict[str, Change] = {}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change: Change = {"old": before, "new": after}
        if _listy(before or []) and _listy(after or []):
            b, a = list(before or []), list(after or [])
            change["added"] = [v for v in a if v not in b]
            change["removed"] = [v for v in b if v not in a]
        elif key == "columns" and _column_list(before or []) and _column_list(after or []):
            change.update(_column_detail(before or [], after or []))
        out[key] = change
    return out


def apply_diff(old: Mapping[str, Any], changes: Mapping[str, Change]) -> dict[str, Any]:
    """The snapshot ``changes`` turns ``old`` into (only ``old``/``new`` are used)."""
    out = dict(old)
    for key, change in changes.items():
        out[key] = change["new"]
    return out


def invert(changes: Mapping[str, Change]) -> dict[str, Change]:
    """The diff that undoes ``changes`` (details recomputed, so it equals diff(new, old))."""
    before = {k: c["old"] for k, c in changes.items()}
    after = {k: c["new"] for k, c in changes.items()}
    return diff(after, before)


def summarise(changes: Mapping[str, Change]) -> tuple[str, str]:
    """A one-line English and Chinese summary naming the changed fields."""
    if not changes:
        return "No metadata change.", "元数据无变化。"
    names = ", ".join(changes)
    return f"Changed {names}.", f"修改了 {names}。"


def row_hash(row: Mapping[str, Any]) -> str:
    """A stable digest of one row (keys sorted), for comparing uploads."""
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class RowDiff:
    """How two uploads differ, counted in rows."""

    key: str | None
    added: int
    removed: int
    changed: int
    unchanged: int
    added_keys: list[Any]
    removed_keys: list[Any]
    changed_keys: list[Any]


def diff_rows(
    old: Iterable[Mapping[str, Any]],
    new: Iterable[Mapping[str, Any]],
    *,
    key: str | None = None,
    sample: int = 20,
) -> RowDiff:
    """Rows added, removed and changed between two uploads.

    With a ``key`` column (unique and required) rows are matched by key, so an edited row counts as
    changed; without one the uploads are compared as multisets of rows (an edit is one removal and
    one addition). Up to ``sample`` keys of each kind are listed.
    """
    if key is not None:
        before = {r.get(key): row_hash(r) for r in old}
        after = {r.get(key): row_hash(r) for r in new}
        added = [k for k in after if k not in before]
        removed = [k for k in before if k not in after]
        changed = [k for k in after if k in before and before[k] != after[k]]
        unchanged = len(after) - len(added) - len(changed)
        return RowDiff(
            key,
            len(added),
            len(removed),
            len(changed),
            unchanged,
            added[:sample],
            removed[:sample],
            changed[:sample],
        )
    b = Counter(row_hash(r) for r in old)
    a = Counter(row_hash(r) for r in new)
    return RowDiff(
        None,
        sum((a - b).values()),
        sum((b - a).values()),
        0,
        sum((a & b).values()),
        [],
        [],
        [],
    )
