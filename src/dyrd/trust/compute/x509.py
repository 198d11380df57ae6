"""X.509 certificates for credential trust: the region CSCA and members' document signers (pure).

The EU DCC's two-level PKI (eHealth Network, "Guidelines on Technical Specifications for EU DCC",
vol. 3, §5): a Country Signing CA (CSCA) issues Document Signer Certificates (DSCs); a
credential names its DSC by ``kid`` = the first 8 bytes of SHA-256 over the DSC's DER; a
verifier holds the DSCs from a trust list and checks each against its CSCA (shell model).
Here the region's root key is the CSCA (the region trust anchor) and every jurisdiction's
signing key gets a DSC.

Private keys never pass through here. Certificates are assembled with asn1crypto and signed by
a callable (the ``KeyStore``'s ``sign``), because ``cryptography``'s builder signs only with a
private key object it holds itself. ES256 signatures arrive as JOSE r || s and are DER-encoded
(``Ecdsa-Sig-Value``, RFC 5480 §2.2 / RFC 5758 §3.2) as X.509 requires; Ed25519 signatures are
used as they are (RFC 8410 §6). Parsing and chain checks use ``cryptography``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from asn1crypto import core, keys  # type: ignore[import-untyped,unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped,unused-ignore]
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from dyrd.trust.compute import jose
from dyrd.trust.types import KeyAlgorithm

KID_SIZE = 8
"""Bytes of a DCC key identifier: the first 8 bytes of SHA-256 over the DSC's DER (hcert_spec
v1.0.8 §3.3.1)."""

CSCA_VALIDITY = timedelta(days=4 * 365 + 1)
"""CSCA lifetime: 4 years, the eHN recommendation (dgc-overview certificate-governance.md §2)."""

DSC_VALIDITY = timedelta(days=2 * 365)
"""DSC lifetime: 2 years, the eHN recommendation (the same table; alternative 1 y / 6 months)."""

# --- extended key usages -------------------------------------------------------------------

DCC_TEST = "1.3.6.1.4.1.1847.2021.1.1"
"""DCC: the DSC may sign test certificates (hcert_spec v1.0.8 §5.1.1)."""
DCC_VACCINATION = "1.3.6.1.4.1.1847.2021.1.2"
"""DCC: the DSC may sign vaccination certificates."""
DCC_RECOVERY = "1.3.6.1.4.1.1847.2021.1.3"
"""DCC: the DSC may sign recovery certificates."""

DYRD_ARC = "2.25.145104536939468847675171078141736703414"
"""The platform's own OID arc: a UUID OID (ITU-T X.667 / RFC 4122 §1), which anyone may mint
without registration. We hold no IANA enterprise number, and numbers invented under someone
else's arc (such as the eHN's 1847) could collide with their future assignments."""
HEALTH_CODE = f"{DYRD_ARC}.1.1"
"""The DSC may sign YRD health codes (our claim set). Laid out like the DCC's ``2021.1.x``."""


class CredentialUsage(StrEnum):
    """What a DSC may sign, carried as an ExtendedKeyUsage OID.

    The DCC's three OIDs are reused as they are, so a DCC-aware verifier restricts a DSC the
    same way here; health codes get our own OID. DCC rule: a DSC with none of the three DCC
    OIDs may sign every DCC type, so a health-code-only DSC is not restricted for DCC payloads
    by a foreign verifier; our verifier checks the health-code OID explicitly.
    """

    HEALTH_CODE = "health-code"
    TEST = "test"
    VACCINATION = "vaccination"
    RECOVERY = "recovery"

    @property
    def oid(self) -> str:
        """The ExtendedKeyUsage OID of this usage."""
        return _USAGE_OIDS[self]


_USAGE_OIDS = {
    CredentialUsage.HEALTH_CODE: HEALTH_CODE,
    CredentialUsage.TEST: DCC_TEST,
    CredentialUsage.VACCINATION: DCC_VACCINATION,
    CredentialUsage.RECOVERY: DCC_RECOVERY,
}
_OID_USAGES = {oid: usage for usage, oid in _USAGE_OIDS.items()}

_SIGNATURE_ALGORITHMS = {
    KeyAlgorithm.ES256: "sha256_ecdsa",  # ecdsa-with-SHA256, 1.2.840.10045.4.3.2 (RFC 5758)
    KeyAlgorithm.EDDSA: "ed25519",  # id-Ed25519, 1.3.101.112 (RFC 8410)
}

UTC_TIME_LIMIT = datetime(2050, 1, 1, tzinfo=UTC)
"""RFC 5280 §4.1.2.5: UTCTime up to 2049, GeneralizedTime from 2050."""


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    """A certificate subject: ``C``, ``O``, optional ``OU``, ``CN`` (UTF-8 where allowed)."""

    common_name: str
    organization: str
    organizational_unit: str | None = None
    country: str = "CN"

    def to_asn1(self) -> asn1_x509.Name:
        """The subject as an X.501 Name (country as PrintableString, the rest UTF8String)."""
        values: dict[str, str] = {"country_name": self.country}
        values["organization_name"] = self.organization
        if self.organizational_unit:
            values["organizational_unit_name"] = self.organizational_unit
        values["common_name"] = self.common_name
        return asn1_x509.Name.build(values, use_printable=False)


class X509Rejected(ValueError):
    """A certificate or chain that must not be trusted, with the reason in both languages."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What the trust domain reads from a certificate it issued or received."""

    der: bytes
    kid: bytes
    fingerprint: str
    subject: str
    issuer: str
    serial: int
    not_before: datetime
    not_after: datetime
    is_ca: bool
    usages: frozenset[CredentialUsage]
    public_key: bytes
    """SubjectPublicKeyInfo DER."""


def kid_of(der: bytes) -> bytes:
    """DCC key identifier: the first 8 bytes of SHA-256 over the certificate's DER."""
    return hashlib.sha256(der).digest()[:KID_SIZE]


def fingerprint_of(der: bytes) -> str:
    """Hex SHA-256 over the certificate's DER (unique, unlike the 8-byte kid)."""
    return hashlib.sha256(der).hexdigest()


def key_identifier(spki_der: bytes) -> bytes:
    """Subject key identifier: leftmost 160 bits of SHA-256 over the subjectPublicKey bits
    (RFC 7093 §2 method 1; SHA-1 of RFC 5280 §4.2.1.2 avoided)."""
    bits = keys.PublicKeyInfo.load(spki_der)["public_key"].cast(core.OctetBitString).native
    return hashlib.sha256(bits).digest()[:20]


def _time(at: datetime) -> asn1_x509.Time:
    if at.tzinfo is None:
        raise ValueError("certificate times must be timezone-aware")
    at = at.astimezone(UTC).replace(microsecond=0)
    if at < UTC_TIME_LIMIT:
        return asn1_x509.Time({"utc_time": at})
    return asn1_x509.Time({"general_time": at})


def _extension(name: str, value: object, *, critical: bool) -> dict[str, object]:
    return {"extn_id": name, "critical": critical, "extn_value": value}


def _algorithm(algorithm: KeyAlgorithm) -> str:
    try:
        return _SIGNATURE_ALGORITHMS[KeyAlgorithm(algorithm)]
    except (KeyError, ValueError):
        raise ValueError(f"no X.509 signature algorithm for {algorithm!r}") from None


def _signed(
    tbs: asn1_x509.TbsCertificate, algorithm: KeyAlgorithm, sign: Callable[[bytes], bytes]
) -> bytes:
    signature = sign(tbs.dump())
    if algorithm is KeyAlgorithm.ES256:
        signature = jose.es256_der_from_raw(signature)
    certificate = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": _algorithm(algorithm)},
            "signature_value": signature,
        }
    )
    return bytes(certificate.dump())


def _tbs(
    *,
    serial: int,
    issuer: Subject,
    subject: Subject,
    spki_der: bytes,
    not_before: datetime,
    not_after: datetime,
    algorithm: KeyAlgorithm,
    extensions: list[dict[str, object]],
) -> asn1_x509.TbsCertificate:
    if not 0 < serial < 2**159:
        raise ValueError("a serial number is positive and at most 20 octets (RFC 5280 §4.1.2.2)")
    if not_after <= not_before:
        raise ValueError("a certificate ends after it starts")
    return asn1_x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": _algorithm(algorithm)},
            "issuer": issuer.to_asn1(),
            "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
            "subject": subject.to_asn1(),
            "subject_public_key_info": keys.PublicKeyInfo.load(spki_der),
            "extensions": extensions,
        }
    )


def build_csca(
    *,
    spki_der: bytes,
    algorithm: KeyAlgorithm,
    subject: Subject,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    sign: Callable[[bytes], bytes],
) -> bytes:
    """A self-signed CSCA certificate for the key ``spki_der``, signed by ``sign`` with it.

    Extensions: BasicConstraints cA, pathLen 0 (only DSCs below it; critical), KeyUsage
    keyCertSign and cRLSign (critical), subject and authority key identifiers.
    """
    ski = key_identifier(spki_der)
    tbs = _tbs(
        serial=serial,
        issuer=subject,
        subject=subject,
        spki_der=spki_der,
        not_before=not_before,
        not_after=not_after,
        algorithm=algorithm,
        extensions=[
            _extension("basic_constraints", {"ca": True, "path_len_constraint": 0}, critical=True),
            _extension("key_usage", {"key_cert_sign", "crl_sign"}, critical=True),
            _extension("key_identifier", ski, critical=False),
            _extension("authority_key_identifier", {"key_identifier": ski}, critical=False),
        ],
    )
    return _signed(tbs, algorithm, sign)


def build_dsc(
    *,
    spki_der: bytes,
    subject: Subject,
    usages: Sequence[CredentialUsage],
    serial: int,
    not_before: datetime,
    not_after: datetime,
    csca_der: bytes,
    csca_algorithm: KeyAlgorithm,
    sign: Callable[[bytes], bytes],
) -> bytes:
    """A DSC for the member key ``spki_der``, issued by the CSCA ``csca_der`` through ``sign``.

    Extensions: KeyUsage digitalSignature (critical), ExtendedKeyUsage with one OID per usage,
    authority key identifier (the CSCA's), subject key identifier. ``not_after`` is clipped to
    the CSCA's, so the DSC validates under the shell model for its whole life.
    """
    if not usages:
        raise ValueError("a DSC needs at least one credential usage")
    csca = x509.load_der_x509_certificate(csca_der)
    issuer = _subject_of(csca)
    tbs = _tbs(
        serial=serial,
        issuer=issuer,
        subject=subject,
        spki_der=spki_der,
        not_before=not_before,
        not_after=min(not_after, csca.not_valid_after_utc),
        algorithm=csca_algorithm,
        extensions=[
            _extension("key_usage", {"digital_signature"}, critical=True),
            _extension(
                "extended_key_usage",
                [CredentialUsage(u).oid for u in dict.fromkeys(usages)],
                critical=False,
            ),
            _extension(
                "authority_key_identifier",
                {"key_identifier": key_identifier(_spki(csca))},
                critical=False,
            ),
            _extension("key_identifier", key_identifier(spki_der), critical=False),
        ],
    )
    return _signed(tbs, csca_algorithm, sign)


def _spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    found = name.get_attributes_for_oid(oid)
    return None if not found else str(found[0].value)


def _subject_of(cert: x509.Certificate) -> Subject:
    name = cert.subject
    return Subject(
        common_name=_attribute(name, NameOID.COMMON_NAME) or "",
        organization=_attribute(name, NameOID.ORGANIZATION_NAME) or "",
        organizational_unit=_attribute(name, NameOID.ORGANIZATIONAL_UNIT_NAME),
        country=_attribute(name, NameOID.COUNTRY_NAME) or "CN",
    )


# --- reading and checking ------------------------------------------------------------------


def _load(der: bytes, what: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise X509Rejected(
            f"The {what} is not a DER X.509 certificate.", f"{what} 不是 DER 格式的 X.509 证书。"
        ) from exc


def _usages(cert: x509.Certificate) -> frozenset[CredentialUsage]:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset()
    return frozenset(_OID_USAGES[o.dotted_string] for o in eku if o.dotted_string in _OID_USAGES)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def read_certificate(der: bytes) -> CertificateInfo:
    """The fields the trust list carries; X509Rejected when ``der`` is not a certificate."""
    cert = _load(der, "certificate")
    try:
        usages = _usages(cert)
        is_ca = _is_ca(cert)
    except ValueError as exc:  # a malformed extension surfaces on first access
        raise X509Rejected(
            f"The certificate's extensions cannot be read: {exc}.", "证书扩展无法解析。"
        ) from exc
    return CertificateInfo(
        der=der,
        kid=kid_of(der),
        fingerprint=fingerprint_of(der),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=is_ca,
        usages=usages,
        public_key=_spki(cert),
    )


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _check_signed_by(cert: x509.Certificate, issuer: x509.Certificate, what: str) -> None:
    try:
        cert.verify_directly_issued_by(issuer)
    except ValueError as exc:
        raise X509Rejected(
            f"The {what} was not issued by this CSCA: {exc}.", f"{what}并非由该 CSCA 签发。"
        ) from exc
    except (InvalidSignature, UnsupportedAlgorithm, TypeError) as exc:
        raise X509Rejected(
            f"The {what}'s signature does not verify with the CSCA's key.",
            f"{what}的签名无法用 CSCA 公钥验证。",
        ) from exc


def verify_csca(csca_der: bytes, *, at: datetime | None = None) -> CertificateInfo:
    """Check a CSCA: self-signed, a CA allowed to sign certificates, valid at ``at`` if given."""
    csca = _load(csca_der, "CSCA")
    key_usage = _key_usage(csca)
    if not _is_ca(csca) or key_usage is None or not key_usage.key_cert_sign:
        raise X509Rejected(
            "The CSCA is not a CA certificate with keyCertSign.",
            "CSCA 证书不是带 keyCertSign 用途的 CA 证书。",
        )
    _check_signed_by(csca, csca, "CSCA")
    _check_time(csca, at, "CSCA")
    return read_certificate(csca_der)


def _check_time(cert: x509.Certificate, at: datetime | None, what: str) -> None:
    if at is None:
        return
    if not cert.not_valid_before_utc <= at < cert.not_valid_after_utc:
        raise X509Rejected(
            f"The {what} is not valid at {at.isoformat()} "
            f"(valid {cert.not_valid_before_utc.isoformat()} to "
            f"{cert.not_valid_after_utc.isoformat()}).",
            f"{what}在 {at.isoformat()} 不在有效期内。",
        )


def verify_dsc(
    dsc_der: bytes,
    csca_der: bytes,
    *,
    at: datetime | None = None,
    usage: CredentialUsage | None = None,
) -> CertificateInfo:
    """Check a DSC against its CSCA; X509Rejected names the first check that fails.

    Checks: the CSCA (as :func:`verify_csca`), issuer name and signature, authority key
    identifier, KeyUsage digitalSignature, not a CA, validity inside the CSCA's (shell model),
    both valid at ``at`` when given, and ``usage`` among its ExtendedKeyUsage OIDs when given.
    """
    verify_csca(csca_der, at=at)
    csca, dsc = _load(csca_der, "CSCA"), _load(dsc_der, "DSC")
    _check_signed_by(dsc, csca, "DSC")
    try:
        aki = dsc.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = csca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        matches = aki.key_identifier == ski.digest
    except x509.ExtensionNotFound:
        matches = True  # optional in DCC DSCs; the signature check above is what counts
    if not matches:
        raise X509Rejected(
            "The DSC's authority key identifier is not the CSCA's key identifier.",
            "DSC 的颁发机构密钥标识与 CSCA 不符。",
        )
    key_usage = _key_usage(dsc)
    if key_usage is None or not key_usage.digital_signature or _is_ca(dsc):
        raise X509Rejected(
            "The DSC is not an end-entity certificate with digitalSignature.",
            "DSC 不是带 digitalSignature 用途的终端证书。",
        )
    if not (
        csca.not_valid_before_utc <= dsc.not_valid_before_utc
        and dsc.not_valid_after_utc <= csca.not_valid_after_utc
    ):
        raise X509Rejected(
            "The DSC's validity is not inside the CSCA's (shell model).",
            "DSC 的有效期不在 CSCA 有效期之内（壳模型）。",
        )
    _check_time(dsc, at, "DSC")
    info = read_certificate(dsc_der)
    if usage is not None and usage not in info.usages:
        raise X509Rejected(
            f"The DSC may not sign {usage.value} credentials "
            f"(ExtendedKeyUsage {usage.oid} is missing).",
            f"该 DSC 无权签发此类凭证（缺少扩展密钥用途 {usage.oid}）。",
        )
    return info


__all__ = [
    "CSCA_VALIDITY",
    "DCC_RECOVERY",
    "DCC_TEST",
    "DCC_VACCINATION",
    "DSC_VALIDITY",
    "DYRD_ARC",
    "HEALTH_CODE",
    "KID_SIZE",
    "CertificateInfo",
    "CredentialUsage",
    "Subject",
    "X509Rejected",
    "build_csca",
    "build_dsc",
    "fingerprint_of",
    "key_identifier",
    "kid_of",
    "read_certificate",
    "verify_csca",
    "verify_dsc",
]
