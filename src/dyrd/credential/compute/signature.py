"""Document-signer certificates, DCC key ids, and COSE signature verification and creation.

COSE signatures are in their raw form (RFC 9053 §2.1): ECDSA is ``r || s`` with each half the
curve's size, so it is turned into DER for ``cryptography``; PS256 is RSASSA-PSS with MGF1-SHA256
and a 32-byte salt; EdDSA is the raw 64 (Ed25519) or 114 (Ed448) bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import asn1crypto.x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

KID_LENGTH = 8
"""hcert_spec v1.0.8 §3.3.1: the kid is the first 8 bytes of SHA-256 over the DSC's DER."""

PSS_SALT_LENGTH = 32
"""RFC 8230 §2: PS256 uses a salt as long as the SHA-256 output."""

PublicKey = (
    ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)
PrivateKey = (
    ec.EllipticCurvePrivateKey
    | rsa.RSAPrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)


class Algorithm(IntEnum):
    """COSE algorithm identifiers HCERT allows (IANA COSE Algorithms registry)."""

    ES256 = -7
    EDDSA = -8
    ES384 = -35
    PS256 = -37


_EC_HASHES: dict[Algorithm, hashes.HashAlgorithm] = {
    Algorithm.ES256: hashes.SHA256(),
    Algorithm.ES384: hashes.SHA384(),
}
"""RFC 9053 §2.1: ES256 is ECDSA with SHA-256 and ES384 with SHA-384; the curve is the key's.

The curve is only a recommendation, and upstream ES/401 signs ES256 with a P-384 key.
"""

_ECDSA: dict[Algorithm, ec.ECDSA] = {alg: ec.ECDSA(h) for alg, h in _EC_HASHES.items()}
"""The signature algorithm objects, made once (immutable; verification runs per QR code)."""

_ISSUE_SIZES = {Algorithm.ES256: 64, Algorithm.ES384: 96}
"""Signature sizes when issuing: P-256 for ES256, P-384 for ES384 (hcert_spec v1.0.8 §3.3.2)."""


def key_id(certificate_der: bytes) -> bytes:
    """The DCC kid of a document-signer certificate."""
    return hashlib.sha256(certificate_der).digest()[:KID_LENGTH]


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    """A document-signer certificate loaded once: its kid, public key and EKU OIDs.

    ``usages`` holds the dotted ExtendedKeyUsage OIDs; empty when the certificate has none, an
    empty one, or one no parser reads (then nothing restricts it).
    """

    kid: bytes
    der: bytes
    public_key: PublicKey
    usages: frozenset[str]


def _public_key(der: bytes) -> tuple[PublicKey, x509.Certificate | None]:
    try:
        cert = x509.load_der_x509_certificate(der)
        key = cert.public_key()
    except ValueError:
        # A certificate strict parsers refuse may still carry a usable key: take the
        # SubjectPublicKeyInfo with the lenient parser.
        parsed = asn1crypto.x509.Certificate.load(der)
        spki = parsed["tbs_certificate"]["subject_public_key_info"].dump()
        loaded = serialization.load_der_public_key(spki)
        cert = None
    else:
        loaded = key
    if not isinstance(
        loaded,
        ec.EllipticCurvePublicKey
        | rsa.RSAPublicKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PublicKey,
    ):
        # ValueError like every other unusable certificate, so callers catch one type.
        raise ValueError(f"unsupported public key type {type(loaded).__name__}")  # noqa: TRY004
    return loaded, cert


def _lenient_usages(der: bytes) -> frozenset[str]:
    try:
        parsed = asn1crypto.x509.Certificate.load(der)
        for ext in parsed["tbs_certificate"]["extensions"]:
            if ext["extn_id"].dotted == "2.5.29.37":
                return frozenset(oid.dotted for oid in ext["extn_value"].parsed)
    except (ValueError, TypeError, KeyError):
        # An EKU that even the lenient parser cannot read (CO15: an empty SEQUENCE) lists no
        # OIDs, and no OIDs restrict nothing (README of the hcert test data).
        return frozenset()
    return frozenset()


def _usages(der: bytes, cert: x509.Certificate | None) -> frozenset[str]:
    if cert is None:
        return _lenient_usages(der)
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return frozenset()
    except ValueError:
        # cryptography parses extensions strictly (FI/1: BasicConstraints cA=FALSE written out).
        return _lenient_usages(der)
    return frozenset(oid.dotted_string for oid in ext.value)


def load_certificate(der: bytes) -> SigningCertificate:
    """A document-signer certificate from DER; raises ValueError when no public key is in it."""
    try:
        key, cert = _public_key(der)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a DER X.509 certificate with a usable public key: {exc}") from None
    return SigningCertificate(key_id(der), der, key, _usages(der, cert))


class CertificateLookup(Protocol):
    """Finds the document-signer certificates that may have made a signature with a kid."""

    def lookup(self, kid: bytes) -> Sequence[SigningCertificate]:
        """Certificates whose kid is ``kid`` (usually one; several after a kid collision)."""
        ...


class KeyRing:
    """Loaded certificates indexed by kid; build once and reuse (loading is the slow part)."""

    def __init__(self, certificates: Iterable[SigningCertificate] = ()) -> None:
        self._by_kid: dict[bytes, list[SigningCertificate]] = {}
        for cert in certificates:
            self.add(cert)

    @classmethod
    def from_der(cls, certificates: Iterable[bytes]) -> KeyRing:
        """A key ring of DER certificates; raises ValueError naming the first unreadable one."""
        ring = cls()
        for index, der in enumerate(certificates):
            try:
                ring.add(load_certificate(der))
            except ValueError as exc:
                raise ValueError(f"certificate {index + 1}: {exc}") from None
        return ring

    def add(self, certificate: SigningCertificate) -> None:
        """Add a certificate (a second copy of the same DER is ignored)."""
        entries = self._by_kid.setdefault(certificate.kid, [])
        if all(e.der != certificate.der for e in entries):
            entries.append(certificate)

    def lookup(self, kid: bytes) -> Sequence[SigningCertificate]:
        """Certificates whose kid is ``kid``."""
        return tuple(self._by_kid.get(kid, ()))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_kid.values())

    def __repr__(self) -> str:
        return f"KeyRing({len(self)} certificates)"


def key_matches(alg: Algorithm, key: PublicKey) -> bool:
    """True when ``key`` is of the kind ``alg`` signs with (EC, RSA, Edwards)."""
    if alg in _EC_HASHES:
        return isinstance(key, ec.EllipticCurvePublicKey)
    if alg is Algorithm.PS256:
        return isinstance(key, rsa.RSAPublicKey)
    return isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)


def _ec_size(curve: ec.EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def verify(alg: Algorithm, key: PublicKey, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` (COSE form) over ``data`` verifies with ``key`` under ``alg``."""
    try:
        if alg in _EC_HASHES:
            if not isinstance(key, ec.EllipticCurvePublicKey):
                return False
            size = _ec_size(key.curve)
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), data, _ECDSA[alg])
        elif alg is Algorithm.PS256:
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_LENGTH)
            key.verify(signature, data, pss, hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def signer(key: PrivateKey, alg: Algorithm) -> Callable[[bytes], bytes]:
    """A ``sign(data) -> COSE-form signature`` function on a private key (for issuing and tests)."""
    if alg in _EC_HASHES:
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError(f"{alg.name} needs an EC private key")
        ec_key, digest, size = key, _EC_HASHES[alg], _ec_size(key.curve)

        def sign_ec(data: bytes) -> bytes:
            r, s = decode_dss_signature(ec_key.sign(data, ec.ECDSA(digest)))
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")

        return sign_ec
    if alg is Algorithm.PS256:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("PS256 needs an RSA private key")
        rsa_key = key
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_LENGTH)
        return lambda data: rsa_key.sign(data, pss, hashes.SHA256())
    if not isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        raise TypeError("EdDSA needs an Ed25519 or Ed448 private key")
    return key.sign


def issue_signature_size(alg: Algorithm) -> int | None:
    """Length of a COSE signature this platform issues under ``alg``, when fixed."""
    return _ISSUE_SIZES.get(alg)


ALGORITHM_NAMES: Mapping[int, str] = {a.value: a.name.replace("EDDSA", "EdDSA") for a in Algorithm}
"""COSE algorithm number -> name, for messages."""
