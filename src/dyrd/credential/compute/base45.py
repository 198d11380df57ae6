"""Base45 (RFC 9285): the QR-alphanumeric encoding HC1 codes use, strict on decode."""

from __future__ import annotations

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
"""RFC 9285 section 4: the 45 characters of QR alphanumeric mode, in value order."""

_INVALID = 0xFF
_INVALID_BYTE = bytes([_INVALID])
_TABLE = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _INVALID for b in range(256))
"""ASCII byte -> base45 value, 0xFF for bytes outside the alphabet (for ``bytes.translate``)."""


class Base45Error(ValueError):
    """Text that is not base45: a character outside the alphabet, a bad length, a value too big."""


def encode(data: bytes) -> str:
    """Base45 text of ``data``: 2 bytes become 3 characters, a last odd byte 2 (RFC 9285 §4)."""
    out: list[str] = []
    append = out.append
    alphabet = ALPHABET
    end = len(data) - len(data) % 2
    for i in range(0, end, 2):
        n = (data[i] << 8) | data[i + 1]
        e, rest = divmod(n, 2025)
        d, c = divmod(rest, 45)
        append(alphabet[c] + alphabet[d] + alphabet[e])
    if end < len(data):
        d, c = divmod(data[end], 45)
        append(alphabet[c] + alphabet[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """The bytes of base45 ``text``; raises Base45Error on anything RFC 9285 §4.2 rejects."""
    if len(text) % 3 == 1:
        raise Base45Error(f"base45 text of length {len(text)} cannot be decoded (length % 3 == 1)")
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        bad = next(c for c in text if ord(c) > 0x7F)
        raise Base45Error(f"character {bad!r} is not in the base45 alphabet") from None
    translated = raw.translate(_TABLE)
    if _INVALID_BYTE in translated:  # a C-level scan, cheaper than an array reduction
        bad = text[translated.index(_INVALID_BYTE)]
        raise Base45Error(f"character {bad!r} is not in the base45 alphabet")
    values = np.frombuffer(translated, dtype=np.uint8)
    full = len(values) - len(values) % 3
    groups = values[:full].reshape(-1, 3).astype(np.uint32)
    numbers = groups[:, 0] + groups[:, 1] * 45 + groups[:, 2] * 2025
    if numbers.size and int(numbers.max()) > 0xFFFF:
        i = int(np.argmax(numbers > 0xFFFF))
        raise Base45Error(f"base45 triple at offset {3 * i} has value {int(numbers[i])} > 65535")
    out = numbers.astype(">u2").tobytes()
    if full < len(values):
        n = int(values[full]) + int(values[full + 1]) * 45
        if n > 0xFF:
            raise Base45Error(f"base45 pair at offset {full} has value {n} > 255")
        out += bytes([n])
    return out
