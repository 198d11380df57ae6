"""Record compilation: merge a contracting process's releases into its ``compiledRelease``.

Follows the OCDS 1.1 merging rules (standard.open-contracting.org/1.1/en/schema/merging/):
releases in date order; objects merge field by field; ``null`` removes a field; arrays of objects
that all carry an ``id`` merge item by item on that id; any other array, and any field marked
``wholeListMerge`` in the schema, is replaced as a whole; fields marked ``omitWhenMerged`` (the
release's ``id``, ``date`` and ``tag``) are dropped, and the compiled release gets
``tag = ["compiled"]``, the latest date and an ``id`` of ``<ocid>-<date>``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from dyrd.market.types import OcdsInputError


class _Rules:
    """Which schema paths are whole-list merged or omitted, read once from the release schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._definitions: Mapping[str, Any] = schema.get("definitions", {})
        self.root = schema

    def resolve(self, node: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        seen = 0
        while node is not None and "$ref" in node and seen < 16:
            ref = str(node["$ref"])
            if not ref.startswith("#/definitions/"):
                return None
            node = self._definitions.get(ref.removeprefix("#/definitions/"))
            seen += 1
        return node

    def child(self, node: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
        node = self.resolve(node)
        if node is None:
            return None
        props = node.get("properties", {})
        return self.resolve(props.get(key)) if key in props else None

    def items(self, node: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        node = self.resolve(node)
        if node is None:
            return None
        items = node.get("items")
        return self.resolve(items) if isinstance(items, Mapping) else None


def _identified(value: Sequence[Any]) -> bool:
    return bool(value) and all(isinstance(v, Mapping) and "id" in v for v in value)


def _merge(prior: Any, new: Any, node: Mapping[str, Any] | None, rules: _Rules) -> Any:
    if isinstance(new, Mapping):
        out: dict[str, Any] = dict(prior) if isinstance(prior, Mapping) else {}
        for key, value in new.items():
            child = rules.child(node, key)
            if value is None:
                out.pop(key, None)
            elif child is not None and child.get("omitWhenMerged"):
                continue
            else:
                out[key] = _merge(out.get(key), value, child, rules)
        return out
    if isinstance(new, list):
        whole = node is not None and bool(node.get("wholeListMerge"))
        if whole or not _identified(new):
            return _strip_nulls(copy.deepcopy(new))
        item_schema = rules.items(node)
        merged: dict[str, Any] = {}
        if isinstance(prior, list) and _identified(prior):
            merged = {str(item["id"]): item for item in prior}
        for item in new:
            key = str(item["id"])
            merged[key] = _merge(merged.get(key), item, item_schema, rules)
        return list(merged.values())
    return copy.deepcopy(new)


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def compile_release(
    releases: Sequence[Mapping[str, Any]], schema: Mapping[str, Any]
) -> dict[str, Any]:
    """The compiled release of ``releases`` (one ocid) under ``schema``'s merge rules."""
    if not releases:
        raise OcdsInputError("no releases to compile", "没有可合并的发布")
    ocids = {r.get("ocid") for r in releases}
    if len(ocids) != 1:
        raise OcdsInputError(
            f"releases of several contracting processes: {sorted(map(str, ocids))}",
            "发布属于多个采购过程（ocid 不同）",
        )
    for index, release in enumerate(releases):
        if not isinstance(release.get("date"), str):
            raise OcdsInputError(f"release {index} has no date", f"第 {index} 个发布缺少日期")
    rules = _Rules(schema)
    # Stable sort: releases with the same date keep their published order, as ocdsmerge does.
    ordered = sorted(releases, key=lambda r: str(r["date"]))
    compiled: dict[str, Any] = {}
    for release in ordered:
        compiled = _merge(compiled, release, rules.root, rules)
    ocid = str(ordered[-1]["ocid"])
    date = str(ordered[-1]["date"])
    return {"tag": ["compiled"], "id": f"{ocid}-{date}", "date": date, **compiled}


def compile_record(
    releases: Sequence[Mapping[str, Any]], schema: Mapping[str, Any]
) -> dict[str, Any]:
    """An OCDS record: the ocid, the releases themselves (embedded) and their compiled release."""
    compiled = compile_release(releases, schema)
    return {
        "ocid": compiled["ocid"],
        "releases": [copy.deepcopy(dict(r)) for r in releases],
        "compiledRelease": compiled,
    }
