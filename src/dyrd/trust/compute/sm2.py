"""SM2 signatures with SM3 (GB/T 32918.2-2016, GM/T 0003.2-2012): public keys, key ids, checks.

The curve is sm2p256v1 (GB/T 32918.5-2017, OID 1.2.156.10197.1.301); the message is hashed as
``SM3(Z || M)`` with ``Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)`` and the default
distinguishing identifier ``1234567812345678`` (GM/T 0009-2012 §10, GB/T 35276-2017 §10), which
every interoperating SM2 stack uses when none is agreed. The arithmetic is Tongsuo's (the OpenSSL
fork of the Chinese cryptography community, compiled into the ``tongsuopy`` wheel), chosen
among the SM2 packages on PyPI for speed and standard conformance (``bench/sm2.py`` has the
comparison and measures it against ES256); it verifies the standard's worked example
(GB/T 32918.5-2017 Annex A, in tests/trust/test_sm2.py).

Signatures are 64 bytes ``r || s``, each a 32-byte big-endian integer, the same shape as ES256's,
so they fit every place an ES256 signature goes. Only public material passes through here.

JOSE and COSE register no SM2 curve or algorithm. The JWK written here is ``{"kty": "EC",
"crv": "SM2", "x", "y"}``, the spelling other SM2 JOSE stacks use, and ``SM2`` is the algorithm
name: both are private-use names. The key id is the RFC 7638 thumbprint of that JWK, so it has
the 43-character shape of every other key id, and the ``crv`` member keeps an SM2 key's id apart
from any P-256 key's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from tongsuopy.crypto import hashes as ts_hashes
from tongsuopy.crypto import serialization as ts_serialization
from tongsuopy.crypto.asymciphers import ec as ts_ec
from tongsuopy.crypto.exceptions import InternalError, InvalidSignature, UnsupportedAlgorithm

from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.jcs import canonical
from dyrd.trust.compute.jose import es256_der_from_raw

ALGORITHM = "SM2"
"""The algorithm name of SM2-with-SM3 signatures here (private use: JOSE/COSE register none)."""

JWK_CURVE = "SM2"
"""The ``crv`` of an SM2 public JWK (private use, as other SM2 JOSE stacks spell it)."""

CURVE_OID = "1.2.156.10197.1.301"
"""sm2p256v1 (GM/T 0006-2012), the named curve in an SM2 SubjectPublicKeyInfo."""

DEFAULT_USER_ID = b"1234567812345678"
"""The default distinguishing identifier (GM/T 0009-2012 §10, GB/T 35276-2017 §10)."""

SIGNATURE_SIZE = 64
"""r || s, each a 32-byte big-endian integer (the same shape as ES256's, RFC 7518 §3.4)."""

_COORDINATE = 32

# Curve parameters a, b, xG, yG of sm2p256v1 (GB/T 32918.5-2017 §5), big-endian, for Z.
_CURVE_FOR_Z = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


class PublicKeyObject(Protocol):
    """What is used here of a Tongsuo SM2 public key (``tongsuopy`` ships no type information)."""

    def public_numbers(self) -> Any:
        """The point's ``x`` and ``y``."""
        ...

    def public_bytes(self, encoding: Any, format: Any) -> bytes:
        """The key serialized."""
        ...

    def verify(self, signature: bytes, data: bytes, signature_algorithm: Any) -> None:
        """Raise InvalidSignature unless ``signature`` (DER) signs ``data``."""
        ...


def _signature_algorithm() -> Any:
    # Tongsuo hashes SM3(Z || M) itself, with the default identifier, when an SM2 key signs
    # or verifies with SM3 (checked against the standard's example in the tests).
    return ts_ec.ECDSA(ts_hashes.SM3())


def _require_sm2(key: Any) -> PublicKeyObject:
    if not isinstance(key, ts_ec.EllipticCurvePublicKey) or not isinstance(key.curve, ts_ec.SM2):
        raise ValueError("not an SM2 public key")  # noqa: TRY004  # callers catch ValueError
    typed: PublicKeyObject = key
    return typed


def load_spki(spki_der: bytes) -> PublicKeyObject:
    """The SM2 public key in a SubjectPublicKeyInfo DER; ValueError for anything else."""
    try:
        key = ts_serialization.load_der_public_key(spki_der)
    except (ValueError, TypeError, UnsupportedAlgorithm, InternalError):
        raise ValueError("not an SM2 SubjectPublicKeyInfo") from None
    return _require_sm2(key)


def spki_of(key: PublicKeyObject) -> bytes:
    """SubjectPublicKeyInfo DER (id-ecPublicKey with the sm2p256v1 named curve)."""
    der: bytes = key.public_bytes(
        ts_serialization.Encoding.DER, ts_serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def jwk_of_key(key: PublicKeyObject) -> dict[str, str]:
    """The JWK members that define an SM2 public key (``kty``, ``crv``, ``x``, ``y``)."""
    nums = key.public_numbers()
    return {
        "kty": "EC",
        "crv": JWK_CURVE,
        "x": b64url(nums.x.to_bytes(_COORDINATE, "big")),
        "y": b64url(nums.y.to_bytes(_COORDINATE, "big")),
    }


def public_jwk(spki_der: bytes) -> dict[str, str]:
    """The JWK of an SM2 SubjectPublicKeyInfo DER; ValueError if it is not one."""
    return jwk_of_key(load_spki(spki_der))


def key_from_jwk(jwk: Mapping[str, Any]) -> PublicKeyObject:
    """The SM2 public key a JWK describes; ValueError unless it is a valid point on sm2p256v1.

    A ``d`` (private part) is refused, as in ``jose.key_from_jwk``.
    """
    if not isinstance(jwk, Mapping):
        raise ValueError("a JWK is a JSON object")  # noqa: TRY004  # callers catch ValueError
    if "d" in jwk:
        raise ValueError("this JWK holds a private key; give the public key only")
    if jwk.get("kty") != "EC" or jwk.get("crv") != JWK_CURVE:
        raise ValueError(f"an SM2 JWK has kty EC and crv {JWK_CURVE}")
    x, y = b64url_decode(jwk.get("x", "")), b64url_decode(jwk.get("y", ""))
    if len(x) != _COORDINATE or len(y) != _COORDINATE:
        raise ValueError("SM2 x and y are 32 bytes each")
    try:
        key = ts_ec.EllipticCurvePublicKey.from_encoded_point(ts_ec.SM2(), b"\x04" + x + y)
    except (ValueError, InternalError):
        raise ValueError("the point is not on the SM2 curve") from None
    return _require_sm2(key)


def spki_of_jwk(jwk: Mapping[str, Any]) -> bytes:
    """SubjectPublicKeyInfo DER of an SM2 public JWK."""
    return spki_of(key_from_jwk(jwk))


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of an SM2 JWK (its four members, in JCS form)."""
    members = jwk_of_key(key_from_jwk(jwk))
    return b64url(hashlib.sha256(canonical(members)).digest())


def key_id(spki_der: bytes) -> str:
    """The key id of an SM2 SubjectPublicKeyInfo DER public key."""
    return thumbprint(public_jwk(spki_der))


def published_jwk(jwk: Mapping[str, Any]) -> dict[str, str]:
    """An SM2 public JWK as published: the key members plus ``kid``, ``alg`` and ``use: sig``."""
    members = jwk_of_key(key_from_jwk(jwk))
    return {**members, "kid": thumbprint(members), "alg": ALGORITHM, "use": "sig"}


def z_digest(jwk: Mapping[str, Any], user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Z, the SM3 digest of the signer's identity and key (GB/T 32918.2-2016 §5.5).

    Signing and verifying compute it internally; it is here for the standard's known answer
    and for devices (HSMs, USB keys) that take ``e = SM3(Z || M)`` instead of the message.
    """
    key = jwk_of_key(key_from_jwk(jwk))
    bits = len(user_id) * 8
    if bits > 0xFFFF:
        raise ValueError("an SM2 user id is at most 8191 bytes")
    digest = ts_hashes.Hash(ts_hashes.SM3())
    digest.update(bits.to_bytes(2, "big") + user_id + _CURVE_FOR_Z)
    digest.update(b64url_decode(key["x"]) + b64url_decode(key["y"]))
    result: bytes = digest.finalize()
    return result


def der_from_raw(signature: bytes) -> bytes:
    """A 64-byte r || s as DER ``SEQUENCE {r, s}`` (GM/T 0009-2012 §7.2), for Tongsuo."""
    if len(signature) != SIGNATURE_SIZE:
        raise ValueError("an SM2 signature is 64 bytes")
    return es256_der_from_raw(signature)  # the same two-INTEGER SEQUENCE as ECDSA's


def verify_with_key(key: PublicKeyObject, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` (64-byte r || s) is an SM2-with-SM3 signature of ``data``."""
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        key.verify(der_from_raw(signature), data, _signature_algorithm())
    except (InvalidSignature, ValueError, InternalError):
        return False
    return True


def verify(spki_der: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with the SM2 SubjectPublicKeyInfo DER."""
    try:
        key = load_spki(spki_der)
    except ValueError:
        return False
    return verify_with_key(key, data, signature)


def verify_jwk(jwk: Mapping[str, Any], data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with the SM2 public ``jwk``."""
    try:
        key = key_from_jwk(jwk)
    except ValueError:
        return False
    return verify_with_key(key, data, signature)
