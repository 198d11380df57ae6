"""GB 32100-2015 unified social credit codes: real codes, structure, single-character errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.supply.compute import credit_code as cc

# Three real codes of registered companies, re-checked in the project's research notes.
REAL = ["914403001922038216", "91440300708461136T", "91330100716105852F"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate_and_decode(code: str) -> None:
    parsed = cc.parse(code)
    assert parsed.code == code
    assert parsed.authority == "9"
    assert parsed.division == code[2:8]
    assert parsed.organisation_check_ok


def test_weights_are_the_published_ones() -> None:
    assert cc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(cc.ALPHABET) == 31
    assert not set("IOZSV") & set(cc.ALPHABET)


def test_lower_case_and_spaces_are_normalised() -> None:
    assert cc.parse("  91440300708461136t ").code == "91440300708461136T"


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        ("91440300708461136", None),  # 17 characters
        ("91440300708461136TT", None),
        ("9144030070846113IT", 17),  # I is not in the alphabet
        ("91AB0300708461136T", 3),  # division not digits
        ("91440300708461136U", 18),  # wrong check character
    ],
)
def test_bad_codes_are_refused_with_position(raw: str, position: int | None) -> None:
    with pytest.raises(cc.CreditCodeError) as info:
        cc.parse(raw)
    assert info.value.position == position
    assert info.value.message
    assert info.value.message_zh


body_chars = st.text(alphabet=cc.ALPHABET, min_size=17, max_size=17).map(
    lambda s: s[:2] + "".join(str(cc.ALPHABET.index(c) % 10) for c in s[2:8]) + s[8:]
)


@settings(max_examples=200, deadline=None)
@given(body=body_chars, pos=st.integers(0, 17), delta=st.integers(1, 30))
def test_one_changed_character_is_detected(body: str, pos: int, delta: int) -> None:
    code = body + cc.check_character(body)
    assert cc.is_valid(code)
    new = cc.ALPHABET[(cc.ALPHABET.index(code[pos]) + delta) % 31]
    changed = code[:pos] + new + code[pos + 1 :]
    # A mod-31 check with weights coprime to 31 detects every single substitution.
    assert not cc.is_valid(changed)


@settings(max_examples=100, deadline=None)
@given(body=body_chars, pos=st.integers(0, 15))
def test_adjacent_transposition_of_distinct_characters_is_detected(body: str, pos: int) -> None:
    code = body + cc.check_character(body)
    if code[pos] == code[pos + 1]:
        return
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
    assert not cc.is_valid(swapped)
