"""A JSON Schema subset compiled to Python closures: the DCC schemas checked in microseconds.

``jsonschema`` walks the schema on every call (references, validator objects), which costs more
than the ECDSA verification itself. The DCC combined schemas use only the keywords below, so they
are compiled once into nested functions that give the same yes/no answer as draft 2020-12 without
format assertion (tests check this against ``jsonschema`` on every vector, the upstream
conformance files and generated payloads). Anything else raises ``UnsupportedSchema`` and the
caller keeps ``jsonschema``. For messages, call ``jsonschema`` when this says no.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    {
        "$comment",
        "$id",
        "$schema",
        "$defs",
        "title",
        "description",
        "examples",
        "format",
        "valueset-uri",
    }
)
"""Keywords that never fail an instance here (``format`` is an annotation: no assertion)."""


class UnsupportedSchema(ValueError):
    """A schema using a keyword or reference this compiler does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


_TYPES: Mapping[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for f in checks:  # noqa: SIM110  # a plain loop is faster than all() over a generator
            if not f(value):
                return False
        return True

    return check


Build = Callable[[Any], Check]


def _type(arg: Any, build: Build) -> Check:
    tests = tuple(_TYPES[n] for n in ([arg] if isinstance(arg, str) else arg))
    return lambda v: any(f(v) for f in tests)


def _properties(arg: Any, build: Build) -> Check:
    props = tuple((name, build(sub)) for name, sub in arg.items())

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for key, f in props:  # noqa: SIM110  # faster than all() over a generator
            if key in v and not f(v[key]):
                return False
        return True

    return check


def _required(arg: Any, build: Build) -> Check:
    names = tuple(arg)
    return lambda v: not isinstance(v, dict) or all(k in v for k in names)


def _items(arg: Any, build: Build) -> Check:
    item = build(arg)
    return lambda v: not isinstance(v, list) or all(map(item, v))


def _min_items(arg: Any, build: Build) -> Check:
    return lambda v: not isinstance(v, list) or len(v) >= arg


def _max_items(arg: Any, build: Build) -> Check:
    return lambda v: not isinstance(v, list) or len(v) <= arg


def _max_length(arg: Any, build: Build) -> Check:
    return lambda v: not isinstance(v, str) or len(v) <= arg


def _minimum(arg: Any, build: Build) -> Check:
    return lambda v: not _is_number(v) or v >= arg


def _maximum(arg: Any, build: Build) -> Check:
    return lambda v: not _is_number(v) or v <= arg


def _pattern(arg: Any, build: Build) -> Check:
    search = re.compile(arg).search  # jsonschema also uses Python's re.search
    return lambda v: not isinstance(v, str) or search(v) is not None


def _any_of(arg: Any, build: Build) -> Check:
    options = tuple(build(sub) for sub in arg)
    return lambda v: any(f(v) for f in options)


def _one_of(arg: Any, build: Build) -> Check:
    options = tuple(build(sub) for sub in arg)
    return lambda v: sum(1 for f in options if f(v)) == 1


_KEYWORDS: Mapping[str, Callable[[Any, Build], Check]] = {
    "type": _type,
    "properties": _properties,
    "required": _required,
    "items": _items,
    "minItems": _min_items,
    "maxItems": _max_items,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "pattern": _pattern,
    "anyOf": _any_of,
    "oneOf": _one_of,
}


def compile_schema(root: Mapping[str, Any]) -> Check:
    """A function ``instance -> bool`` equivalent to validating against ``root``."""
    defs = root.get("$defs", {})
    compiled_refs: dict[str, Check] = {}

    def ref(target: Any) -> Check:
        if not isinstance(target, str) or not target.startswith("#/$defs/"):
            raise UnsupportedSchema(f"reference {target!r}")
        name = target.removeprefix("#/$defs/")
        if name not in defs:
            raise UnsupportedSchema(f"reference {target!r}")
        if name not in compiled_refs:
            holder: list[Check] = []
            # A recursive definition sees this forwarder; holder[0] does not exist yet.
            compiled_refs[name] = lambda v: holder[0](v)  # noqa: PLW0108
            holder.append(build(defs[name]))
            compiled_refs[name] = holder[0]
        return compiled_refs[name]

    def build(schema: Any) -> Check:
        if isinstance(schema, bool):
            return lambda v: schema
        if not isinstance(schema, Mapping):
            raise UnsupportedSchema(f"schema {schema!r}")
        checks: list[Check] = []
        for key, arg in schema.items():
            if key in ANNOTATIONS:
                continue
            if key == "$ref":
                checks.append(ref(arg))
            elif key in _KEYWORDS:
                checks.append(_KEYWORDS[key](arg, build))
            else:
                raise UnsupportedSchema(f"keyword {key!r}")
        return _all_of(tuple(checks)) if checks else (lambda v: True)

    return build(root)
