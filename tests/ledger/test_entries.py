"""Canonical entries: RFC 8785 vectors, round trips, and what is refused."""

from __future__ import annotations

import json
import math
import struct
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.ledger.compute.entries import (
    GENESIS_PREV,
    MAX_ENTRY_BYTES,
    EntryError,
    LogEntry,
    canonical_json,
    decode_entry,
    entry_from_json,
    format_timestamp,
    make_entry,
    parse_timestamp,
)
from dyrd.ledger.compute.merkle import leaf_hash

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _entry(**overrides: Any) -> LogEntry:
    fields: dict[str, Any] = {
        "seq": 7,
        "at": AT,
        "actor_user": "alice",
        "actor_member": "CN-YRD/310000",
        "kind": "exchange.request",
        "subject": "dataset:population",
        "payload": {"purpose": "统计", "rows": 41, "ratio": 0.5},
        "prev": bytes(range(32)),
    }
    fields.update(overrides)
    return make_entry(**fields)


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_numbers_follow_rfc_8785_appendix_b(bits: str, text: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert canonical_json(value) == text.encode()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    with pytest.raises(EntryError, match="no representation"):
        canonical_json(value)


def test_rfc_8785_section_3_2_4_example() -> None:
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        r' "string": "\u20ac$\u000F\u000aA'
        "'"
        r'\u0042\u0022\u005c\\\"\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        r'"string":"€$\u000f\nA'
        "'"
        r'B\"\\\\\"/"}'
    )
    assert canonical_json(json.loads(text)).decode() == expected


def test_keys_sort_by_utf16_code_units_rfc_8785_section_3_2_3() -> None:
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(obj)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


def test_large_integers_that_are_exact_doubles_canonicalise_like_the_double() -> None:
    assert canonical_json(10**21) == canonical_json(1e21) == b"1e+21"
    assert canonical_json(32879991665336190) == canonical_json(3.287999166533619e16)
    assert canonical_json(json.loads(canonical_json(1e20))) == b"100000000000000000000"


@given(JSON)
def test_property_canonical_json_is_json_and_idempotent(value: Any) -> None:
    text = canonical_json(value)
    parsed = json.loads(text)
    assert canonical_json(parsed) == text
    assert _as_doubles(parsed) == _as_doubles(value)


def _as_doubles(value: Any) -> Any:
    """JSON numbers are doubles: compare values the way a JSON reader sees them."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {k: _as_doubles(v) for k, v in value.items()}
    return [_as_doubles(v) for v in value]


def test_entry_encodes_every_field_canonically() -> None:
    entry = _entry()
    data = entry.encode()
    assert data == canonical_json(json.loads(data))
    obj = json.loads(data)
    assert obj == {
        "v": 1,
        "seq": 7,
        "timestamp": "2026-11-26T08:00:00.000000Z",
        "actor": {"user": "alice", "member": "CN-YRD/310000"},
        "kind": "exchange.request",
        "subject": "dataset:population",
        "payload": {"purpose": "统计", "rows": 41, "ratio": 0.5},
        "prev": bytes(range(32)).hex(),
    }
    assert b" " not in data
    assert "统计".encode() in data  # UTF-8, not \u escapes
    assert entry.leaf_hash() == leaf_hash(data)
    assert decode_entry(data) == entry


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 8},
        {"at": AT + timedelta(microseconds=1)},
        {"actor_user": "bob"},
        {"actor_member": "CN-YRD/320000"},
        {"kind": "grant.decision"},
        {"subject": "dataset:gdp"},
        {"payload": {"purpose": "统计", "rows": 42, "ratio": 0.5}},
        {"prev": GENESIS_PREV},
    ],
)
def test_every_field_is_covered_by_the_leaf_hash(change: dict[str, Any]) -> None:
    assert _entry(**change).leaf_hash() != _entry().leaf_hash()


def test_timestamps_are_converted_to_utc_with_fixed_width() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert format_timestamp(datetime(2026, 11, 26, 16, 0, tzinfo=shanghai)) == (
        "2026-11-26T08:00:00.000000Z"
    )
    assert parse_timestamp("2026-11-26T08:00:00.000001Z") == AT + timedelta(microseconds=1)
    with pytest.raises(EntryError, match="timezone-aware"):
        format_timestamp(datetime(2026, 11, 26, 8, 0))  # noqa: DTZ001  # the naive case under test
    with pytest.raises(EntryError, match="YYYY"):
        parse_timestamp("2026-11-26T08:00:00Z")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "Exchange"}, "dotted lower-case"),
        ({"kind": "exchange"}, "dotted lower-case"),
        ({"kind": "a." + "b" * 70}, "at most 64"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 257}, "subject"),
        ({"actor_user": " "}, "actor.user"),
        ({"seq": -1}, "seq"),
        ({"prev": b"short"}, "prev"),
        ({"payload": ["not", "an", "object"]}, "payload"),
    ],
)
def test_invalid_fields_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(EntryError, match=message):
        _entry(**change)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"n": 2**53 + 1}, "beyond"),
        ({"n": 10**400}, "beyond"),
        ({"x": math.nan}, "no representation"),
        ({"s": "\ud800"}, "surrogate"),
        ({1: "x"}, "keys must be strings"),
        ({"b": b"bytes"}, "not a JSON value"),
        ({"big": "x" * MAX_ENTRY_BYTES}, "log a SHA-256"),
    ],
)
def test_payloads_that_cannot_be_canonical_are_refused(payload: Any, message: str) -> None:
    with pytest.raises(EntryError, match=message):
        _entry(payload=payload).encode()


def test_deep_nesting_is_refused() -> None:
    deep: dict[str, Any] = {}
    for _ in range(40):
        deep = {"d": deep}
    with pytest.raises(EntryError, match="deeper"):
        canonical_json(deep)


def test_decoding_refuses_non_canonical_or_unknown_entries() -> None:
    data = _entry().encode()
    spaced = json.dumps(json.loads(data), ensure_ascii=False).encode()
    with pytest.raises(EntryError, match="canonical"):
        decode_entry(spaced)
    obj = json.loads(data)
    with pytest.raises(EntryError, match="unexpected"):
        entry_from_json({**obj, "extra": 1})
    with pytest.raises(EntryError, match="version"):
        entry_from_json({**obj, "v": 2})
    with pytest.raises(EntryError, match="hex"):
        entry_from_json({**obj, "prev": obj["prev"].upper()})
    with pytest.raises(EntryError, match="UTF-8"):
        decode_entry(b"\xff")
