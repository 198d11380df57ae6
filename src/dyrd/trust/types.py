"""Pure value types of the trust domain: member identifiers, kinds, token states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dyrd.core.types import REGION_MEMBER_ID

JURISDICTION_CLASS = "GOV"
"""Member class of governments, as in X-Road's ``instance/class/code/subsystem`` identifiers."""

MEMBER_ID_PATTERN = r"^CN-YRD(/GOV/[1-9][0-9]{5}(/[A-Z][A-Z0-9]{1,15})?)?$"
"""CN-YRD, CN-YRD/GOV/<GB/T 2260 code>, or CN-YRD/GOV/<code>/<department code in capitals>."""

MEMBER_ID_EXAMPLE = "CN-YRD/GOV/330000/DSJ"

USERNAME_PATTERN = r"^[a-z][a-z0-9._-]{1,63}$"
"""2-64 characters: lower-case letters, digits, '.', '_', '-'; starts with a letter."""

TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""Free text on one line: no control characters (PostgreSQL refuses NUL in text)."""

NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
"""A name: one line of text, not blank."""

RESERVED_USERNAMES = frozenset({"system"})
"""Names the platform itself writes into audit columns (``Actor.system()``); no user takes one."""

_MEMBER_ID = re.compile(MEMBER_ID_PATTERN)
_USERNAME = re.compile(USERNAME_PATTERN)
_TEXT = re.compile(TEXT_PATTERN)


class MemberKind(StrEnum):
    """Where a member sits in the tree: the region, a jurisdiction, or one of its departments."""

    REGION = "region"
    JURISDICTION = "jurisdiction"
    DEPARTMENT = "department"


class TokenStatus(StrEnum):
    """Whether an API token still authenticates."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class MemberPath:
    """What a member identifier says about its place in the tree.

    The parent is always the identifier's own prefix, so the tree agrees with
    ``Principal.has_role``, which lets a role in a member cover the members below it by prefix.
    """

    id: str
    kind: MemberKind
    parent_id: str | None
    jurisdiction_code: str | None

    @classmethod
    def parse(cls, value: str) -> MemberPath | None:
        """The parsed identifier, or None when it does not follow MEMBER_ID_PATTERN."""
        if not _MEMBER_ID.fullmatch(value):
            return None
        parts = value.split("/")
        if len(parts) == 1:
            return cls(value, MemberKind.REGION, None, None)
        code = parts[2]
        if len(parts) == 3:
            return cls(value, MemberKind.JURISDICTION, REGION_MEMBER_ID, code)
        return cls(value, MemberKind.DEPARTMENT, "/".join(parts[:3]), code)


@dataclass(frozen=True, slots=True)
class MemberSpec:
    """A member to create: identifier and bilingual names."""

    id: str
    name_zh: str
    name_en: str


def is_valid_username(value: str) -> bool:
    """True when ``value`` follows USERNAME_PATTERN (reserved names are checked separately)."""
    return bool(_USERNAME.fullmatch(value))


def is_one_line(value: str) -> bool:
    """True when ``value`` has no control characters (TEXT_PATTERN)."""
    return bool(_TEXT.fullmatch(value))


# --- keys, signatures and the directory ------------------------------------------------------


class KeyAlgorithm(StrEnum):
    """Signature algorithms of member keys, named as in JOSE/COSE (RFC 7518, RFC 8037, RFC 9053).

    SM2 with SM3 (GB/T 32918) is not a value here yet: it works behind the same ports on its
    own (``adapters.sm2_signer`` signs, ``compute.sm2`` verifies, through ``tongsuopy``), and
    becoming a third value needs the key table's CHECK widened by a migration, ``jose`` to
    dispatch on ``crv: SM2``, and the SM2-with-SM3 OID (1.2.156.10197.1.501) in ``x509``.
    """

    ES256 = "ES256"
    """ECDSA on P-256 with SHA-256; signatures are the 64-byte r || s of RFC 7518 §3.4."""
    EDDSA = "EdDSA"
    """Ed25519 (RFC 8032); signatures are the raw 64 bytes."""


class KeyStatus(StrEnum):
    """Where a key is in its life: signing now, kept to verify old signatures, or withdrawn."""

    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


class DirectoryState(StrEnum):
    """How a node's copy of the signed directory stands."""

    FRESH = "fresh"
    """Fetched and verified at the last attempt, recently."""
    STALE_BUT_VALID = "stale-but-valid"
    """The directory is unreachable or sent something refused; the cached copy is still valid."""
    EXPIRED = "expired"
    """No copy valid now: the cached one expired, or there never was one."""


@dataclass(frozen=True, slots=True)
class KeyWindow:
    """When signatures made with a key count: [not_before, not_after), and before any revocation.

    A retired key keeps verifying what it signed while it was active; a revoked key verifies
    nothing dated at or after ``revoked_at``.
    """

    not_before: datetime
    not_after: datetime | None = None
    revoked_at: datetime | None = None

    def covers(self, at: datetime) -> bool:
        """True when a signature made at ``at`` falls inside the window."""
        if at < self.not_before:
            return False
        if self.not_after is not None and at >= self.not_after:
            return False
        return self.revoked_at is None or at < self.revoked_at


@dataclass(frozen=True, slots=True)
class DirectoryStatus:
    """What a directory client reports: its state and the copy it serves, if any."""

    state: DirectoryState
    serial: int | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
