"""Errors of the credential domain; each subclasses the core error that fixes its HTTP status.

A credential that fails verification is not an error: it is a verdict with ``valid`` false. These
errors are for requests that cannot be understood (no text, an unreadable certificate or clock).
"""

from __future__ import annotations

from dyrd.core.errors import (
    ConflictError,
    DyrdError,
    PayloadTooLarge,
    PermissionDenied,
    ValidationFailed,
)


class CredentialError(DyrdError):
    """Base of the credential domain's errors."""

    code = "credential-error"
    title = "Credential error"
    title_zh = "凭证错误"


class CredentialRequestInvalid(CredentialError, ValidationFailed):
    """A verification or issuance request that cannot be understood: say what to send instead."""

    code = "credential-request-invalid"
    title = "Invalid credential request"
    title_zh = "凭证请求无效"


class CertificateInvalid(CredentialError, ValidationFailed):
    """A document-signer certificate given by the caller that is not DER X.509 in base64."""

    code = "certificate-invalid"
    title = "Invalid certificate"
    title_zh = "证书无效"


class CredentialTooLarge(CredentialError, PayloadTooLarge):
    """QR text or an image larger than a verifier accepts."""

    code = "credential-too-large"
    title = "Credential too large"
    title_zh = "凭证内容过大"


class IssuanceFailed(CredentialError, ValidationFailed):
    """Claims that cannot be issued as an HC1 code (unsupported algorithm, too long for a QR)."""

    code = "issuance-failed"
    title = "Credential cannot be issued"
    title_zh = "无法签发凭证"


class AlreadyRevoked(CredentialError, ConflictError):
    """The hash is already revoked under that key in the issuer's list (nothing changed)."""

    code = "already-revoked"
    title = "Already revoked"
    title_zh = "已吊销"


class RevocationNotLifted(CredentialError, ConflictError):
    """A lift of a revocation that was already lifted."""

    code = "revocation-already-lifted"
    title = "Revocation already lifted"
    title_zh = "吊销已撤销"


class KidNotOwned(CredentialError, PermissionDenied):
    """A revocation under a key id whose document-signer certificate is not the issuer's."""

    code = "revocation-kid-not-owned"
    title = "Key id not the issuer's"
    title_zh = "密钥标识不属于签发方"
