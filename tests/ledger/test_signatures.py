"""Tree-head signing bytes, key ids (RFC 7638/8037) and verification; the local key adapter."""

from __future__ import annotations

import base64
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from dyrd.core.errors import ConfigurationError
from dyrd.ledger.adapters.local_keys import Ed25519Signer, FileSigner, load_or_create
from dyrd.ledger.compute.signatures import (
    EDDSA,
    ES256,
    KeyRing,
    from_pem,
    key_id,
    public_key,
    timestamp_ms,
    to_pem,
    tree_head_message,
    truncate_to_ms,
    verify_signature,
)

# RFC 8032 §7.1 TEST 1 and the RFC 8037 Appendix A.3 thumbprint of that public key.
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
AT = datetime(2026, 11, 26, 8, 0, 0, 123000, tzinfo=UTC)


def _spki(raw: bytes) -> bytes:
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_rfc_8032_vector_verifies_and_key_id_is_the_rfc_8037_thumbprint() -> None:
    der = _spki(RFC8032_PUBLIC)
    assert verify_signature(EDDSA, der, b"", RFC8032_SIGNATURE)
    assert not verify_signature(EDDSA, der, b"\x00", RFC8032_SIGNATURE)
    assert not verify_signature(ES256, der, b"", RFC8032_SIGNATURE)
    assert key_id(der) == RFC8037_THUMBPRINT
    assert public_key(der).algorithm == EDDSA


def test_tree_head_message_is_context_then_rfc_9162_tree_head_signature() -> None:
    msg = tree_head_message(5, bytes(range(32)), AT)
    context = b"dyrd-ledger-tree-head-v1\x00"
    ms = timestamp_ms(AT)
    assert ms == 1795680000123
    assert msg == (
        context
        + ms.to_bytes(8, "big")
        + (5).to_bytes(8, "big")
        + b"\x20"
        + bytes(range(32))
        + b"\0\0"
    )
    with pytest.raises(ValueError, match="sub-millisecond"):
        tree_head_message(5, bytes(32), AT.replace(microsecond=123456))
    assert truncate_to_ms(AT.replace(microsecond=123999)) == AT


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_property_a_signature_verifies_only_its_own_message(msg: bytes, other: bytes) -> None:
    signer = SIGNER
    sig = signer.sign(msg)
    ring = KeyRing.of([public_key(signer.public_key)])
    assert ring.verify(signer.key_id, msg, sig)
    assert ring.verify(signer.key_id, other, sig) == (other == msg)
    assert not ring.verify("unknown", msg, sig)


SIGNER = Ed25519Signer.generate()


def test_es256_keys_verify_jose_style_signatures() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    r, s = decode_dss_signature(private.sign(b"head", ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    key = public_key(der)
    assert key.algorithm == ES256
    assert verify_signature(ES256, der, b"head", raw)
    assert not verify_signature(ES256, der, b"head!", raw)
    assert not verify_signature(ES256, der, b"head", raw[:63])
    assert from_pem(to_pem(der).encode()) == key


def test_other_key_types_are_refused() -> None:
    der = (
        ec.generate_private_key(ec.SECP384R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ValueError, match="only Ed25519 and P-256"):
        public_key(der)
    assert not verify_signature(ES256, der, b"x", bytes(64))


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.pem"
    first = load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_or_create(path)
    assert first.key_id == second.key_id
    assert first.key_id == key_id(first.public_key)
    assert verify_signature(EDDSA, first.public_key, b"m", second.sign(b"m"))
    assert not list(path.parent.glob(".*.tmp"))


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    load_or_create(path)
    os.chmod(path, 0o644)  # the insecure mode under test
    with pytest.raises(ConfigurationError, match="readable by other users"):
        load_or_create(path)


def test_a_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    path.write_bytes(b"not a key")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError, match="PKCS#8"):
        load_or_create(path)


def test_file_signer_creates_its_key_only_when_first_used(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pem"
    signer = FileSigner(path)
    assert not path.exists()
    assert "PRIVATE" not in repr(signer)
    sig = signer.sign(b"m")
    assert path.exists()
    assert verify_signature(signer.algorithm, signer.public_key, b"m", sig)
    pem = path.read_bytes()
    assert b"PRIVATE KEY" in pem
    assert base64.b64encode(pem) not in repr(signer).encode()
    assert signer.key_id not in pem.decode()
