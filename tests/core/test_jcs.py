"""Canonical JSON (RFC 8785) and its strict parser: the bytes every signed document covers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.core.jcs import CanonicalJsonError, canonical, parse_strict

DEEP: list[object] = []
for _ in range(40):
    DEEP = [DEEP]


def test_jcs_matches_rfc_8785_sorting_and_escaping() -> None:
    # RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji before U+FB33).
    names = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = canonical({n: i for i, n in enumerate(names)}).decode()
    assert out == '{"\\r":1,"1":3,"\u0080":5,"\u00f6":6,"\u20ac":0,"\U0001f600":4,"\ufb33":2}'
    # RFC 8785 §3.2.2.2: JSON.stringify escaping.
    assert canonical('\u20ac$\u000f\nA\'B"\\\\"/').decode() == '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'
    assert canonical([None, True, False, -0, 2**53 - 1]) == b"[null,true,false,0,9007199254740991]"


@pytest.mark.parametrize("value", [1.5, float("nan"), 2**53, {1: "x"}, b"bytes", "\ud800", DEEP])
def test_jcs_refuses_what_has_no_single_form(value: object) -> None:
    with pytest.raises(CanonicalJsonError):
        canonical(value)


@pytest.mark.parametrize(
    "data",
    [b'{"a":1,"a":2}', b'{"a":1.0}', b"[NaN]", b"\xef\xbb\xbf{}", b"\xff", b"[9007199254740992]"],
)
def test_strict_parser_refuses_ambiguous_json(data: bytes) -> None:
    with pytest.raises(CanonicalJsonError):
        parse_strict(data)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=5), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(deadline=None)
@given(json_values)
def test_canonical_form_round_trips_and_is_stable(value: object) -> None:
    data = canonical(value)
    assert parse_strict(data) == value
    assert canonical(parse_strict(data)) == data
    assert canonical(json.loads(json.dumps(value, indent=3))) == data


# --- node URLs ---------------------------------------------------------------------------------
