"""Pydantic I/O schemas of the trust domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dyrd.core.types import Role
from dyrd.trust.compute.urls import MAX_URL_LENGTH
from dyrd.trust.types import (
    MEMBER_ID_EXAMPLE,
    MEMBER_ID_PATTERN,
    NAME_PATTERN,
    TEXT_PATTERN,
    USERNAME_PATTERN,
    KeyAlgorithm,
    KeyStatus,
    MemberKind,
    TokenStatus,
)

SERVICE_CODE_PATTERN = r"^[a-z][a-z0-9._-]{0,63}$"
"""A service code as X-Road's SERVICECODE: lower-case letters, digits, '.', '_', '-'."""

SERVICE_VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$"
"""An optional service version such as ``v1`` or ``2.1``."""

MAX_SERVICES = 100
"""Most services one node may list in the directory."""

MAX_TOKEN_DAYS = 3650
"""Longest lifetime a token may be given (the same bound as ``Settings.token_default_days``)."""

MemberId = Annotated[
    str, Field(pattern=MEMBER_ID_PATTERN, max_length=128, examples=[MEMBER_ID_EXAMPLE])
]
Username = Annotated[str, Field(pattern=USERNAME_PATTERN, examples=["zhang.wei"])]


def _name(max_length: int) -> Any:
    return Field(pattern=NAME_PATTERN, max_length=max_length)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Create(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberCreate(_Create):
    """A new jurisdiction or department; kind and parent follow from the identifier."""

    id: MemberId
    name_zh: Annotated[str, _name(128)]
    name_en: Annotated[str, _name(256)]


class MemberRead(_Read):
    """A member with its place in the tree and who created it."""

    id: str
    name_zh: str
    name_en: str
    kind: MemberKind
    parent_id: str | None
    jurisdiction_code: str | None
    created_by: str
    created_for: str
    created_at: datetime


class RoleGrant(_Create):
    """A role to grant in a member."""

    member_id: MemberId
    role: Role


class RoleAssignmentRead(_Read):
    """A live role a user holds in a member, and who granted it."""

    id: int
    username: str
    member_id: str
    role: Role
    created_by: str
    created_for: str
    created_at: datetime


class UserCreate(_Create):
    """A new user with a first role; the caller must be an admin of that member."""

    username: Username
    display_name: Annotated[str, _name(128)] | None = None
    member_id: MemberId
    role: Role


class UserRead(_Read):
    """A user and the roles they hold now."""

    username: str
    display_name: str
    active: bool
    created_by: str
    created_for: str
    created_at: datetime
    roles: list[RoleAssignmentRead]


class TokenCreate(_Create):
    """A new token for the caller; ``days`` defaults to the platform setting."""

    name: Annotated[str, Field(pattern=TEXT_PATTERN, max_length=64)] = ""
    days: Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS)] | None = None


class TokenRead(_Read):
    """A token as listed: never its secret or its digest."""

    id: int
    username: str
    name: str
    prefix: str
    status: TokenStatus
    expires_at: datetime
    last_used_at: datetime | None
    created_by: str
    created_for: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


class TokenCreated(TokenRead):
    """A token just created, with its secret: shown this once, never stored in clear."""

    token: str


class KeyRead(_Read):
    """A member key as listed: public JWK, algorithm, status and validity window."""

    kid: str
    member_id: str
    algorithm: KeyAlgorithm
    status: KeyStatus
    not_before: datetime
    not_after: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None
    public_jwk: dict[str, str]
    created_by: str
    created_for: str
    created_at: datetime


class KeyRotation(BaseModel):
    """What a rotation did: the new active key, and the key it retired (if there was one)."""

    active: KeyRead
    retired: KeyRead | None


class ServiceSpec(_Create):
    """A service a node offers: code, optional version, bilingual title."""

    code: Annotated[str, Field(pattern=SERVICE_CODE_PATTERN, examples=["healthcode-status"])]
    version: Annotated[str, Field(pattern=SERVICE_VERSION_PATTERN)] | None = None
    title_zh: Annotated[str, _name(256)]
    title_en: Annotated[str, _name(256)]


class NodeUpdate(_Create):
    """A member's node: base URL (http or https, no credentials) and the services it offers."""

    url: Annotated[
        str, Field(max_length=MAX_URL_LENGTH, examples=["https://node.zj.example.gov.cn/"])
    ]
    services: Annotated[list[ServiceSpec], Field(max_length=MAX_SERVICES)] = []


class NodeRead(_Read):
    """A member's node as the directory will list it, and who set it."""

    member_id: str
    url: str
    services: list[ServiceSpec]
    updated_by: str
    updated_for: str
    updated_at: datetime


class DirectoryPublished(BaseModel):
    """A signed directory document: its serial, validity window, signing key and size."""

    serial: int
    issued_at: datetime
    expires_at: datetime
    key_id: str
    members: int
    keys: int
    nodes: int
    bytes: int


MAX_CERTIFICATE_DAYS = 2 * 365
"""Longest DSC lifetime: the eHN recommendation of 2 years (dgc-overview certificate-governance)."""


class CertificateIssue(_Create):
    """Issue a document-signer certificate for a member's key (default: its active ES256 key)."""

    member_id: MemberId
    key_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{43}$")] | None = None
    days: Annotated[int, Field(ge=1, le=MAX_CERTIFICATE_DAYS)] | None = None


class CertificateRevoke(_Create):
    """Why a certificate is revoked (one line)."""

    reason: Annotated[str, Field(max_length=256, pattern=TEXT_PATTERN)] = ""


class CertificateRead(_Read):
    """A CSCA or DSC as listed: identifiers, holder, key, validity, status, DER in base64."""

    fingerprint: str
    kid: str
    kind: str
    member_id: str
    jurisdiction_code: str | None
    key_id: str
    algorithm: KeyAlgorithm
    status: KeyStatus
    subject: str
    not_before: datetime
    not_after: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_reason: str | None
    listed: bool
    der: str
    created_by: str
    created_for: str
    created_at: datetime


class CertificateRotation(BaseModel):
    """What issuing did: the new active certificate and the one it retired (if any)."""

    active: CertificateRead
    retired: CertificateRead | None


class TrustListInfo(BaseModel):
    """The credential trust list in brief: version, digest and how many certificates."""

    version: int
    entries_sha256: str
    cscas: int
    dscs: int
