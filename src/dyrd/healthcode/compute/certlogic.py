"""A CertLogic evaluator: the JsonLogic subset of the EU DCC business rules, in pure Python.

Written from the CertLogic specification 1.3 (ehn-dcc-development/eu-dcc-business-rules,
``certlogic/specification/README.md``); no implementation was copied. What is supported:

=====================  ==========================================================================
``var``                data access by dotted path; integer fragments index arrays; missing: null
``if``                 ``[guard, then, else]``; the guard must be truthy or falsy
``===``                strict equality (no coercion), exactly 2 operands
``!==``                its negation (a JsonLogic operation the EU rules do not use; ours do)
``and``                2+ operands, returns the first falsy one or the last; short-circuits
``!``                  negation of a truthy or falsy operand
``<`` ``>`` ``<=``     integers only; binary, or ternary ``a op b op c``
``>=``
``in``                 membership in an array (an error on anything else)
``+``                  integer addition, exactly 2 operands
``plusTime``           ``[date-time string, integer, "year"|"month"|"day"|"hour"]``; the only way
                       to make a date-time; ``YYYY`` and ``YYYY-MM`` mean the last day of the
                       period (spec 1.3.0); no offset means UTC; milliseconds, rounded down
``before`` ``after``   date-time comparisons (binary or ternary)
``not-before``
``not-after``
``reduce``             ``[array, lambda, initial]``; the lambda sees ``current`` and ``accumulator``
``extractFromUVCI``    ``[string|null, index]``: a fragment of a UVCI split on ``/``, ``#``, ``:``
=====================  ==========================================================================

Not in CertLogic, hence refused as invalid: ``or``, ``==``, ``!=``, ``var`` with a default, object
and null literals, floats. Truthiness is CertLogic's: ``false``, ``null``, ``""``, ``0``, ``[]``
and ``{}`` are falsy; ``true``, non-empty strings and arrays, non-zero integers and non-empty
objects are truthy; date-times are neither (using one as a guard is an error).

``evaluate`` raises ``CertLogicError`` on an invalid expression or on operands of the wrong type;
callers evaluating a rule treat that as "the rule does not apply" (the specification's advice).
"""

from __future__ import annotations

import calendar
import itertools
import operator
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

COMPARISONS = frozenset({"<", ">", "<=", ">="})
DATE_COMPARISONS = frozenset({"before", "after", "not-before", "not-after"})
OPERATIONS = frozenset(
    {"var", "if", "===", "!==", "and", "!", "in", "+", "plusTime", "reduce", "extractFromUVCI"}
    | COMPARISONS
    | DATE_COMPARISONS
)
TIME_UNITS = frozenset({"year", "month", "day", "hour"})
MAX_DEPTH = 64
"""Deepest expression accepted: rules are data from other nodes, so recursion is bounded."""

_DATE_TIME = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(?:\.(?P<f>\d+))?"
    r"(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?)?)?)?$"
)


class CertLogicError(ValueError):
    """An invalid CertLogic expression, or operands of the wrong type for an operation."""


def is_truthy(value: Any) -> bool:
    """CertLogic truthiness; CertLogicError for values that are neither truthy nor falsy."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str | list | dict):
        return len(value) > 0
    raise CertLogicError(f"{type(value).__name__} is neither truthy nor falsy")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_date_time(text: Any) -> datetime:
    """A CertLogic date(-time) string as an aware UTC datetime, in whole milliseconds."""
    if not isinstance(text, str):
        raise CertLogicError(f"plusTime needs a date-time string, not {type(text).__name__}")
    match = _DATE_TIME.match(text)
    if match is None:
        raise CertLogicError(f"not a CertLogic date-time: {text[:40]!r}")
    g = match.groupdict()
    year = int(g["y"])
    try:
        if g["m"] is None:  # YYYY: the last day of the year (spec 1.3.0)
            return datetime(year, 12, 31, tzinfo=UTC)
        month = int(g["m"])
        if g["d"] is None:  # YYYY-MM: the last day of the month
            return datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC)
        day = int(g["d"])
        if g["H"] is None:
            return datetime(year, month, day, tzinfo=UTC)
        millis = int((g["f"] or "0")[:3].ljust(3, "0"))
        local = datetime(
            year, month, day, int(g["H"]), int(g["M"]), int(g["S"]), millis * 1000,
            tzinfo=_offset(g["tz"]),
        )  # fmt: skip
    except ValueError as exc:
        raise CertLogicError(f"not a calendar date-time: {text[:40]!r}") from exc
    return local.astimezone(UTC)


def _offset(tz: str | None) -> timezone:
    if tz is None or tz == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    body = tz[1:].replace(":", "")
    if len(body) <= 2:
        hours, minutes = int(body), 0
    else:
        hours, minutes = int(body[:-2]), int(body[-2:])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def plus_time(start: datetime, amount: int, unit: str) -> datetime:
    """``start`` moved by ``amount`` units; months and years keep the day, clamped to the month."""
    if unit == "hour":
        return start + timedelta(hours=amount)
    if unit == "day":
        return start + timedelta(days=amount)
    months = amount * (12 if unit == "year" else 1)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise CertLogicError("plusTime leaves the representable years")
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _args(expr: Mapping[str, Any], op: str) -> list[Any]:
    args = expr[op]
    if not isinstance(args, list):
        raise CertLogicError(f"operation {op!r} needs an array of operands")
    return args


def _var(path: Any, data: Any) -> Any:
    if _is_int(path):
        path = str(path)
    if not isinstance(path, str):
        raise CertLogicError("var takes a path string (a default value is not allowed)")
    if path == "":
        return data
    current = data
    for fragment in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(fragment)
        elif isinstance(current, Sequence) and not isinstance(current, str):
            if not fragment.isdigit():
                return None
            index = int(fragment)
            current = current[index] if index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def _compare(op: str, values: list[Any]) -> bool:
    pairs = list(itertools.pairwise(values))
    if op in COMPARISONS:
        if not all(_is_int(v) for v in values):
            raise CertLogicError(f"{op!r} compares integers only")
    elif not all(isinstance(v, datetime) for v in values):
        raise CertLogicError(f"{op!r} compares date-times (made with plusTime) only")
    checks = {
        "<": operator.lt,
        "before": operator.lt,
        ">": operator.gt,
        "after": operator.gt,
        "<=": operator.le,
        "not-after": operator.le,
        ">=": operator.ge,
        "not-before": operator.ge,
    }[op]
    return all(checks(a, b) for a, b in pairs)


def _extract_from_uvci(value: Any, index: Any) -> str | None:
    if not _is_int(index):
        raise CertLogicError("extractFromUVCI takes an integer index")
    if value is None:
        return None
    if not isinstance(value, str):
        raise CertLogicError("extractFromUVCI takes a string or null")
    text = value[len("URN:UVCI:") :] if value.startswith("URN:UVCI:") else value
    fragments = re.split(r"[/#:]", text)
    return fragments[index] if 0 <= index < len(fragments) else None


def evaluate(expr: Any, data: Any, *, _depth: int = 0) -> Any:  # noqa: PLR0911, PLR0912, PLR0915  # one branch per operation of the specification
    """The value of CertLogic expression ``expr`` on data context ``data``."""
    if _depth > MAX_DEPTH:
        raise CertLogicError(f"expression nested deeper than {MAX_DEPTH}")
    if isinstance(expr, str | bool) or _is_int(expr):
        return expr
    if isinstance(expr, list):
        return [evaluate(item, data, _depth=_depth + 1) for item in expr]
    if not isinstance(expr, Mapping) or len(expr) != 1:
        raise CertLogicError(f"not a CertLogic expression: {type(expr).__name__}")
    (op,) = expr.keys()
    if op == "var":
        return _var(expr[op], data)
    if op not in OPERATIONS:
        raise CertLogicError(f"unknown or disallowed operation {op!r}")
    args = _args(expr, op)
    depth = _depth + 1

    def ev(item: Any, context: Any = data) -> Any:
        return evaluate(item, context, _depth=depth)

    if op == "if":
        if len(args) != 3:
            raise CertLogicError("if takes [guard, then, else]")
        return ev(args[1]) if is_truthy(ev(args[0])) else ev(args[2])
    if op == "and":
        if len(args) < 2:
            raise CertLogicError("and takes at least 2 operands")
        value: Any = None
        for item in args:
            value = ev(item)
            if not is_truthy(value):
                return value
        return value
    if op == "!":
        if len(args) != 1:
            raise CertLogicError("! takes 1 operand")
        return not is_truthy(ev(args[0]))
    if op == "reduce":
        if len(args) != 3:
            raise CertLogicError("reduce takes [operand, lambda, initial]")
        operand, accumulator = ev(args[0]), ev(args[2])
        if operand is None:
            return accumulator
        if not isinstance(operand, list):
            raise CertLogicError("reduce operates on an array")
        for current in operand:
            accumulator = ev(args[1], {"current": current, "accumulator": accumulator})
        return accumulator
    if op in COMPARISONS or op in DATE_COMPARISONS:
        if len(args) not in (2, 3):
            raise CertLogicError(f"{op!r} takes 2 or 3 operands")
        return _compare(op, [ev(a) for a in args])
    values = [ev(a) for a in args]
    if op in ("===", "!==", "in", "+", "extractFromUVCI") and len(values) != 2:
        raise CertLogicError(f"{op!r} takes exactly 2 operands")
    if op == "===":
        return _strict_equal(values[0], values[1])
    if op == "!==":
        return not _strict_equal(values[0], values[1])
    if op == "in":
        if not isinstance(values[1], list):
            raise CertLogicError("the second operand of 'in' must be an array")
        return any(_strict_equal(values[0], v) for v in values[1])
    if op == "+":
        if not all(_is_int(v) for v in values):
            raise CertLogicError("+ adds integers only")
        return values[0] + values[1]
    if op == "plusTime":
        if len(values) != 3 or not _is_int(values[1]) or values[2] not in TIME_UNITS:
            raise CertLogicError("plusTime takes [date-time, integer, year|month|day|hour]")
        return plus_time(parse_date_time(values[0]), values[1], values[2])
    return _extract_from_uvci(values[0], values[1])  # the only operation left


def _strict_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return (type(a) is type(b) and bool(a == b)) or (a is None and b is None)


def validate(expr: Any, *, path: str = "logic", _depth: int = 0) -> list[str]:  # noqa: PLR0911
    """Static problems of an expression (unknown operations, wrong arity, bad literals)."""
    if _depth > MAX_DEPTH:
        return [f"{path}: nested deeper than {MAX_DEPTH}"]
    if isinstance(expr, str | bool) or _is_int(expr):
        return []
    if isinstance(expr, list):
        return [
            p
            for i, item in enumerate(expr)
            for p in validate(item, path=f"{path}[{i}]", _depth=_depth + 1)
        ]
    if isinstance(expr, float):
        return [f"{path}: floats are not CertLogic literals; use integers"]
    if expr is None:
        return [f"{path}: null is not a CertLogic literal"]
    if not isinstance(expr, Mapping) or len(expr) != 1:
        return [f"{path}: an operation is an object with exactly one key"]
    (op,) = expr.keys()
    if op == "var":
        ok = isinstance(expr[op], str) or _is_int(expr[op])
        return [] if ok else [f"{path}.var: a path string (no default value)"]
    if op not in OPERATIONS:
        return [f"{path}: unknown or disallowed operation {op!r}"]
    args = expr[op]
    if not isinstance(args, list):
        return [f"{path}.{op}: operands must be an array"]
    arity = {
        "if": (3, 3), "===": (2, 2), "!==": (2, 2), "in": (2, 2), "+": (2, 2), "!": (1, 1),
        "plusTime": (3, 3), "reduce": (3, 3), "extractFromUVCI": (2, 2), "and": (2, 10_000),
    }.get(op, (2, 3))  # fmt: skip
    problems = []
    if not arity[0] <= len(args) <= arity[1]:
        problems.append(f"{path}.{op}: {len(args)} operand(s), expected {arity[0]}-{arity[1]}")
    if op == "plusTime" and len(args) == 3 and args[2] not in TIME_UNITS:
        problems.append(f"{path}.plusTime: unit must be year, month, day or hour")
    return problems + [
        p
        for i, item in enumerate(args)
        for p in validate(item, path=f"{path}.{op}[{i}]", _depth=_depth + 1)
    ]
