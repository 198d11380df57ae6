"""API token format: ``dyrd_`` + 43 URL-safe characters; stored only as its SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import re

TOKEN_MARK = "dyrd_"  # noqa: S105  # a public marker, not a secret
"""Recognisable start of every token, so secret scanners and people can tell what leaked."""

TOKEN_ENTROPY_BYTES = 32
"""Random bytes per token: 256 bits (``secrets.token_urlsafe(32)``, 43 characters)."""

PREFIX_LENGTH = len(TOKEN_MARK) + 8
"""Characters kept in clear for display and lookup: the mark and 48 of the 256 random bits."""

_TOKEN = re.compile(r"^dyrd_[A-Za-z0-9_-]{43}$")


def looks_like_token(value: str) -> bool:
    """True when ``value`` has the shape of a token this platform issues."""
    return bool(_TOKEN.fullmatch(value))


def display_prefix(token: str) -> str:
    """The non-secret start of a token, stored for lookup and shown in listings."""
    return token[:PREFIX_LENGTH]


def hash_token(token: str) -> str:
    """Hex SHA-256 of the token: what the database stores instead of the secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def digest_matches(stored: str, token: str) -> bool:
    """Compare the stored digest with the token's in constant time."""
    return hmac.compare_digest(stored.encode("ascii"), hash_token(token).encode("ascii"))
