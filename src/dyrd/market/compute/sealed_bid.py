"""Sealed bids by commit-reveal: nobody, the platform included, reads a price before the opening.

Why commit-reveal rather than encryption to a key released at opening: with encryption somebody
holds the opening key before the deadline (the platform, or an escrow), so "the platform cannot
read the bids" would rest on that holder's honesty. A salted SHA-256 commitment carries no
information the platform can decrypt at all, is checkable offline by anyone with the revealed
values, and needs no key management. Its cost: a bidder who does not reveal has withdrawn (as a
bid that cannot be decrypted is treated under 电子招标投标办法, 2013), and bidders must keep their
salt. The protocol follows the project's research notes (section 3.2):

* commit (before the deadline T): c = SHA-256(domain ‖ tender_id ‖ bidder ‖ price ‖ salt), every
  field length-prefixed so no two inputs encode alike; the salt is 256 bits or more;
* lock at T: the sorted commitments are hash-chained into ``commitments_root``, published at the
  opening and appended to the audit ledger;
* reveal (T to T + reveal window): (price, salt) must reproduce c, else the reveal is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

DOMAIN = b"dyrd/market/sealed-bid/v1"
"""Domain separation: a commitment here never equals a hash made for another purpose."""

MIN_SALT_BYTES = 32
"""256-bit nonce, the minimum in the research notes' protocol (section 3.2)."""

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CENT = Decimal("0.01")


def canonical_price(price: Decimal) -> str:
    """The one text form of a price that is hashed: fixed two decimals (fen), no exponent."""
    if not price.is_finite() or price <= 0:
        raise ValueError("a bid price must be a positive finite amount")
    if price != price.quantize(_CENT):
        raise ValueError("a bid price has at most two decimals (fen)")
    return f"{price.quantize(_CENT):f}"


def parse_price(text: str) -> Decimal:
    """A positive amount with at most two decimals, from text."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    canonical_price(value)
    return value


def parse_salt(text: str) -> bytes:
    """The salt from hex; at least 32 bytes."""
    try:
        salt = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise ValueError("the salt must be hexadecimal") from exc
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the salt must be at least {MIN_SALT_BYTES} bytes (64 hex digits)")
    return salt


def is_commitment(text: str) -> bool:
    """True for a lower-case hex SHA-256 digest."""
    return bool(_HEX64.match(text))


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def commitment(tender_id: str, bidder: str, price: Decimal, salt: bytes) -> str:
    """The commitment c a bidder computes (and publishes) before the deadline, hex."""
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the salt must be at least {MIN_SALT_BYTES} bytes")
    digest = hashlib.sha256(DOMAIN)
    for part in (tender_id.encode(), bidder.encode(), canonical_price(price).encode(), salt):
        digest.update(_field(part))
    return digest.hexdigest()


def reveal_matches(expected: str, tender_id: str, bidder: str, price: Decimal, salt: bytes) -> bool:
    """True when (price, salt) opens commitment ``expected`` (constant-time comparison)."""
    try:
        actual = commitment(tender_id, bidder, price, salt)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def commitments_root(tender_id: str, commitments: Iterable[tuple[str, str]]) -> str:
    """Hash chain over the (bidder, commitment) pairs sorted by bidder: the lock at the deadline.

    Anyone holding the published list recomputes it; a commitment added, dropped or changed
    after the opening changes the root recorded in the ledger.
    """
    head = hashlib.sha256(DOMAIN + b"/root" + _field(tender_id.encode())).digest()
    for bidder, value in sorted(commitments):
        head = hashlib.sha256(head + _field(bidder.encode()) + _field(value.encode())).digest()
    return head.hex()
