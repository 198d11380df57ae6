"""Pydantic I/O of revocation: what stewards send, what the API and the CLI print."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dyrd.credential.compute.revocation import HashType

MEMBER_ID_PATTERN = r"^CN-YRD(/GOV/[1-9][0-9]{5}(/[A-Z][A-Z0-9]{1,15})?)?$"
"""A member id (the trust domain's pattern, repeated so the schema stands alone in OpenAPI)."""

KID_PATTERN = r"^([0-9a-fA-F]{16}|[A-Za-z0-9+/_-]{11}=?)$"
"""The 8-byte DCC kid: 16 hex digits, or base64/base64url (as DCC trust lists write it)."""

HASH_PATTERN = r"^([0-9a-fA-F]{32}|[A-Za-z0-9+/_-]{22}(==)?)$"
"""A 16-byte revocation hash: 32 hex digits or base64/base64url."""

Reason = Annotated[str, Field(min_length=1, max_length=500, description="为何吊销 / why")]


class RevocationCreate(BaseModel):
    """Revoke by hash (``kid`` + ``hash_type`` + ``hash``) or by the credential text itself.

    With ``credential`` (``HC1:...``) the kid, signature and UCI are read from the code, and
    each of ``hash_types`` is revoked (default: SIGNATURE, this one code only).
    """

    model_config = ConfigDict(extra="forbid")

    issuer_member: Annotated[
        str, Field(pattern=MEMBER_ID_PATTERN, max_length=128, description="签发成员 / issuer")
    ]
    reason: Reason
    kid: Annotated[str | None, Field(pattern=KID_PATTERN, description="DSC kid")] = None
    hash_type: HashType | None = None
    hash: Annotated[str | None, Field(pattern=HASH_PATTERN, description="16-byte hash")] = None
    credential: Annotated[
        str | None, Field(min_length=4, max_length=4296, description="HC1:... 凭证文本")
    ] = None
    hash_types: list[HashType] = Field(default_factory=lambda: [HashType.SIGNATURE])

    @model_validator(mode="after")
    def _one_way(self) -> RevocationCreate:
        by_hash = (self.kid, self.hash_type, self.hash)
        if self.credential is not None:
            if any(v is not None for v in by_hash):
                raise ValueError("give either credential, or kid + hash_type + hash, not both")
        elif any(v is None for v in by_hash):
            raise ValueError("give kid, hash_type and hash (or the credential text)")
        return self


class RevocationLift(BaseModel):
    """Lift a revocation made in error."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class RevocationRead(BaseModel):
    """One revocation record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    issuer_member: str
    kid: str
    hash_type: HashType
    hash: str
    reason: str
    version: int
    created_at: datetime
    created_by: str
    created_for: str
    lifted_version: int | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lifted_reason: str | None = None


class RevocationPage(BaseModel):
    """A page of revocation records, newest first."""

    items: list[RevocationRead]
    total: int
    limit: int
    offset: int


class RevocationListRead(BaseModel):
    """An issuer's list as served: version and how many revocations stand."""

    issuer_member: str
    version: int
    standing: int
    updated_at: datetime | None = None


class SyncIssuerRead(BaseModel):
    """A verifier's copy of one issuer's list."""

    issuer_member: str
    version: int
    entries: int
    last_success_at: datetime | None = None
    last_error: str | None = None
    ignored_foreign: int = 0
    """Entries not honoured: the held trust list does not give their kid to this issuer."""


class SyncStatusRead(BaseModel):
    """A verifier's revocation sync: fresh, stale or empty, per issuer."""

    state: str
    interval_seconds: float
    issuers: list[SyncIssuerRead]
    ignored_foreign: int = 0
