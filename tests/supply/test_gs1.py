"""GS1 GTIN/GLN check digits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.supply.compute import gs1

# Examples printed in the GS1 General Specifications (check digit calculation, 7.9.1) and on
# common retail packs: GTIN-13 4006381333931, GTIN-12 036000291452, GTIN-8 73513537.
VALID = ["4006381333931", "036000291452", "73513537", "00012345600012"]


@pytest.mark.parametrize("gtin", VALID)
def test_known_gtins_validate_to_14_digits(gtin: str) -> None:
    out = gs1.parse_gtin(gtin)
    assert len(out) == 14
    assert out.endswith(gtin)


@pytest.mark.parametrize("bad", ["4006381333932", "400638133393", "40063813339a1", "", "١٢٣٤٥٦٧٨"])
def test_bad_gtins_are_refused(bad: str) -> None:
    with pytest.raises(gs1.Gs1Error):
        gs1.parse_gtin(bad)


def test_gln_is_13_digits() -> None:
    assert gs1.parse_gln("4006381333931") == "4006381333931"
    with pytest.raises(gs1.Gs1Error):
        gs1.parse_gln("73513537")


@settings(max_examples=200, deadline=None)
@given(
    data=st.text(alphabet="0123456789", min_size=13, max_size=13),
    pos=st.integers(0, 13),
    delta=st.integers(1, 9),
)
def test_one_changed_digit_is_detected(data: str, pos: int, delta: int) -> None:
    key = data + gs1.check_digit(data)
    assert gs1.is_valid_gtin(key)
    changed = key[:pos] + str((int(key[pos]) + delta) % 10) + key[pos + 1 :]
    assert not gs1.is_valid_gtin(changed)
