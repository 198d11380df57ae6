"""The CertLogic evaluator against the specification's semantics (cases written from the spec)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dyrd.healthcode.compute.certlogic import CertLogicError, evaluate, validate

V = {"var": "0"}


@pytest.mark.parametrize(
    ("expr", "data", "expected"),
    [
        ({"var": ""}, {"foo": "bar"}, {"foo": "bar"}),
        ({"var": "x.0.y"}, {"x": [{"y": 1}]}, 1),
        ({"var": "x.y"}, {"x": {"z": 1}}, None),
        ({"var": "1"}, [1], None),
        ({"!": [{"var": "1"}]}, [None, None], True),
        ({"and": [{"var": "0"}, {"var": "1"}]}, [True, False], False),
        ({"and": [{"var": "0"}, {"var": "1"}]}, [None, True], None),
        ({"and": [{"var": "0"}, {"var": "1"}]}, [True, {}], {}),
        ({"and": [{"var": "0"}, {"var": "1"}, {"var": "2"}]}, [True, None, False], None),
        ({"<=": [{"var": "0"}, {"var": "1"}, {"var": "2"}]}, [0, 1, 2], True),
        ({"<=": [{"var": "0"}, {"var": "1"}, {"var": "2"}]}, [0, 2, 1], False),
        ({"if": [{"var": "0"}, "yes", "no"]}, [""], "no"),
        ({"===": [{"var": "0"}, 1]}, [True], False),
        ({"!==": [{"var": "0"}, "a"]}, ["b"], True),
        ({"in": [{"var": "0"}, ["a", "b"]]}, ["b"], True),
        ({"+": [{"var": "0"}, 2]}, [40], 42),
        ({"extractFromUVCI": [{"var": ""}, 1]}, "URN:UVCI:01:NL:187/37512422923", "NL"),
        ({"extractFromUVCI": [{"var": ""}, 4]}, "foo/bar::baz#999lizards", "999lizards"),
        ({"extractFromUVCI": [{"var": ""}, 3]}, "a::c/#/f", ""),
        ({"extractFromUVCI": [{"var": ""}, 0]}, None, None),
        (
            {"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]},
            {"xs": [1, 2, 3]},
            6,
        ),
    ],
)
def test_operations(expr: Any, data: Any, expected: Any) -> None:
    assert evaluate(expr, data) == expected


def _after_18(dob: str, clock: str) -> Any:
    expr = {
        "after": [
            {"plusTime": [{"var": "dob"}, 18, "year"]},
            {"plusTime": [{"var": "clock"}, 0, "hour"]},
        ]
    }
    return evaluate(expr, {"dob": dob, "clock": clock})


def test_partial_dates_mean_the_end_of_the_period() -> None:
    # spec 1.3.0: YYYY-MM and YYYY are the last day of the month / year.
    assert _after_18("2004-01", "2022-01-30T13:37:00.042Z") is True
    assert _after_18("2004-01", "2022-01-31T00:00:00.000") is False
    assert _after_18("2004", "2022-12-30T13:37:00.042Z") is True
    assert _after_18("2004", "2022-12-31T00:00:00.000Z") is False


def test_plus_time_offsets_and_clamping() -> None:
    made = evaluate({"plusTime": ["2021-01-31T10:00:00.1234+08:00", 1, "month"]}, None)
    assert made == datetime(2021, 2, 28, 2, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "data"),
    [
        ({"<": [{"var": "0"}, 1]}, [None]),  # comparisons are on integers only
        ({"before": [{"var": "0"}, {"var": "0"}]}, ["2020-01-01"]),  # strings are not date-times
        ({"plusTime": [{"var": "0"}, 1, "day"]}, [None]),
        ({"in": ["a", {"var": "0"}]}, ["abc"]),
        ({"!": [{"plusTime": ["2020-01-01", 0, "day"]}]}, None),  # neither truthy nor falsy
        ({"or": [True, False]}, None),  # not CertLogic
        ({"var": ["x", 1]}, {}),  # no defaults
    ],
)
def test_errors(expr: Any, data: Any) -> None:
    with pytest.raises(CertLogicError):
        evaluate(expr, data)


def test_validate_reports_each_problem() -> None:
    assert validate({"and": [{"var": "a"}, True]}) == []
    problems = validate({"and": [{"or": [1, 2]}, 1.5, None, {"if": [1]}]})
    assert len(problems) == 4
    assert validate({"plusTime": [{"var": "x"}, 1, "week"]})[0].endswith("hour")


def test_depth_is_bounded() -> None:
    expr: Any = True
    for _ in range(100):
        expr = {"!": [expr]}
    with pytest.raises(CertLogicError):
        evaluate(expr, None)
