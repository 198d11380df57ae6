"""SM2 with SM3: the standard's worked example, the key store, the signer, and bad input."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.core.b64 import b64url
from dyrd.trust.adapters.sm2_signer import Sm2KeyStore, Sm2Signer
from dyrd.trust.compute import jose, sm2
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.ports import KeyStore, Signer
from dyrd.trust.types import KeyAlgorithm

# GB/T 32918.5-2017 Annex A (= GM/T 0003.5-2012 A.2): signature example on sm2p256v1 with the
# default user id 1234567812345678. d is the private key, k the random the example signs with.
VECTOR_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
VECTOR_X = bytes.fromhex("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020")
VECTOR_Y = bytes.fromhex("CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
VECTOR_MESSAGE = b"message digest"
VECTOR_Z = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
VECTOR_E = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
VECTOR_SIGNATURE = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)
VECTOR_JWK = {"kty": "EC", "crv": "SM2", "x": b64url(VECTOR_X), "y": b64url(VECTOR_Y)}
# The order n of sm2p256v1 (GB/T 32918.5-2017 §5).
ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Sm2KeyStore:
    return Sm2KeyStore(tmp_path_factory.mktemp("sm2") / "keys")


@pytest.fixture(scope="module")
def signer(store: Sm2KeyStore) -> Sm2Signer:
    return Sm2Signer(store, store.generate())


# --- the standard's worked example ---------------------------------------------------------------


def test_sm2_verifies_the_standard_example_and_nothing_else() -> None:
    assert sm2.verify_jwk(VECTOR_JWK, VECTOR_MESSAGE, VECTOR_SIGNATURE)
    assert not sm2.verify_jwk(VECTOR_JWK, b"message digesT", VECTOR_SIGNATURE)
    flipped = VECTOR_SIGNATURE[:-1] + bytes([VECTOR_SIGNATURE[-1] ^ 1])
    assert not sm2.verify_jwk(VECTOR_JWK, VECTOR_MESSAGE, flipped)
    assert sm2.verify(sm2.spki_of_jwk(VECTOR_JWK), VECTOR_MESSAGE, VECTOR_SIGNATURE)


def test_sm2_z_and_e_match_the_standard_example() -> None:
    from tongsuopy.crypto import hashes

    z = sm2.z_digest(VECTOR_JWK)
    assert z == VECTOR_Z
    e = hashes.Hash(hashes.SM3())
    e.update(z + VECTOR_MESSAGE)
    assert e.finalize() == VECTOR_E
    assert sm2.z_digest(VECTOR_JWK, b"ALICE123@YAHOO.COM") != VECTOR_Z


def test_sm2_library_derives_the_example_public_key() -> None:
    from tongsuopy.crypto.asymciphers import ec

    key = ec.derive_private_key(VECTOR_D, ec.SM2())
    assert sm2.jwk_of_key(key.public_key()) == VECTOR_JWK


def test_sm2_spki_names_the_sm2_curve_and_round_trips() -> None:
    spki = sm2.spki_of_jwk(VECTOR_JWK)
    # id-ecPublicKey (1.2.840.10045.2.1) with the named curve sm2p256v1 (1.2.156.10197.1.301).
    assert bytes.fromhex("06072a8648ce3d0201") in spki
    assert bytes.fromhex("06082a811ccf5501822d") in spki
    assert sm2.public_jwk(spki) == VECTOR_JWK
    kid = sm2.key_id(spki)
    assert jose.is_key_id(kid)
    assert kid == sm2.thumbprint({**VECTOR_JWK, "kid": "ignored", "use": "sig"})
    # The same coordinates as a P-256 JWK are not a P-256 point: no id can be shared by chance.
    with pytest.raises(ValueError, match=r"P-256|curve"):
        jose.thumbprint({**VECTOR_JWK, "crv": "P-256"})


# --- the key store and the signer ----------------------------------------------------------------


def test_sm2_signer_round_trip(signer: Sm2Signer, store: Sm2KeyStore) -> None:
    signature = signer.sign(b"payload")
    assert len(signature) == sm2.SIGNATURE_SIZE
    assert sm2.verify(signer.public_key, b"payload", signature)
    assert sm2.verify_jwk(signer.public_jwk, b"payload", signature)
    assert signer.algorithm == "SM2"
    assert signer.key_id == sm2.key_id(signer.public_key)
    assert signer.public_jwk == {
        **sm2.public_jwk(signer.public_key),
        "kid": signer.key_id,
        "alg": "SM2",
        "use": "sig",
    }
    assert signer.key_id in store
    assert signer.key_id in repr(signer)
    assert signature != signer.sign(b"payload")  # a fresh random k each time (GB/T 32918.2 §6.1)


def test_sm2_store_and_signer_fit_the_trust_ports(signer: Sm2Signer, store: Sm2KeyStore) -> None:
    as_store: KeyStore = store
    as_signer: Signer = signer
    assert as_store.sign(as_signer.key_id, b"m") != as_signer.sign(b"m")
    assert as_store.public_key(as_signer.key_id) == as_signer.public_key


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=512), other=st.binary(max_size=512))
def test_sm2_signature_verifies_only_its_own_message(
    signer: Sm2Signer, message: bytes, other: bytes
) -> None:
    signature = signer.sign(message)
    assert sm2.verify(signer.public_key, message, signature)
    assert sm2.verify(signer.public_key, other, signature) == (other == message)


@settings(max_examples=60, deadline=None)
@given(bit=st.integers(min_value=0, max_value=8 * sm2.SIGNATURE_SIZE - 1))
def test_sm2_any_flipped_bit_breaks_the_signature(signer: Sm2Signer, bit: int) -> None:
    signature = bytearray(signer.sign(b"m"))
    signature[bit // 8] ^= 1 << (bit % 8)
    assert not sm2.verify(signer.public_key, b"m", bytes(signature))


def test_sm2_key_store_round_trip_files_and_restart(tmp_path: Path) -> None:
    store = Sm2KeyStore(tmp_path / "keys")
    kids = [store.generate(), store.generate(sm2.ALGORITHM)]
    assert len(set(kids)) == 2
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for kid in kids:
        assert stat.S_IMODE(store.path(kid).stat().st_mode) == 0o600
        assert store.path(kid).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    restarted = Sm2KeyStore(tmp_path / "keys")
    for kid in kids:
        assert kid in restarted
        spki = restarted.public_key(kid)
        assert spki == store.public_key(kid)
        assert sm2.key_id(spki) == kid
        assert sm2.verify(spki, b"x", restarted.sign(kid, b"x"))
        assert sm2.verify(spki, b"y", store.sign(kid, b"y"))


def test_sm2_passphrase_encrypts_key_files_and_is_needed(tmp_path: Path) -> None:
    store = Sm2KeyStore(tmp_path, passphrase=b"correct horse")
    assert store.encrypted
    kid = store.generate()
    assert store.path(kid).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    signature = Sm2KeyStore(tmp_path, passphrase=b"correct horse").sign(kid, b"m")
    assert sm2.verify(store.public_key(kid), b"m", signature)
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        Sm2KeyStore(tmp_path, passphrase=b"battery staple").sign(kid, b"m")
    with pytest.raises(KeyStoreError, match="no passphrase"):
        Sm2KeyStore(tmp_path).sign(kid, b"m")


def test_sm2_store_refuses_other_algorithms_and_bad_files(tmp_path: Path) -> None:
    store = Sm2KeyStore(tmp_path)
    for algorithm in KeyAlgorithm:
        with pytest.raises(KeyStoreError, match="SM2 keys only"):
            store.generate(algorithm)
    kid = store.generate()
    os.chmod(store.path(kid), 0o640)
    with pytest.raises(KeyStoreError) as readable:
        Sm2KeyStore(tmp_path).sign(kid, b"m")
    assert "chmod 600" in readable.value.hint
    os.chmod(store.path(kid), 0o600)
    other = store.generate()
    store.path(other).unlink()
    store.path(kid).rename(store.path(other))
    with pytest.raises(KeyStoreError, match="different key"):
        Sm2KeyStore(tmp_path).sign(other, b"m")
    with pytest.raises(KeyStoreError, match="not in the key store"):
        Sm2KeyStore(tmp_path).sign(kid, b"m")
    with pytest.raises(KeyStoreError, match="not a key id"):
        store.sign("../../etc/passwd", b"m")
    assert "../../etc/passwd" not in store
    assert 42 not in store


def test_sm2_store_refuses_a_p256_key_file_and_never_echoes_key_material(tmp_path: Path) -> None:
    from dyrd.trust.adapters.file_keystore import FileKeyStore

    p256 = FileKeyStore(tmp_path)
    kid = p256.generate(KeyAlgorithm.ES256)
    pem = p256.path(kid).read_text()
    with pytest.raises(KeyStoreError) as refused:
        Sm2KeyStore(tmp_path).sign(kid, b"m")
    text = f"{refused.value.message} {refused.value.hint} {refused.value!r}"
    body = "".join(pem.splitlines()[1:-1])
    assert all(body[i : i + 16] not in text for i in range(0, len(body) - 16, 16))
    assert "encrypted" in repr(Sm2KeyStore(tmp_path))


# --- bad input: False or ValueError, never another exception ------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        VECTOR_SIGNATURE[:63],
        VECTOR_SIGNATURE + b"\x00",
        bytes(64),  # r = s = 0
        ORDER.to_bytes(32, "big") + VECTOR_SIGNATURE[32:],  # r = n
        VECTOR_SIGNATURE[:32] + ORDER.to_bytes(32, "big"),  # s = n
        b"\xff" * 64,
    ],
)
def test_sm2_malformed_signatures_are_false(signature: bytes) -> None:
    assert not sm2.verify_jwk(VECTOR_JWK, VECTOR_MESSAGE, signature)


@pytest.mark.parametrize(
    "jwk",
    [
        {**VECTOR_JWK, "y": b64url(bytes(32))},  # not on the curve
        {**VECTOR_JWK, "crv": "P-256"},
        {**VECTOR_JWK, "x": "short"},
        {**VECTOR_JWK, "d": b64url(VECTOR_D.to_bytes(32, "big"))},
        {"kty": "OKP", "crv": "Ed25519", "x": b64url(bytes(32))},
    ],
)
def test_sm2_bad_jwks_are_refused(jwk: dict[str, str]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # the message varies by what is wrong
        sm2.key_from_jwk(jwk)
    assert not sm2.verify_jwk(jwk, VECTOR_MESSAGE, VECTOR_SIGNATURE)


def test_sm2_other_public_keys_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from dyrd.trust.adapters.file_keystore import spki_of

    p256_spki = spki_of(ec.generate_private_key(ec.SECP256R1()))
    for spki in (p256_spki, b"", b"\x30\x00", b"not der"):
        with pytest.raises(ValueError, match="SM2"):
            sm2.load_spki(spki)
        assert not sm2.verify(spki, VECTOR_MESSAGE, VECTOR_SIGNATURE)
    with pytest.raises(ValueError, match="JSON object"):
        sm2.key_from_jwk([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="8191"):
        sm2.z_digest(VECTOR_JWK, b"i" * 8192)
