"""CertLogic expressions compiled once into Python closures, for expressions evaluated often.

``certlogic.evaluate`` walks the JSON tree on every call: it re-checks each node's shape, looks
the operation up and dispatches through a chain of comparisons. A checkpoint applies the same
few policy requirements to every code it sees, so ``compile_expression`` does that walk once and
returns a function of the data context. The closures call the interpreter's own helpers
(``_var``, ``_compare``, ``_strict_equal``, ``plus_time``, ``parse_date_time``, ``is_truthy``) and
make its run-time checks in the same order, so a compiled expression returns what
``evaluate`` returns and raises ``CertLogicError`` where it raises.

Only expressions ``certlogic.validate`` accepts are compiled (its checks are the interpreter's
static ones: known operations, operand arrays, arities, depth); anything else gets a closure
that calls the interpreter, which then reports the problem exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dyrd.healthcode.compute import certlogic
from dyrd.healthcode.compute.certlogic import (
    COMPARISONS,
    DATE_COMPARISONS,
    TIME_UNITS,
    CertLogicError,
    is_truthy,
)

Compiled = Callable[[Any], Any]
"""A compiled expression: the data context in, the expression's value out."""

# The interpreter's helpers: one implementation of each operation's semantics.
_var = certlogic._var
_compare = certlogic._compare
_strict_equal = certlogic._strict_equal
_extract_from_uvci = certlogic._extract_from_uvci
_is_int = certlogic._is_int


def compile_expression(expr: Any) -> Compiled:
    """A function computing ``certlogic.evaluate(expr, data)`` for any ``data``."""
    if certlogic.validate(expr):
        return lambda data: certlogic.evaluate(expr, data)
    return _compile(expr)


def _constant(value: Any) -> Compiled:
    return lambda _data: value


def _compile(expr: Any) -> Compiled:  # noqa: PLR0911  # one branch per operation
    if isinstance(expr, str | bool) or _is_int(expr):
        return _constant(expr)
    if isinstance(expr, list):
        items = [_compile(item) for item in expr]
        return lambda data: [item(data) for item in items]
    # validate() passed: a one-key mapping naming a known operation with an operand array.
    assert isinstance(expr, Mapping)  # noqa: S101  # guaranteed by validate()
    (op,) = expr.keys()
    if op == "var":
        return _compile_var(expr[op])
    args = [_compile(a) for a in expr[op]]
    if op == "if":
        guard, then, otherwise = args
        return lambda data: then(data) if is_truthy(guard(data)) else otherwise(data)
    if op == "and":
        return _and(args)
    if op == "!":
        (only,) = args
        return lambda data: not is_truthy(only(data))
    if op == "reduce":
        return _reduce(*args)
    if op in COMPARISONS or op in DATE_COMPARISONS:
        return lambda data: _compare(op, [a(data) for a in args])
    return _values_operation(op, args)


def _compile_var(path: Any) -> Compiled:
    """``_var(path, data)`` with the path split once; plain dicts are walked directly."""
    if _is_int(path):
        path = str(path)
    if not isinstance(path, str) or path == "":
        return lambda data: _var(path, data)
    fragments = tuple(path.split("."))

    def run(data: Any) -> Any:  # certlogic._var's walk, step for step
        current = data
        for fragment in fragments:
            if type(current) is dict or isinstance(current, Mapping):
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

    return run


def _and(args: list[Compiled]) -> Compiled:
    def run(data: Any) -> Any:
        value: Any = None
        for item in args:
            value = item(data)
            if not is_truthy(value):
                return value
        return value

    return run


def _reduce(operand_of: Compiled, step: Compiled, initial: Compiled) -> Compiled:
    def run(data: Any) -> Any:
        operand, accumulator = operand_of(data), initial(data)
        if operand is None:
            return accumulator
        if not isinstance(operand, list):
            raise CertLogicError("reduce operates on an array")
        for current in operand:
            accumulator = step({"current": current, "accumulator": accumulator})
        return accumulator

    return run


def _values_operation(op: str, args: list[Compiled]) -> Compiled:
    """Operations that evaluate every operand first (validate() checked their arities)."""
    if op == "===":
        left, right = args
        return lambda data: _strict_equal(left(data), right(data))
    if op == "!==":
        left, right = args
        return lambda data: not _strict_equal(left(data), right(data))
    if op == "in":
        needle, haystack = args

        def run_in(data: Any) -> bool:
            value, values = needle(data), haystack(data)
            if not isinstance(values, list):
                raise CertLogicError("the second operand of 'in' must be an array")
            return any(_strict_equal(value, v) for v in values)

        return run_in
    if op == "+":
        left, right = args

        def run_plus(data: Any) -> Any:
            a, b = left(data), right(data)
            if not (_is_int(a) and _is_int(b)):
                raise CertLogicError("+ adds integers only")
            return a + b

        return run_plus
    if op == "plusTime":
        start, amount, unit = args

        def run_plus_time(data: Any) -> Any:
            s, n, u = start(data), amount(data), unit(data)
            if not _is_int(n) or u not in TIME_UNITS:
                raise CertLogicError("plusTime takes [date-time, integer, year|month|day|hour]")
            return certlogic.plus_time(certlogic.parse_date_time(s), n, u)

        return run_plus_time
    value, index = args  # extractFromUVCI, the only operation left
    return lambda data: _extract_from_uvci(value(data), index(data))
