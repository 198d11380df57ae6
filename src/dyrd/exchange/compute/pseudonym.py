"""Per-grant pseudonyms: identifiers replaced by a keyed hash that only joins within one grant.

Each grant gets its own HMAC key, derived from the platform secret with HKDF-SHA-256 (RFC 5869)
and the grant id as ``info``. The same identifier therefore maps to the same pseudonym in every
release under one grant (a consumer can follow a person across its own releases), and to
unrelated pseudonyms under two grants, so two consumers cannot join their copies. Without the
platform secret a pseudonym cannot be reversed or recomputed, even for guessable identifiers
such as ID-card numbers; that is why a keyed hash is used and not a plain one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dyrd.exchange.types import ColumnSpec, PersonalDataRole

PSEUDONYM_PREFIX = "ps1_"
"""Marks a value as a pseudonym, and the scheme's version (HMAC-SHA-256, 160 bits, base32)."""

PSEUDONYM_BITS = 160
"""Bits of the HMAC kept. At least 128 (the brief); 160 is a whole number of base32 characters
(32) and keeps the chance of two people colliding in a table of a billion rows below 2^-100."""

MIN_SECRET_BYTES = 32
"""The platform secret is at least as long as the HMAC-SHA-256 output (RFC 2104 §3 advice)."""

_HKDF_SALT = b"dyrd/exchange/pseudonym/v1"
# A fixed salt separates these keys from anything else ever derived from the same secret
# (RFC 5869 §3.1 allows a non-secret, application-specific salt).


class PseudonymError(ValueError):
    """The secret or grant id cannot make a pseudonym key."""


def grant_key(secret: bytes, grant_id: str) -> bytes:
    """The 256-bit HMAC key of one grant: HKDF-SHA-256(secret, info=grant id)."""
    if len(secret) < MIN_SECRET_BYTES:
        raise PseudonymError(f"the pseudonym secret must be at least {MIN_SECRET_BYTES} bytes")
    if not grant_id:
        raise PseudonymError("a pseudonym key needs a grant id")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=grant_id.encode())
    return hkdf.derive(secret)


def canonical_identifier(value: Any) -> bytes:
    """The bytes hashed for one identifier value: its text form, UTF-8.

    Integers and strings with the same digits map to the same pseudonym, because an ID stored
    as a number in one table and as text in another is still the same person.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PseudonymError(f"cannot pseudonymise a value of type {type(value).__name__}")
    return str(value).encode()


def pseudonym(key: bytes, value: Any) -> str:
    """The pseudonym of ``value`` under a grant key: prefix + base32 of a truncated HMAC."""
    digest = hmac.new(key, canonical_identifier(value), hashlib.sha256).digest()
    token = base64.b32encode(digest[: PSEUDONYM_BITS // 8]).decode().lower()
    return PSEUDONYM_PREFIX + token


def identifier_columns(columns: Sequence[ColumnSpec]) -> list[str]:
    """Names of the columns whose role is ``identifier``."""
    return [c.name for c in columns if c.personal_data is PersonalDataRole.IDENTIFIER]


def pseudonymise(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[ColumnSpec], key: bytes
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with every identifier cell replaced by its pseudonym (None stays None)."""
    targets = identifier_columns(columns)
    out: list[dict[str, Any]] = []
    for row in rows:
        new = dict(row)
        for name in targets:
            value = new.get(name)
            if value is not None:
                new[name] = pseudonym(key, value)
        out.append(new)
    return out
