"""Use cases of the credential domain: verify HC1 text or QR images against certificates."""

from __future__ import annotations

from dyrd.credential.service.verification import (
    CertificateCache,
    parse_at,
    parse_certificates,
    unreadable_image,
    verify_credential,
)

__all__ = [
    "CertificateCache",
    "parse_at",
    "parse_certificates",
    "unreadable_image",
    "verify_credential",
]
