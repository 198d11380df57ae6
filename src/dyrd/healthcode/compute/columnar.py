"""CertLogic compiled to polars expressions, so one rule set colours millions of residents at once.

A rule is compiled for the flat feature frame of ``dyrd.healthcode.compute.features`` (one column
per data-context path, e.g. ``risk.high_last``); ``external.*`` paths become constants. Each node
compiles to a value and an *error* mask: where the interpreter (``certlogic.evaluate``) would raise
(an integer comparison on null, ``plusTime`` on a missing date), the mask is true, and a rule is
taken to apply only where its value is truthy and no error occurred, exactly as
``colour.rule_applies`` treats the interpreter's errors. Operations with no columnar form
(``reduce``, ``extractFromUVCI``, ``in`` over a column, non-boolean uses of ``and``) raise
``NotCompilable``; the batch then evaluates that rule row by row with the interpreter.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from dyrd.healthcode.compute.certlogic import (
    COMPARISONS,
    DATE_COMPARISONS,
    CertLogicError,
    parse_date_time,
    plus_time,
)

INT, STR, BOOL, DATE, DATETIME, INSTANT, NULL = (
    "int", "str", "bool", "date", "datetime", "instant", "null",
)  # fmt: skip
"""Kinds of compiled values. DATE and DATETIME are columns the interpreter sees as date(-time)
strings; INSTANT is what plusTime makes (a CertLogic date-time), a UTC datetime in ms."""

_INSTANT_DTYPE = pl.Datetime("ms", "UTC")
_FALSE = pl.lit(False)


class NotCompilable(ValueError):
    """An expression (or a use of one) with no columnar form; evaluate it row by row."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled node: its value, where evaluating it would be an error, and its kind."""

    value: pl.Expr
    error: pl.Expr
    kind: str


def _literal(value: Any) -> Compiled:
    if isinstance(value, bool):
        return Compiled(pl.lit(value), _FALSE, BOOL)
    if isinstance(value, int):
        return Compiled(pl.lit(value, dtype=pl.Int64), _FALSE, INT)
    if isinstance(value, str):
        return Compiled(pl.lit(value, dtype=pl.String), _FALSE, STR)
    if value is None:
        return Compiled(pl.lit(None), _FALSE, NULL)
    raise NotCompilable(f"no columnar constant for {type(value).__name__}")


def truthy(node: Compiled) -> tuple[pl.Expr, pl.Expr]:
    """(CertLogic truthiness as a boolean without nulls, the error mask)."""
    v = node.value
    if node.kind == BOOL:
        return v.fill_null(False), node.error
    if node.kind == INT:
        return (v != 0).fill_null(False), node.error
    if node.kind == STR:
        return (v.str.len_chars() > 0).fill_null(False), node.error
    if node.kind in (DATE, DATETIME):  # date strings: truthy when present (never empty)
        return v.is_not_null(), node.error
    if node.kind == NULL:
        return _FALSE, node.error
    # A date-time is neither truthy nor falsy: an error wherever it is not null.
    return _FALSE, node.error | v.is_not_null()


def _any(*masks: pl.Expr) -> pl.Expr:
    out = masks[0]
    for m in masks[1:]:
        out = out | m
    return out


class Compiler:
    """Compiles expressions against a frame schema (column path -> kind) and external constants."""

    def __init__(self, schema: Mapping[str, str], external: Mapping[str, Any]) -> None:
        self.schema = schema
        self.external = external

    def boolean(self, expr: Any) -> pl.Expr:
        """True where the rule applies: truthy, and evaluating it raised no error."""
        node = self.compile(expr, truthy_context=True)
        value, error = truthy(node)
        return value & ~error

    def compile(self, expr: Any, *, truthy_context: bool = False) -> Compiled:  # noqa: PLR0911, PLR0912
        """A compiled node for ``expr``."""
        if isinstance(expr, bool | int | str):
            return _literal(expr)
        if not isinstance(expr, Mapping) or len(expr) != 1:
            raise NotCompilable("only operations and scalar literals compile")
        (op,) = expr.keys()
        if op == "var":
            return self._var(expr[op])
        args = expr[op]
        if not isinstance(args, list):
            raise CertLogicError(f"operation {op!r} needs an array of operands")
        if op == "and":
            if not truthy_context:
                raise NotCompilable("'and' compiles only where its truthiness is used")
            return self._and(args)
        if op == "if":
            return self._if(args, truthy_context)
        if op == "!":
            value, error = truthy(self.compile(args[0], truthy_context=True))
            return Compiled(~value, error, BOOL)
        if op in ("===", "!=="):
            return self._equal(op, args)
        if op in COMPARISONS or op in DATE_COMPARISONS:
            return self._compare(op, args)
        if op == "in":
            return self._in(args)
        if op == "+":
            a, b = (self.compile(x) for x in args)
            if a.kind not in (INT, NULL) or b.kind not in (INT, NULL):
                raise NotCompilable("+ on non-integer columns")
            err = _any(a.error, b.error, a.value.is_null(), b.value.is_null())
            return Compiled(a.value + b.value, err, INT)
        if op == "plusTime":
            return self._plus_time(args)
        raise NotCompilable(f"{op!r} has no columnar form")

    def _var(self, path: Any) -> Compiled:
        if not isinstance(path, str):
            raise NotCompilable("var with a non-string path")
        if path.startswith("external."):
            return self._constant(self.external.get(path.removeprefix("external.")))
        kind = self.schema.get(path)
        if kind is None:
            if any(p.startswith(path + ".") for p in self.schema) or path == "":
                raise NotCompilable(f"var {path!r} names an object, not a column")
            return _literal(None)  # a path the data context never has: null
        return Compiled(pl.col(path), _FALSE, kind)

    def _constant(self, value: Any) -> Compiled:
        if isinstance(value, datetime | date):
            raise NotCompilable("external values are passed as CertLogic strings")
        if isinstance(value, str):
            # A date(-time) string stays a string until plusTime makes an instant of it.
            return Compiled(pl.lit(value, dtype=pl.String), _FALSE, STR)
        return _literal(value)

    def _and(self, args: list[Any]) -> Compiled:
        if len(args) < 2:
            raise CertLogicError("and takes at least 2 operands")
        value = pl.lit(True)
        error = _FALSE
        reached = pl.lit(True)  # operands after a falsy one are not evaluated
        for item in args:
            t, e = truthy(self.compile(item, truthy_context=True))
            error = error | (reached & e)
            reached = reached & t
            value = value & t
        return Compiled(value, error, BOOL)

    def _if(self, args: list[Any], truthy_context: bool) -> Compiled:
        if len(args) != 3:
            raise CertLogicError("if takes [guard, then, else]")
        guard, guard_error = truthy(self.compile(args[0], truthy_context=True))
        then = self.compile(args[1], truthy_context=truthy_context)
        other = self.compile(args[2], truthy_context=truthy_context)
        if truthy_context:
            (tv, te), (ov, oe) = truthy(then), truthy(other)
            value = pl.when(guard).then(tv).otherwise(ov)
            error = guard_error | pl.when(guard).then(te).otherwise(oe)
            return Compiled(value, error, BOOL)
        if then.kind != other.kind and NULL not in (then.kind, other.kind):
            raise NotCompilable("if with branches of different kinds")
        kind = other.kind if then.kind == NULL else then.kind
        value = pl.when(guard).then(then.value).otherwise(other.value)
        error = guard_error | pl.when(guard).then(then.error).otherwise(other.error)
        return Compiled(value, error, kind)

    def _equal(self, op: str, args: list[Any]) -> Compiled:
        if len(args) != 2:
            raise CertLogicError(f"{op!r} takes exactly 2 operands")
        a, b = (self.compile(x) for x in args)
        kinds = {a.kind, b.kind} - {NULL}
        if len(kinds) > 1 or kinds & {DATE, DATETIME, INSTANT}:
            raise NotCompilable("=== between different kinds or on dates")
        same = a.value.eq_missing(b.value)
        if NULL in (a.kind, b.kind):  # x === null: true exactly where x is null
            other = b if a.kind == NULL else a
            same = other.value.is_null()
        return Compiled(same if op == "===" else ~same, a.error | b.error, BOOL)

    def _compare(self, op: str, args: list[Any]) -> Compiled:
        if len(args) not in (2, 3):
            raise CertLogicError(f"{op!r} takes 2 or 3 operands")
        nodes = [self.compile(x) for x in args]
        want = INT if op in COMPARISONS else INSTANT
        error = _any(*(n.error for n in nodes))
        if any(n.kind not in (want, NULL) for n in nodes):
            # The interpreter raises for every row (wrong operand type): never applies.
            return Compiled(_FALSE, pl.lit(True), BOOL)
        error = error | _any(*(n.value.is_null() for n in nodes))
        cmp = {
            "<": operator.lt,
            "before": operator.lt,
            ">": operator.gt,
            "after": operator.gt,
            "<=": operator.le,
            "not-after": operator.le,
            ">=": operator.ge,
            "not-before": operator.ge,
        }[op]
        value = cmp(nodes[0].value, nodes[1].value)
        if len(nodes) == 3:
            value = value & cmp(nodes[1].value, nodes[2].value)
        return Compiled(value.fill_null(False), error, BOOL)

    def _in(self, args: list[Any]) -> Compiled:
        if len(args) != 2:
            raise CertLogicError("'in' takes exactly 2 operands")
        if not isinstance(args[1], list) or not all(
            isinstance(x, str | int) and not isinstance(x, bool) for x in args[1]
        ):
            raise NotCompilable("'in' compiles only over a literal array of strings or integers")
        item = self.compile(args[0])
        if item.kind not in (STR, INT, NULL):
            raise NotCompilable("'in' on a date column")
        if item.kind == NULL:
            return Compiled(_FALSE, item.error, BOOL)
        wanted = [x for x in args[1] if isinstance(x, str) == (item.kind == STR)]
        return Compiled(item.value.is_in(wanted).fill_null(False), item.error, BOOL)

    def _plus_time(self, args: list[Any]) -> Compiled:
        if len(args) != 3 or not isinstance(args[1], int) or args[2] not in (
            "year", "month", "day", "hour",
        ):  # fmt: skip
            raise CertLogicError("plusTime takes [date-time, integer, year|month|day|hour]")
        base = self.compile(args[0])
        amount, unit = int(args[1]), str(args[2])
        if base.kind == STR:
            text = self._constant_text(args[0])
            try:
                moved = plus_time(parse_date_time(text), amount, unit)
            except CertLogicError:  # the interpreter raises for every row
                return Compiled(pl.lit(None, dtype=_INSTANT_DTYPE), pl.lit(True), INSTANT)
            return Compiled(pl.lit(moved, dtype=_INSTANT_DTYPE), _FALSE, INSTANT)
        if base.kind == NULL:
            return Compiled(pl.lit(None, dtype=_INSTANT_DTYPE), pl.lit(True), INSTANT)
        if base.kind not in (DATE, DATETIME):
            raise NotCompilable("plusTime on a column that holds no dates")
        instant = base.value.cast(pl.Datetime("ms")).dt.replace_time_zone("UTC")
        if base.kind == DATETIME:
            instant = base.value.dt.convert_time_zone("UTC").dt.cast_time_unit("ms")
        if unit in ("year", "month"):
            months = amount * (12 if unit == "year" else 1)
            moved_expr = instant.dt.offset_by(f"{months}mo")
        else:
            moved_expr = instant.dt.offset_by(f"{amount}{'d' if unit == 'day' else 'h'}")
        return Compiled(moved_expr, base.error | base.value.is_null(), INSTANT)

    def _constant_text(self, expr: Any) -> str:
        if isinstance(expr, str):
            return expr
        path = expr.get("var") if isinstance(expr, Mapping) else None
        if isinstance(path, str) and path.startswith("external."):
            return str(self.external.get(path.removeprefix("external.")))
        raise NotCompilable("plusTime on a computed string")
