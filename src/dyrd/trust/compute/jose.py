"""Public keys as JWKs, RFC 7638 key ids, and signature checks for ES256 and EdDSA.

Only public material passes through here: verification is pure. Private keys live behind the
``KeyStore`` port, which signs and hands out public keys, never private ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.jcs import canonical
from dyrd.trust.types import KeyAlgorithm

PublicKeyObject = Ed25519PublicKey | ec.EllipticCurvePublicKey

KEY_ID_PATTERN = r"^[A-Za-z0-9_-]{43}$"
"""An RFC 7638 SHA-256 thumbprint in base64url without padding: 43 characters."""

ES256_SIGNATURE_SIZE = 64
"""r || s, each a 32-byte big-endian integer (RFC 7518 §3.4; RFC 9053 §2.1 for COSE)."""
ED25519_SIGNATURE_SIZE = 64
_P256_COORDINATE = 32
_ED25519_KEY = 32

_KEY_ID = re.compile(KEY_ID_PATTERN)


def is_key_id(value: str) -> bool:
    """True when ``value`` has the shape of an RFC 7638 SHA-256 thumbprint."""
    return bool(_KEY_ID.fullmatch(value))


def _load_spki(spki_der: bytes) -> PublicKeyObject:
    key = serialization.load_der_public_key(spki_der)
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ValueError("only Ed25519 and P-256 public keys are used here")


def jwk_of_key(key: PublicKeyObject) -> dict[str, str]:
    """The JWK members that define a public key (RFC 7518 §6.2, RFC 8037 §2), nothing else."""
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    nums = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(nums.x.to_bytes(_P256_COORDINATE, "big")),
        "y": b64url(nums.y.to_bytes(_P256_COORDINATE, "big")),
    }


def public_jwk(spki_der: bytes) -> dict[str, str]:
    """The JWK of a SubjectPublicKeyInfo DER public key; ValueError if not Ed25519 or P-256."""
    return jwk_of_key(_load_spki(spki_der))


def key_from_jwk(jwk: Mapping[str, Any]) -> PublicKeyObject:
    """The public key a JWK describes; ValueError if it is not a valid Ed25519 or P-256 key.

    Extra members (``kid``, ``alg``, ``use``) are allowed; a ``d`` (private part) is refused, so
    a private JWK pasted by mistake is never accepted as a trust anchor.
    """
    if not isinstance(jwk, Mapping):
        raise ValueError("a JWK is a JSON object")  # noqa: TRY004  # callers catch ValueError
    if "d" in jwk:
        raise ValueError("this JWK holds a private key; give the public key only")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        raw = b64url_decode(jwk.get("x", ""))
        if len(raw) != _ED25519_KEY:
            raise ValueError("an Ed25519 x is 32 bytes")
        return Ed25519PublicKey.from_public_bytes(raw)
    if kty == "EC" and crv == "P-256":
        x, y = b64url_decode(jwk.get("x", "")), b64url_decode(jwk.get("y", ""))
        if len(x) != _P256_COORDINATE or len(y) != _P256_COORDINATE:
            raise ValueError("P-256 x and y are 32 bytes each")
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        )
        return numbers.public_key()  # ValueError when the point is not on the curve
    raise ValueError("only OKP/Ed25519 and EC/P-256 keys are used here")


def spki_of_jwk(jwk: Mapping[str, Any]) -> bytes:
    """SubjectPublicKeyInfo DER of a public JWK."""
    return key_from_jwk(jwk).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint with SHA-256, base64url: the key id used everywhere here.

    Only the required members, in lexicographic order, without whitespace (§3.2), which is
    exactly their JCS form. Computed from the validated key, so two spellings of one key agree.
    """
    canonical_members = jwk_of_key(key_from_jwk(jwk))
    return b64url(hashlib.sha256(canonical(canonical_members)).digest())


def key_id(spki_der: bytes) -> str:
    """RFC 7638 thumbprint of a SubjectPublicKeyInfo DER public key."""
    return thumbprint(public_jwk(spki_der))


def algorithm_of(jwk: Mapping[str, Any]) -> KeyAlgorithm:
    """The signature algorithm a public JWK is for."""
    key = key_from_jwk(jwk)
    return KeyAlgorithm.EDDSA if isinstance(key, Ed25519PublicKey) else KeyAlgorithm.ES256


def published_jwk(jwk: Mapping[str, str], *, algorithm: KeyAlgorithm) -> dict[str, str]:
    """A public JWK as published: the key members plus ``kid``, ``alg`` and ``use: sig``."""
    members = jwk_of_key(key_from_jwk(jwk))
    return {**members, "kid": thumbprint(members), "alg": algorithm.value, "use": "sig"}


def es256_raw_from_der(der: bytes) -> bytes:
    """An ECDSA signature in DER (what OpenSSL returns) as the 64-byte r || s of JOSE and COSE."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def es256_der_from_raw(raw: bytes) -> bytes:
    """The 64-byte r || s form back as DER, for OpenSSL's verifier."""
    if len(raw) != ES256_SIGNATURE_SIZE:
        raise ValueError("an ES256 signature is 64 bytes")
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def verify_with_key(algorithm: str, key: PublicKeyObject, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with ``key`` under ``algorithm``."""
    try:
        if algorithm == KeyAlgorithm.EDDSA and isinstance(key, Ed25519PublicKey):
            if len(signature) != ED25519_SIGNATURE_SIZE:
                return False
            key.verify(signature, data)
            return True
        if algorithm == KeyAlgorithm.ES256 and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != ES256_SIGNATURE_SIZE:
                return False
            key.verify(es256_der_from_raw(signature), data, ec.ECDSA(hashes.SHA256()))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def verify_jwk(algorithm: str, jwk: Mapping[str, Any], data: bytes, signature: bytes) -> bool:
    """True when ``signature`` verifies with the public ``jwk``; False on any mismatch."""
    try:
        key = key_from_jwk(jwk)
    except ValueError:
        return False
    return verify_with_key(algorithm, key, data, signature)
