"""What a tree-head signature covers, key ids, and signature verification from public keys.

Verification needs only public key bytes, so it is pure; signing needs a private key, which is
the outside world (a key file today, an HSM or the trust domain's member keys later) and lives
behind the ``Signer`` port.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from dyrd.ledger.compute.merkle import HASH_SIZE
from dyrd.ledger.types import PublicKey, TreeHead

EDDSA = "EdDSA"
"""Ed25519 (RFC 8032), named as in JOSE/COSE (RFC 8037, RFC 9053)."""
ES256 = "ES256"
"""ECDSA P-256 with SHA-256, signature as the 64-byte r || s of JOSE (RFC 7518 §3.4)."""
ALGORITHMS = frozenset({EDDSA, ES256})

TREE_HEAD_CONTEXT = b"dyrd-ledger-tree-head-v1\x00"
"""Prefix of every signed tree head, so a signature made for another purpose with the same key
(a directory, a credential) can never pass as a tree head."""

_ES256_SIG = 64


def truncate_to_ms(at: datetime) -> datetime:
    """``at`` in UTC with whole milliseconds: tree-head timestamps are signed as milliseconds."""
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond - at.microsecond % 1000)


def timestamp_ms(at: datetime) -> int:
    """Milliseconds since the Unix epoch (RFC 9162 §4.10); ``at`` must be whole milliseconds."""
    if at.tzinfo is None:
        raise ValueError("tree-head timestamp must be timezone-aware")
    if at.microsecond % 1000:
        raise ValueError("tree-head timestamp has sub-millisecond digits")
    delta = at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def tree_head_message(size: int, root_hash: bytes, timestamp: datetime) -> bytes:
    """The bytes a tree-head signature covers.

    The TLS encoding of RFC 9162 §4.10 ``TreeHeadSignature`` (uint64 timestamp in ms, uint64
    tree_size, ``opaque root_hash<32..2^8-1>``, empty ``sth_extensions<0..2^16-1>``), after
    :data:`TREE_HEAD_CONTEXT`.
    """
    if len(root_hash) != HASH_SIZE or not 0 <= size < 2**64:
        raise ValueError("a tree head has a 32-byte root and a size below 2**64")
    return (
        TREE_HEAD_CONTEXT
        + struct.pack(">QQB", timestamp_ms(timestamp), size, len(root_hash))
        + root_hash
        + b"\x00\x00"
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _load(spki_der: bytes) -> Ed25519PublicKey | ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(spki_der)
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise ValueError("only Ed25519 and P-256 public keys verify tree heads")


def algorithm_of(spki_der: bytes) -> str:
    """The signature algorithm a public key is for (EdDSA or ES256)."""
    return EDDSA if isinstance(_load(spki_der), Ed25519PublicKey) else ES256


def key_id(spki_der: bytes) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key (RFC 8037 for Ed25519)."""
    key = _load(spki_der)
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    else:
        nums = key.public_numbers()
        members = {
            "crv": "P-256",
            "kty": "EC",
            "x": _b64url(nums.x.to_bytes(32, "big")),
            "y": _b64url(nums.y.to_bytes(32, "big")),
        }
    text = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(text.encode("ascii")).digest())


def public_key(spki_der: bytes) -> PublicKey:
    """A checked :class:`PublicKey` from SubjectPublicKeyInfo DER; ValueError if unusable."""
    return PublicKey(key_id=key_id(spki_der), algorithm=algorithm_of(spki_der), spki_der=spki_der)


def verify_signature(algorithm: str, spki_der: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with the key; False on any mismatch."""
    try:
        key = _load(spki_der)
        if algorithm == EDDSA and isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
            return True
        if algorithm == ES256 and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != _ES256_SIG:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return True
    except (InvalidSignature, ValueError, TypeError):
        return False
    return False


@dataclass(frozen=True, slots=True)
class KeyRing:
    """Public keys by key id; implements the ``Verifier`` port."""

    keys: Mapping[str, PublicKey] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Iterable[PublicKey]) -> KeyRing:
        """A ring of ``keys``, indexed by their key ids."""
        return cls({k.key_id: k for k in keys})

    def verify(self, key_id: str, data: bytes, signature: bytes) -> bool:
        """Does ``signature`` over ``data`` verify with the key ``key_id``?"""
        key = self.keys.get(key_id)
        return key is not None and verify_signature(key.algorithm, key.spki_der, data, signature)


def head_signature_valid(head: TreeHead, key: PublicKey) -> bool:
    """Does the head's signature verify with ``key`` (same id and algorithm)?"""
    if head.key_id != key.key_id or head.algorithm != key.algorithm:
        return False
    try:
        message = tree_head_message(head.size, head.root_hash, head.timestamp)
    except ValueError:
        return False
    return verify_signature(key.algorithm, key.spki_der, message, head.signature)


def to_pem(spki_der: bytes) -> str:
    """The public key as PEM text."""
    return (
        serialization.load_der_public_key(spki_der)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def from_pem(text: bytes) -> PublicKey:
    """A :class:`PublicKey` from PEM (``dyrd ledger verify --trusted-key``); ValueError if bad."""
    key = serialization.load_pem_public_key(text)
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public_key(der)
