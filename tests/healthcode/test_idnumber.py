"""GB 11643 identity numbers: check character, birth date, address code, keyed hash."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dyrd.healthcode.compute import idnumber

TODAY = date(2026, 11, 26)
# The worked example printed in GB 11643-1999 itself (a Beijing Chaoyang number).
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_is_valid() -> None:
    parsed, problems = idnumber.id_number_problems(STANDARD_EXAMPLE, today=TODAY)
    assert problems == []
    assert parsed is not None
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.address_code == "110105"
    assert not parsed.male  # sequence 002 is even


def test_lowercase_x_is_normalised() -> None:
    parsed, _ = idnumber.id_number_problems(STANDARD_EXAMPLE.lower(), today=TODAY)
    assert parsed is not None
    assert parsed.normalised == STANDARD_EXAMPLE


def test_wrong_check_character_names_the_rule_in_both_languages() -> None:
    _, problems = idnumber.id_number_problems(STANDARD_EXAMPLE[:-1] + "1", today=TODAY)
    assert len(problems) == 1
    assert "MOD 11-2" in problems[0].message
    assert "校验码" in problems[0].message_zh
    assert problems[0].value is None  # never echo an identity number


def test_impossible_date_future_date_and_bad_prefix() -> None:
    bad_date = "11010519490231" + "002"
    _, p1 = idnumber.id_number_problems(bad_date + idnumber.check_char(bad_date), today=TODAY)
    assert any("calendar date" in p.message for p in p1)
    future = "11010520300101" + "002"
    _, p2 = idnumber.id_number_problems(future + idnumber.check_char(future), today=TODAY)
    assert any("birth date" in p.message for p in p2)
    prefix = "99010519491231" + "002"
    _, p3 = idnumber.id_number_problems(prefix + idnumber.check_char(prefix), today=TODAY)
    assert any("address code" in p.message for p in p3)


def test_length_and_characters() -> None:
    assert idnumber.id_number_problems("123", today=TODAY)[1][0].message.startswith("An identity")
    assert "digits" in idnumber.id_number_problems("A" * 18, today=TODAY)[1][0].message


@given(
    st.sampled_from(["330106", "310104", "320505", "340104"]),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
def test_every_number_with_its_check_character_is_valid(area: str, born: date, seq: int) -> None:
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    parsed, problems = idnumber.id_number_problems(
        first17 + idnumber.check_char(first17), today=TODAY
    )
    assert problems == []
    assert parsed is not None
    assert parsed.birth_date == born
    # Any other check character is refused.
    wrong = next(c for c in "0123456789X" if c != idnumber.check_char(first17))
    assert idnumber.id_number_problems(first17 + wrong, today=TODAY)[0] is None


def test_hash_is_keyed_and_stable() -> None:
    a = idnumber.id_hash(STANDARD_EXAMPLE, b"k" * 32)
    assert a == idnumber.id_hash(STANDARD_EXAMPLE, b"k" * 32)
    assert a != idnumber.id_hash(STANDARD_EXAMPLE, b"j" * 32)
    assert STANDARD_EXAMPLE not in a
    assert len(a) == 64


def test_initials() -> None:
    assert idnumber.initials_problem("ZS") is None
    assert idnumber.initials_problem("张三") is not None
    assert idnumber.initials_problem("zs") is not None
