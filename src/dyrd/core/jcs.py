"""Canonical JSON (RFC 8785, JCS) for signing, and the strict parser that goes with it.

A signature covers bytes, so a signed JSON document needs one byte form. JCS gives it: object
members sorted by their UTF-16 code units, no insignificant whitespace, UTF-8, strings escaped as
ECMAScript's ``JSON.stringify`` does. This module implements the subset without floating-point
numbers: every number the platform signs is an integer within ±(2**53 - 1), where JCS numbers are
just their decimal digits. A float, NaN, a duplicate member name or a lone surrogate is refused
rather than given a second, library-dependent byte form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer every JSON implementation reads exactly (RFC 8785 §3.2.2.3, I-JSON RFC 7493)."""

MAX_DEPTH = 32
"""Deepest nesting accepted; signed documents here are a few levels deep."""


class CanonicalJsonError(ValueError):
    """A value that has no canonical form here, or bytes that are not strict JSON."""


def canonical(value: object) -> bytes:
    """The JCS bytes of ``value`` (dicts, lists, str, int, bool, None)."""
    parts: list[str] = []
    _encode(value, parts, 0)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate cannot be UTF-8
        raise CanonicalJsonError("a string holds a lone surrogate") from exc


def _utf16_key(name: str) -> bytes:
    # RFC 8785 §3.2.3: sort by UTF-16 code units, which differs from code points above U+FFFF.
    return name.encode("utf-16-be", "surrogatepass")


def _scalar(value: object) -> str | None:
    """The JCS text of a scalar, or None when ``value`` is a container."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJsonError(f"integer {value} is beyond ±(2**53 - 1)")
        return str(int(value))
    if isinstance(value, float):
        raise CanonicalJsonError("floating-point numbers are not signed here; use integers")
    if isinstance(value, str):
        # With ensure_ascii=False, json escapes exactly what JSON.stringify does: '"', '\\',
        # \b \f \n \r \t, and other controls as lower-case \u00xx; everything else is literal.
        return json.dumps(value, ensure_ascii=False)
    return None


def _encode(value: object, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJsonError(f"nested deeper than {MAX_DEPTH} levels")
    text = _scalar(value)
    if text is not None:
        out.append(text)
    elif isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise CanonicalJsonError("object member names must be strings")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            out.append("," if i else "")
            out.append(json.dumps(key, ensure_ascii=False) + ":")
            _encode(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, item in enumerate(value):
            out.append("," if i else "")
            _encode(item, out, depth + 1)
        out.append("]")
    else:
        raise CanonicalJsonError(f"{type(value).__name__} has no JSON form")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CanonicalJsonError(f"duplicate member name {key!r}")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise CanonicalJsonError(f"floating-point number {text} is not accepted")


def _check_integers(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJsonError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJsonError(f"integer {value} is beyond ±(2**53 - 1)")
    elif isinstance(value, dict):
        for item in value.values():
            _check_integers(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_integers(item, depth + 1)


def parse_strict(data: bytes) -> Any:
    """Parse UTF-8 JSON, refusing what could read differently elsewhere.

    Refused: invalid UTF-8 or a byte-order mark, duplicate member names, floats, NaN and
    Infinity, integers beyond ±(2**53 - 1), nesting deeper than MAX_DEPTH.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJsonError("not UTF-8") from exc
    if text.startswith("\ufeff"):
        raise CanonicalJsonError("starts with a byte-order mark")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_float,
        )
    except RecursionError as exc:
        raise CanonicalJsonError("nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise CanonicalJsonError(f"not JSON: {exc.msg} at line {exc.lineno}") from exc
    _check_integers(value)
    return value
