"""Signed credentials in QR form (EU DCC / HCERT container): encode, verify, revoke."""

from __future__ import annotations

from dyrd.credential.compute.hcert import encode_hc1, verify
from dyrd.credential.compute.revocation import (
    HashType,
    RevocationSnapshot,
    coordinates,
    read_coordinates,
)
from dyrd.credential.errors import (
    AlreadyRevoked,
    CertificateInvalid,
    CredentialError,
    CredentialRequestInvalid,
    CredentialTooLarge,
    IssuanceFailed,
    RevocationNotLifted,
)
from dyrd.credential.types import STEPS, Step, Verdict

__all__ = [
    "STEPS",
    "AlreadyRevoked",
    "CertificateInvalid",
    "CredentialError",
    "CredentialRequestInvalid",
    "CredentialTooLarge",
    "HashType",
    "IssuanceFailed",
    "RevocationNotLifted",
    "RevocationSnapshot",
    "Step",
    "Verdict",
    "coordinates",
    "encode_hc1",
    "read_coordinates",
    "verify",
]
