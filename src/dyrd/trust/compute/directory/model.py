"""The directory's value types, refusal reasons and time format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from dyrd.trust.compute import jose
from dyrd.trust.types import KeyAlgorithm, KeyStatus, KeyWindow, MemberKind

FORMAT = "dyrd-directory/1"
"""Value of the payload's ``format`` member; a change that old nodes cannot read bumps it."""

JWS_TYPE = "dyrd-directory+jcs"
"""The protected header's ``typ`` (RFC 7515 §4.1.9), so no other signed object passes as one."""

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
"""Largest document accepted; the YRD directory with 21 members is about 20 KB."""

CLOCK_SKEW = timedelta(minutes=5)
"""Tolerance for a node whose clock runs behind the issuer's (Kerberos' default, RFC 4120)."""


class RejectReason(StrEnum):
    """Why a directory document was refused."""

    MALFORMED = "malformed"
    UNTRUSTED_KEY = "untrusted-key"
    BAD_SIGNATURE = "bad-signature"
    INVALID_CONTENT = "invalid-content"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    ROLLBACK = "rollback"
    FORKED = "forked"


class DirectoryRejected(ValueError):
    """A directory document that must not be used, with the reason in both languages."""

    def __init__(self, reason: RejectReason, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class DirectoryService:
    """A service a member's node offers, named as X-Road names them: code and optional version."""

    code: str
    version: str | None
    title_zh: str
    title_en: str


@dataclass(frozen=True, slots=True)
class DirectoryKey:
    """A member's public key and the window in which its signatures count."""

    kid: str
    algorithm: KeyAlgorithm
    status: KeyStatus
    window: KeyWindow
    jwk: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DirectoryMember:
    """A member as the directory lists it."""

    id: str
    name_zh: str
    name_en: str
    kind: MemberKind
    parent_id: str | None
    node_url: str | None
    services: tuple[DirectoryService, ...]
    keys: tuple[DirectoryKey, ...]


@dataclass(frozen=True, slots=True)
class DirectoryTrustList:
    """Where the credential trust list is and which version is current."""

    version: int
    entries_sha256: str
    url: str
    """A URL reference, resolved against the directory's own URL (RFC 3986 §5.2)."""


@dataclass(frozen=True, slots=True)
class Directory:
    """A verified directory; also a ``Verifier`` of members' signatures, without a database."""

    serial: int
    region: str
    issued_at: datetime
    expires_at: datetime
    signed_by: str
    members: tuple[DirectoryMember, ...]
    document: bytes = field(repr=False)
    payload_sha256: str = field(repr=False)
    key_index: Mapping[str, tuple[str, DirectoryKey]] = field(repr=False, compare=False)
    loaded_keys: Mapping[str, jose.PublicKeyObject] = field(repr=False, compare=False)
    trust_list: DirectoryTrustList | None = None
    """The credential trust list's pointer, when the region publishes one."""

    def member(self, member_id: str) -> DirectoryMember | None:
        """The member with this identifier, if listed."""
        return next((m for m in self.members if m.id == member_id), None)

    def key(self, kid: str) -> tuple[str, DirectoryKey] | None:
        """(member id, key) of the key ``kid``, if listed."""
        return self.key_index.get(kid)

    def valid_at(self, at: datetime) -> bool:
        """True when the directory may be used at ``at`` (issued, not expired)."""
        return self.issued_at - CLOCK_SKEW <= at < self.expires_at

    def verify(self, key_id: str, data: bytes, signature: bytes, *, at: datetime) -> bool:
        """True when a listed key signed ``data`` at ``at`` within its validity window."""
        found = self.key_index.get(key_id)
        if found is None:
            return False
        key = found[1]
        return key.window.covers(at) and jose.verify_with_key(
            key.algorithm, self.loaded_keys[key_id], data, signature
        )


def format_time(at: datetime) -> str:
    """RFC 3339 UTC with ``Z``; microseconds only when there are some."""
    if at.tzinfo is None:
        raise ValueError("directory times must be timezone-aware")
    text = at.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def parse_time(text: object) -> datetime:
    """A time written by :func:`format_time`; ValueError otherwise."""
    if not isinstance(text, str) or not text.endswith("Z") or "T" not in text:
        raise ValueError("not an RFC 3339 UTC time ending in Z")
    at = datetime.fromisoformat(text[:-1] + "+00:00")
    return at.astimezone(UTC)


def summary(directory: Directory) -> dict[str, Any]:
    """A short JSON-ready description of a verified directory (for CLIs and logs)."""
    return {
        "serial": directory.serial,
        "region": directory.region,
        "issued_at": format_time(directory.issued_at),
        "expires_at": format_time(directory.expires_at),
        "signed_by": directory.signed_by,
        "members": len(directory.members),
        "keys": sum(len(m.keys) for m in directory.members),
        "nodes": sum(1 for m in directory.members if m.node_url),
    }
