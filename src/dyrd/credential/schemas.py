"""Pydantic I/O of credential verification: the request and the verdict."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dyrd.credential.compute.hcert import MAX_TEXT_CHARS
from dyrd.credential.types import Step, Verdict

MAX_CERTIFICATES = 64
"""Explicit certificates one request may carry."""

MAX_CERTIFICATE_CHARS = 16_384
"""Base64 length of one certificate (a DSC is 0.5-2 KB of DER)."""


class VerifyRequest(BaseModel):
    """HC1 text to verify, with optional certificates and validation time."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        max_length=MAX_TEXT_CHARS * 2,
        description="The QR text, starting with HC1: (longer text gets an invalid verdict)",
    )
    certificates: list[str] = Field(
        default_factory=list,
        max_length=MAX_CERTIFICATES,
        description="Document-signer certificates, base64 DER, used besides the trust list",
    )
    at: str | None = Field(
        default=None,
        max_length=64,
        description="Validation time, ISO 8601 (naive = UTC); default now",
        examples=["2021-06-01T12:00:00Z"],
    )


class StepsRead(BaseModel):
    """Each step: true passed, false failed, null not reached or not applicable."""

    prefix: bool | None
    base45: bool | None
    zlib: bool | None
    cose: bool | None
    cbor: bool | None
    signature: bool | None
    key_usage: bool | None
    expiry: bool | None
    schema_: bool | None = Field(alias="schema", serialization_alias="schema")

    model_config = ConfigDict(populate_by_name=True)


class VerdictRead(BaseModel):
    """The verdict on one credential."""

    valid: bool
    steps: StepsRead
    reason: str = Field(description="Why, in English")
    reason_zh: str = Field(description="Why, in Chinese")
    kid: str | None = Field(description="Key id from the COSE header, hex")
    alg: int | None = Field(description="COSE algorithm number from the header")

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictRead:
        """The API form of a verdict."""
        steps = {s.value: verdict.steps.get(s) for s in Step}
        return cls(
            valid=verdict.valid,
            steps=StepsRead.model_validate(steps),
            reason=verdict.reason,
            reason_zh=verdict.reason_zh,
            kid=verdict.kid.hex() if verdict.kid is not None else None,
            alg=verdict.alg,
        )
