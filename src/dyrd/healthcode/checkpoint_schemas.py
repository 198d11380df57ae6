"""Pydantic I/O of checkpoint verification (mutual recognition) and acceptance policies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dyrd.healthcode.types import Colour

MAX_TEXT_CHARS = 8592
"""Longest text accepted in a request (twice a QR code's capacity; longer gets a verdict)."""

CHECKPOINT_STEPS = (
    "prefix",
    "base45",
    "zlib",
    "cose",
    "cbor",
    "signature",
    "key_usage",
    "expiry",
    "schema",
    "revocation",
    "policy",
)
"""The steps of a checkpoint verdict: the credential verifier's, then revocation and policy."""


class CheckpointVerify(BaseModel):
    """A code to verify at a checkpoint of ``jurisdiction``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TEXT_CHARS, description="The QR text, HC1:...")
    jurisdiction: str = Field(
        min_length=6, max_length=6, description="The checkpoint's jurisdiction", examples=["310000"]
    )
    at: str | None = Field(
        default=None,
        max_length=64,
        description="Validation time, ISO 8601 (naive = UTC); default now",
        examples=["2026-11-26T08:00:00Z"],
    )
    test_text: str | None = Field(
        default=None,
        max_length=MAX_TEXT_CHARS,
        description="An EU DCC test certificate (HC1:...) shown alongside the code: its "
        "negative result counts when it verifies and names the code's holder",
    )


class TrustListState(BaseModel):
    """The credential trust list the checkpoint verified against."""

    state: Literal["valid", "expired", "missing"]
    version: int | None
    expires_at: datetime | None


class Holder(BaseModel):
    """What the code says about its holder, for the officer to compare with an ID document."""

    initials: str
    birth_year: int


class TestCertificateRead(BaseModel):
    """What the checkpoint made of a test certificate shown alongside the code."""

    __test__ = False  # not a pytest test class

    valid: bool = Field(description="It verified (every HC1 step, trust list, revocation)")
    used: bool = Field(description="Its negative result was given to the acceptance policy")
    negative_at: datetime | None = Field(default=None, description="Sample collection time")
    reason: str
    reason_zh: str


class CheckpointVerdictRead(BaseModel):
    """The checkpoint's answer on one code: accepted or not, each step, and why."""

    accepted: bool = Field(description="Let through under the checkpoint's acceptance policy")
    valid: bool = Field(description="Signature, expiry, schema and revocation all passed")
    steps: dict[str, bool | None] = Field(
        description="Each step: true passed, false failed, null not reached or not applicable "
        "(prefix, base45, zlib, cose, cbor, signature, key_usage, expiry, schema, revocation, "
        "policy)"
    )
    reason: str = Field(description="Why, in English")
    reason_zh: str = Field(description="Why, in Chinese")
    checkpoint_jurisdiction: str
    at: datetime
    colour: Colour | None = None
    issuing_jurisdiction: str | None = None
    rule_id: str | None = Field(default=None, description="Colour rule that decided the colour")
    rule_version: int | None = None
    policy_id: str | None = Field(default=None, description="Acceptance policy applied")
    policy_version: int | None = None
    policy_source: Literal["stored", "bundled-sample"] | None = Field(
        default=None,
        description="stored: a policy published on this node; bundled-sample: none is, so the "
        "bundled SAMPLE policy was applied",
    )
    kid: str | None = Field(default=None, description="Key id from the COSE header, hex")
    alg: int | None = None
    expires_at: datetime | None = Field(default=None, description="When the code expires")
    negative_test_at: datetime | None = None
    test_certificate: TestCertificateRead | None = Field(
        default=None, description="The test certificate shown alongside, when one was"
    )
    holder: Holder | None = None
    trust_list: TrustListState
    revocation_checked: bool = Field(description="False when no revocation data was available")
    logged: bool = Field(description="The check was recorded in the resident's access log")


class PolicyRead(BaseModel):
    """One signed version of a jurisdiction's acceptance policy."""

    policy_id: str
    version: int
    jurisdiction: str
    valid_from: date
    valid_until: date | None
    sample: bool
    description_zh: str
    description_en: str
    document: dict[str, Any]
    protected: str = Field(
        description="JWS protected header (base64url), typ dyrd-hc-acceptance+jcs"
    )
    signature: str = Field(description="JWS signature (base64url) over protected.payload")
    key_id: str
    signed_by: str
    signed_at: datetime
    source: Literal["stored", "bundled-sample"] = Field(
        description="stored on this node, or the bundled SAMPLE signed in memory (fallback)"
    )
    verified: bool | None = Field(
        default=None, description="The signature verified when read (a refused one never applies)"
    )


class PolicyPublish(BaseModel):
    """An acceptance policy document to sign with the jurisdiction's key and publish."""

    model_config = ConfigDict(extra="forbid")
    document: dict[str, Any]
