"""Compiled CertLogic gives what the interpreter gives: the same value or the same error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.compute.certlogic import CertLogicError, evaluate
from dyrd.healthcode.compute.certlogic_compiled import compile_expression

CASES: list[tuple[Any, Any]] = [
    ({"var": ""}, {"foo": "bar"}),
    ({"var": "x.0.y"}, {"x": [{"y": 1}]}),
    ({"var": "x.y"}, {"x": {"z": 1}}),
    ({"var": 1}, [1, 2]),
    ({"var": "a..b"}, {"a": {"": {"b": 3}}}),
    ({"var": "a.1"}, {"a": "xyz"}),
    ({"var": "a.x"}, {"a": [1]}),
    ({"var": "a.5"}, {"a": (1, 2)}),
    ({"var": "a.b"}, {"a": {"b": 0}}),
    ({"!": [{"var": "1"}]}, [None, None]),
    ({"and": [{"var": "0"}, {"var": "1"}]}, [None, True]),
    ({"and": [{"var": "0"}, {"var": "1"}, {"var": "2"}]}, [True, None, False]),
    ({"<=": [{"var": "0"}, {"var": "1"}, {"var": "2"}]}, [0, 2, 1]),
    ({"if": [{"var": "0"}, "yes", "no"]}, [""]),
    ({"===": [{"var": "0"}, 1]}, [True]),
    ({"!==": [{"var": "0"}, "a"]}, ["b"]),
    ({"in": [{"var": "0"}, ["a", "b"]]}, ["b"]),
    ({"+": [{"var": "0"}, 2]}, [40]),
    ({"extractFromUVCI": [{"var": ""}, 1]}, "URN:UVCI:01:NL:187/37512422923"),
    ({"extractFromUVCI": [{"var": ""}, 0]}, None),
    (
        {"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]},
        {"xs": [1, 2]},
    ),
    ({"reduce": [{"var": "xs"}, {"var": "current"}, 0]}, {"xs": None}),
    (
        {"after": [{"plusTime": [{"var": "d"}, 18, "year"]}, {"plusTime": ["2022", 0, "day"]}]},
        {"d": "2004-01"},
    ),
    ([{"var": "a"}, 1, "x"], {"a": True}),
    # errors: the compiled form raises where the interpreter raises
    ({"<": [{"var": "0"}, 1]}, [None]),
    ({"before": [{"var": "0"}, {"var": "0"}]}, ["2020-01-01"]),
    ({"plusTime": [{"var": "0"}, 1, "day"]}, [None]),
    ({"plusTime": ["2020-01-01", {"var": "0"}, "day"]}, [True]),
    ({"in": ["a", {"var": "0"}]}, ["abc"]),
    ({"+": [{"var": "0"}, 1]}, [True]),
    ({"reduce": [{"var": "0"}, 1, 0]}, ["abc"]),
    ({"!": [{"plusTime": ["2020-01-01", 0, "day"]}]}, None),
    ({"if": [{"plusTime": ["2020-01-01", 0, "day"]}, 1, 2]}, None),
    ({"extractFromUVCI": [{"var": "0"}, 1]}, [3]),
    # not valid CertLogic: left to the interpreter, which refuses it
    ({"or": [True, False]}, None),
    ({"var": ["x", 1]}, {}),
    ({"if": [True]}, None),
    (1.5, None),
]  # fmt: skip


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "value", fn()
    except CertLogicError:
        return "error", None


@pytest.mark.parametrize(("expr", "data"), CASES)
def test_compiled_agrees_with_the_interpreter(expr: Any, data: Any) -> None:
    compiled = compile_expression(expr)
    assert _outcome(lambda: compiled(data)) == _outcome(lambda: evaluate(expr, data))


def test_policy_times_are_written_as_the_datetime_path_writes_them() -> None:
    for value in (0, 1, 1_700_000_000, 253402300799, 253402300800, -1, 1.5, True, None, "1"):
        when = acceptance._seconds(value)
        expected = None if when is None else acceptance._iso(when)
        assert acceptance._iso_of(value) == expected


def test_deep_expressions_still_raise() -> None:
    expr: Any = True
    for _ in range(100):
        expr = {"!": [expr]}
    with pytest.raises(CertLogicError):
        compile_expression(expr)(None)


def test_every_sample_policy_decides_as_the_interpreter_does() -> None:
    at = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    for policy in sample_policies():
        for colour in ("green", "yellow", "red", "blue"):
            for issuer in ("310000", "330000", "999999"):
                for hours in (None, 1, 47, 49, 24 * 30):
                    claim: dict[str, Any] = {"c": colour, "j": issuer, "r": "X", "rv": 1}
                    if hours is not None:
                        claim["t"] = int((at - timedelta(hours=hours)).timestamp())
                    data = acceptance.policy_data(
                        claim, issued_at=0, expires_at=None, checkpoint="310000", at=at
                    )
                    for requirement in policy.requirements:
                        compiled = _outcome(lambda r=requirement, d=data: r.test(d))
                        interpreted = _outcome(lambda r=requirement, d=data: evaluate(r.logic, d))
                        assert compiled == interpreted
