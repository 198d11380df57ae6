"""Commit-reveal sealed bids: binding, hiding inputs, canonical prices, the lock at the deadline."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.market.compute import sealed_bid as sb

SALT = bytes(range(32))
prices = st.integers(min_value=1, max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))


def test_a_commitment_opens_with_its_own_values_only() -> None:
    c = sb.commitment("T1", "bidder-a", Decimal("100.00"), SALT)
    assert sb.is_commitment(c)
    assert sb.reveal_matches(c, "T1", "bidder-a", Decimal("100.00"), SALT)
    assert sb.reveal_matches(c, "T1", "bidder-a", Decimal("100"), SALT)  # same amount
    assert not sb.reveal_matches(c, "T1", "bidder-a", Decimal("100.01"), SALT)
    assert not sb.reveal_matches(c, "T1", "bidder-b", Decimal("100.00"), SALT)
    assert not sb.reveal_matches(c, "T2", "bidder-a", Decimal("100.00"), SALT)
    assert not sb.reveal_matches(c, "T1", "bidder-a", Decimal("100.00"), bytes(32))


@given(prices, prices, st.binary(min_size=32, max_size=40))
@settings(max_examples=80, deadline=None)
def test_binding_a_commitment_never_opens_to_another_price(
    price: Decimal, other: Decimal, salt: bytes
) -> None:
    c = sb.commitment("T", "B", price, salt)
    assert sb.reveal_matches(c, "T", "B", price, salt)
    assert sb.reveal_matches(c, "T", "B", other, salt) == (price == other)


def test_field_boundaries_are_unambiguous() -> None:
    # "T1" + "2bidder" must not collide with "T12" + "bidder"
    a = sb.commitment("T1", "2bidder", Decimal("1.00"), SALT)
    b = sb.commitment("T12", "bidder", Decimal("1.00"), SALT)
    assert a != b


def test_hiding_needs_a_salt_of_256_bits() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        sb.commitment("T", "B", Decimal("1.00"), bytes(31))
    with pytest.raises(ValueError, match="at least 32"):
        sb.parse_salt("ab" * 31)
    assert sb.parse_salt(secrets.token_hex(32))
    # the same price under two fresh salts gives unrelated commitments
    one = sb.commitment("T", "B", Decimal("5.00"), secrets.token_bytes(32))
    two = sb.commitment("T", "B", Decimal("5.00"), secrets.token_bytes(32))
    assert one != two


@pytest.mark.parametrize("bad", ["0", "-1", "1.001", "NaN", "Infinity", "abc", ""])
def test_prices_are_positive_with_at_most_two_decimals(bad: str) -> None:
    with pytest.raises(ValueError, match=r"amount|decimals"):
        sb.parse_price(bad)


def test_the_lock_root_covers_every_commitment_order_independently() -> None:
    pairs = [("a", "1" * 64), ("b", "2" * 64), ("c", "3" * 64)]
    root = sb.commitments_root("T", pairs)
    assert root == sb.commitments_root("T", list(reversed(pairs)))
    assert root != sb.commitments_root("T", pairs[:2])
    assert root != sb.commitments_root("T", [*pairs[:2], ("c", "4" * 64)])
    assert root != sb.commitments_root("U", pairs)
