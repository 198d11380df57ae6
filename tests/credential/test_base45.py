"""Base45 (RFC 9285): the RFC's examples, strict decoding, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.credential.compute import base45

RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]
"""RFC 9285 sections 4.3 and 4.4."""


@pytest.mark.parametrize(("raw", "text"), RFC_EXAMPLES)
def test_rfc_examples(raw: bytes, text: str) -> None:
    """Encoding and decoding give the RFC's answers."""
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("GGW", "value"),  # RFC 9285 §6: 65536 + 1 overflows two bytes
        (":::", "value"),
        ("::", "value"),  # 44 + 44*45 > 255
        ("A", "length"),
        ("ABCD", "length"),
        ("AB=", "alphabet"),
        ("ab", "alphabet"),
        ("BB8\n", "length"),
    ],
)
def test_strict_decoding(text: str, why: str) -> None:
    """Bad characters, lengths and values are refused with a reason, not decoded leniently."""
    with pytest.raises(base45.Base45Error, match=why if why != "value" else r"> (65535|255)"):
        base45.decode(text)


@given(st.binary(max_size=600))
def test_round_trip(data: bytes) -> None:
    """decode(encode(x)) == x, and the text uses only the alphabet."""
    text = base45.encode(data)
    assert set(text) <= set(base45.ALPHABET)
    assert len(text) == 3 * (len(data) // 2) + 2 * (len(data) % 2)
    assert base45.decode(text) == data


@given(st.text(max_size=64))
def test_decode_never_raises_anything_else(text: str) -> None:
    """Any text decodes or raises Base45Error."""
    try:
        raw = base45.decode(text)
    except base45.Base45Error:
        return
    assert base45.encode(raw) == text
