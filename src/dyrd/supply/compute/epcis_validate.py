"""EPCIS 2.0 document validation: the official JSON Schema, then the rules it cannot express.

Pure: the caller hands in the parsed schema and the GS1 JSON-LD context (see ``adapters``), so no
file or network access happens here. Every violation names the failing part by a JSON pointer
(RFC 6901) into the submitted document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_PREFIXED_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*):[^/]")
# Keys of the standard that hold a list of events (EPCISDocument / EPCISQueryDocument).
_EVENT_LISTS = (
    ("epcisBody", "eventList"),
    ("epcisBody", "queryResults", "resultsBody", "eventList"),
)
_IO_LISTS = ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a document is refused: where (JSON pointer) and what, in English and Chinese."""

    pointer: str
    message: str
    message_zh: str

    def as_dict(self) -> dict[str, str]:
        """JSON form used by the CLI and the API problem bodies."""
        return {"pointer": self.pointer, "message": self.message, "message_zh": self.message_zh}


def pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 JSON pointer of a path (``~`` and ``/`` escaped)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class SchemaHolder:
    """The official schema with its compiled validator (built once, reused for every document).

    ``$ref`` in the official single-file schema are all internal (``#/definitions/...``), so the
    validator resolves them within the document and never fetches anything.
    """

    def __init__(self, schema: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        self.schema = schema
        self.validator = Draft7Validator(schema)
        terms = context.get("@context", context)
        self.prefixes = frozenset(
            k
            for k, v in (terms.items() if isinstance(terms, Mapping) else ())
            if isinstance(v, str) and not k.startswith("@")
        )


def _leaf(error: ValidationError) -> ValidationError:
    """The most specific error under an anyOf/oneOf/allOf branch failure."""
    while error.context:
        nested = best_match(error.context)
        if nested is None or nested is error:
            break
        error = nested
    return error


def schema_violations(document: Any, holder: SchemaHolder) -> list[Violation]:
    """Violations of the official JSON Schema, one per failing location."""
    out: dict[str, Violation] = {}
    for error in holder.validator.iter_errors(document):
        leaf = _leaf(error)
        path: list[str | int] = list(leaf.absolute_path)
        missing = _REQUIRED.match(leaf.message) if leaf.validator == "required" else None
        if missing:
            # Point at the missing member itself rather than at the object lacking it.
            path.append(missing.group(1))
        where = pointer(path)
        if where not in out:
            text = leaf.message[:300]
            out[where] = Violation(
                where, f"schema: {text}", f"不符合 EPCIS 2.0 JSON Schema：{text}"
            )
    return sorted(out.values(), key=lambda v: v.pointer)


def event_lists(document: Any) -> Iterator[tuple[tuple[str, ...], list[Any]]]:
    """The event list(s) of an EPCISDocument or EPCISQueryDocument, with their path."""
    if not isinstance(document, Mapping):
        return
    for path in _EVENT_LISTS:
        node: Any = document
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, list):
            yield path, node


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _declared_prefixes(context: Any, into: set[str]) -> None:
    if isinstance(context, list):
        for item in context:
            _declared_prefixes(item, into)
    elif isinstance(context, Mapping):
        into.update(k for k in context if not k.startswith("@"))


def _undeclared(node: Any, where: list[str | int], known: frozenset[str]) -> Iterator[Violation]:
    """Extension keys (``prefix:name``) whose prefix no @context declares (JSON-LD drops them)."""
    if isinstance(node, Mapping):
        local = set(known)
        if "@context" in node:
            _declared_prefixes(node["@context"], local)
        frozen = frozenset(local)
        for key, value in node.items():
            match = _PREFIXED_KEY.match(key)
            if match and match.group(1) not in frozen and not key.startswith(("http:", "https:")):
                yield Violation(
                    pointer([*where, key]),
                    f"extension prefix {match.group(1)!r} is not declared in @context",
                    f"扩展字段前缀 {match.group(1)} 未在 @context 中声明",
                )
            if key != "@context":
                yield from _undeclared(value, [*where, key], frozen)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _undeclared(item, [*where, i], known)


def _event_rules(event: Mapping[str, Any], at: list[str | int]) -> Iterator[Violation]:
    """Rules of EPCIS 2.0 section 7 that the JSON Schema leaves out."""
    kind = event.get("type")
    if _parse_time(event.get("eventTime")) is None:
        yield Violation(
            pointer([*at, "eventTime"]),
            "eventTime must be an RFC 3339 date-time with a time-zone offset",
            "eventTime 必须是带时区偏移的 RFC 3339 时间",
        )
    # Section 7.4.3: parentID is required in an AggregationEvent whose action is ADD or DELETE.
    adds_or_deletes = event.get("action") in ("ADD", "DELETE")
    if kind == "AggregationEvent" and adds_or_deletes and not event.get("parentID"):
        yield Violation(
            pointer([*at, "parentID"]),
            "an AggregationEvent with action ADD or DELETE needs parentID",
            "动作为 ADD 或 DELETE 的聚合事件必须给出 parentID",
        )
    # Section 7.4.2: an ObjectEvent names at least one EPC or one quantity element.
    if kind == "ObjectEvent" and not event.get("epcList") and not event.get("quantityList"):
        yield Violation(
            pointer(at),
            "an ObjectEvent needs a non-empty epcList or quantityList",
            "对象事件必须给出 epcList 或 quantityList",
        )
    # Section 7.4.6: a TransformationEvent has at least one input or one output.
    if kind == "TransformationEvent" and not any(event.get(k) for k in _IO_LISTS):
        yield Violation(
            pointer(at),
            "a TransformationEvent needs at least one input or output",
            "转换事件至少要有一个输入或输出",
        )
    error = event.get("errorDeclaration")
    if isinstance(error, Mapping) and _parse_time(error.get("declarationTime")) is None:
        yield Violation(
            pointer([*at, "errorDeclaration", "declarationTime"]),
            "declarationTime must be an RFC 3339 date-time with a time-zone offset",
            "declarationTime 必须是带时区偏移的 RFC 3339 时间",
        )
    yield from _sensor_rules(event, at)


def _sensor_rules(event: Mapping[str, Any], at: list[str | int]) -> Iterator[Violation]:
    elements = event.get("sensorElementList")
    if not isinstance(elements, list):
        return
    for i, element in enumerate(elements):
        reports = element.get("sensorReport") if isinstance(element, Mapping) else None
        for j, report in enumerate(reports if isinstance(reports, list) else []):
            if not isinstance(report, Mapping):
                continue
            low, high = report.get("minValue"), report.get("maxValue")
            if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                yield Violation(
                    pointer([*at, "sensorElementList", i, "sensorReport", j, "minValue"]),
                    "minValue exceeds maxValue",
                    "minValue 大于 maxValue",
                )


def semantic_violations(document: Any, holder: SchemaHolder) -> list[Violation]:
    """Rules of the standard the schema cannot express (run after the schema passed)."""
    out: list[Violation] = list(_undeclared(document, [], holder.prefixes))
    seen: dict[str, str] = {}
    for path, events in event_lists(document):
        for i, event in enumerate(events):
            at: list[str | int] = [*path, i]
            if not isinstance(event, Mapping):
                continue
            out.extend(_event_rules(event, at))
            event_id = event.get("eventID")
            if isinstance(event_id, str):
                if event_id in seen:
                    out.append(
                        Violation(
                            pointer([*at, "eventID"]),
                            f"eventID repeats the one at {seen[event_id]}",
                            f"eventID 与 {seen[event_id]} 重复",
                        )
                    )
                else:
                    seen[event_id] = pointer([*at, "eventID"])
    return out


def validate(document: Any, holder: SchemaHolder) -> list[Violation]:
    """All violations of a parsed document: schema first; the semantic rules only once it passes."""
    found = schema_violations(document, holder)
    if found:
        return found
    return semantic_violations(document, holder)


def validate_many(documents: Sequence[Any], holder: SchemaHolder) -> list[list[Violation]]:
    """``validate`` for several documents."""
    return [validate(d, holder) for d in documents]
