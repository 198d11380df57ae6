"""Unpadded base64url (RFC 7515 §2) in its one canonical spelling, for signed documents."""

from __future__ import annotations

import base64
import binascii
import re

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object) -> bytes:
    """Decode unpadded base64url, refusing any other spelling of the same bytes (ValueError)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:  # pragma: no cover  # the pattern admits only valid text
        raise ValueError("not unpadded base64url") from exc
    if b64url(data) != text:  # non-zero trailing bits: a second spelling, refused
        raise ValueError("not the canonical base64url of its bytes")
    return data
