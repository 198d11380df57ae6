"""The canonical encoding of a log entry: RFC 8785 JSON (JCS) of a fixed set of fields.

An entry's bytes are what its leaf hash commits to, so the encoding must be byte-for-byte
reproducible by any verifier, in any language: RFC 8785 fixes key order (UTF-16 code units),
number formatting (ECMAScript) and string escaping. Each entry also names the leaf hash of the
entry before it (a hash chain), so reordering is caught even without a signed tree head.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from dyrd.ledger.compute.merkle import HASH_SIZE, leaf_hash

ENTRY_VERSION = 1
GENESIS_PREV = bytes(HASH_SIZE)
"""``prev`` of entry 0: 32 zero bytes."""

MAX_ENTRY_BYTES = 64 * 1024
"""Upper bound on one encoded entry. The log holds evidence *about* an exchange (who, what,
hashes of bodies), never the bodies: X-Road's message log ran out of memory and hit
'maximum loggable size' errors by storing whole messages (X-Road issues #1293, #179, #494)."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Integers above this lose precision as IEEE 754 doubles (RFC 8785 §3.2.2.3, I-JSON RFC 7493)."""

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_KIND = 64
MAX_SUBJECT = 256
MAX_NAME = 128
_FIELDS = frozenset({"v", "seq", "timestamp", "actor", "kind", "subject", "payload", "prev"})
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


class EntryError(ValueError):
    """An entry or a JSON value that cannot be encoded canonically; the message says why."""


# --- RFC 8785 JSON Canonicalization Scheme -------------------------------------------------


def _number(value: float) -> str:
    """ECMAScript Number::toString of a finite double (RFC 8785 §3.2.2.3)."""
    if not math.isfinite(value):
        raise EntryError(f"JSON has no representation for {value!r}")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that round-trip, as ECMAScript requires; rewrite them
    # as value = digits * 10**(n - k) with k = len(digits) (ECMA-262 Number::toString).
    mantissa, _, exp = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    significant = (int_part + frac_part).lstrip("0")
    digits = significant.rstrip("0")
    exp10 = (int(exp) if exp else 0) - len(frac_part) + len(significant) - len(digits)
    k = len(digits)
    n = exp10 + k
    if k <= n <= 21:  # thresholds of ECMA-262 Number::toString
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = (
            digits[0] + ("." + digits[1:] if k > 1 else "") + f"e{'+' if e >= 0 else '-'}{abs(e)}"
        )
    return sign + text


def _string(value: str) -> str:
    # The escaping json.dumps does with ensure_ascii off is exactly RFC 8785 §3.2.2.2's; lone
    # surrogates are caught when the whole text is encoded to UTF-8.
    return encode_basestring(value)


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) <= MAX_SAFE_INTEGER:
            return str(value)
        # JSON numbers are doubles (RFC 8785). A larger integer is accepted where it is a double
        # exactly, or is the canonical text of one (a canonical 3.287999166533619e+16 is
        # written 32879991665336190 and parsed back as that integer); others would lose digits.
        try:
            nearest = float(value)
        except OverflowError:
            nearest = math.inf
        text = _number(nearest) if math.isfinite(nearest) else ""
        if nearest != value and text != str(value):
            raise EntryError(
                f"integer {value} is beyond ±(2**53-1); send it as a string to keep it exact"
            )
        return text
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    raise EntryError(f"{type(value).__name__} is not a JSON value")


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > 32:  # bound recursion on hostile input
        raise EntryError("JSON nested deeper than 32 levels")
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise EntryError("JSON object keys must be strings")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            out.append(("," if i else "") + _string(key) + ":")
            _encode(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out, depth + 1)
        out.append("]")
    else:
        out.append(_scalar(value))


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value`` as UTF-8 bytes."""
    out: list[str] = []
    _encode(value, out, 0)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EntryError("strings must be valid Unicode (no lone surrogates)") from exc


# --- log entries ----------------------------------------------------------------------------


def format_timestamp(at: datetime) -> str:
    """ISO 8601 UTC with microseconds and 'Z', fixed width (``2026-11-26T08:00:00.000000Z``)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise EntryError("timestamp must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """Inverse of :func:`format_timestamp`; refuses any other spelling."""
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise EntryError(f"timestamp {text!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ")
    try:
        return datetime.fromisoformat(text)  # the pattern fixed the form; this checks ranges
    except ValueError as exc:
        raise EntryError(f"timestamp {text!r} is not a valid date and time") from exc


def _name(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise EntryError(f"{what} must be a non-empty string of at most {limit} characters")
    return value


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log entry; :meth:`encode` gives the bytes its leaf hash commits to."""

    seq: int
    timestamp: str
    actor_user: str
    actor_member: str
    kind: str
    subject: str
    payload: Mapping[str, Any]
    prev: bytes

    def __post_init__(self) -> None:
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 0:
            raise EntryError(f"seq must be a non-negative integer, got {self.seq!r}")
        parse_timestamp(self.timestamp)
        _name(self.actor_user, "actor.user", MAX_NAME)
        _name(self.actor_member, "actor.member", MAX_NAME)
        if not isinstance(self.kind, str) or len(self.kind) > MAX_KIND:
            raise EntryError(f"kind must be a string of at most {MAX_KIND} characters")
        if not KIND_PATTERN.match(self.kind):
            raise EntryError(
                f"kind {self.kind!r} must be dotted lower-case words, e.g. 'exchange.request'"
            )
        _name(self.subject, "subject", MAX_SUBJECT)
        if not isinstance(self.payload, Mapping):
            raise EntryError("payload must be a JSON object")
        if not isinstance(self.prev, bytes) or len(self.prev) != HASH_SIZE:
            raise EntryError("prev must be a 32-byte hash")

    def as_json(self) -> dict[str, Any]:
        """The JSON object that is canonicalised."""
        return {
            "v": ENTRY_VERSION,
            "seq": self.seq,
            "timestamp": self.timestamp,
            "actor": {"user": self.actor_user, "member": self.actor_member},
            "kind": self.kind,
            "subject": self.subject,
            "payload": dict(self.payload),
            "prev": self.prev.hex(),
        }

    def encode(self) -> bytes:
        """Canonical bytes (RFC 8785), refused beyond :data:`MAX_ENTRY_BYTES`."""
        data = canonical_json(self.as_json())
        if len(data) > MAX_ENTRY_BYTES:
            raise EntryError(
                f"entry is {len(data)} bytes, more than {MAX_ENTRY_BYTES}; "
                "log a SHA-256 of large bodies instead of the bodies"
            )
        return data

    def leaf_hash(self) -> bytes:
        """RFC 9162 leaf hash of the canonical bytes."""
        return leaf_hash(self.encode())


def make_entry(
    *,
    seq: int,
    at: datetime,
    actor_user: str,
    actor_member: str,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    prev: bytes,
) -> LogEntry:
    """Build a validated entry (the timestamp is formatted in UTC)."""
    return LogEntry(
        seq=seq,
        timestamp=format_timestamp(at),
        actor_user=actor_user,
        actor_member=actor_member,
        kind=kind,
        subject=subject,
        payload=payload,
        prev=prev,
    )


def entry_from_json(obj: object) -> LogEntry:
    """Parse the JSON object of an entry; refuses unknown versions, missing or extra fields."""
    if not isinstance(obj, dict):
        raise EntryError("an entry is a JSON object")
    if obj.get("v") != ENTRY_VERSION:
        raise EntryError(f"entry version {obj.get('v')!r} is not {ENTRY_VERSION}")
    if set(obj) != _FIELDS:
        extra, missing = sorted(set(obj) - _FIELDS), sorted(_FIELDS - set(obj))
        raise EntryError(f"entry fields differ: missing {missing}, unexpected {extra}")
    actor = obj["actor"]
    if not isinstance(actor, dict) or set(actor) != {"user", "member"}:
        raise EntryError("actor must be an object with exactly 'user' and 'member'")
    prev = obj["prev"]
    if not isinstance(prev, str) or not re.fullmatch(r"[0-9a-f]{64}", prev):
        raise EntryError("prev must be 64 lower-case hex digits")
    return LogEntry(
        seq=obj["seq"],
        timestamp=obj["timestamp"],
        actor_user=actor["user"],
        actor_member=actor["member"],
        kind=obj["kind"],
        subject=obj["subject"],
        payload=obj["payload"],
        prev=bytes.fromhex(prev),
    )


def decode_entry(data: bytes) -> LogEntry:
    """Parse canonical entry bytes and check they are canonical (re-encoding is identical)."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError(f"entry is not UTF-8 JSON: {exc}") from exc
    entry = entry_from_json(obj)
    if entry.encode() != data:
        raise EntryError("entry bytes are not in canonical form (RFC 8785)")
    return entry
