"""Signing ports: round trips, standard vectors, key windows across rotation and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.b64 import b64url_decode
from dyrd.core.errors import NotFoundError
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.ledger.compute import signatures as ledger_signatures
from dyrd.trust import service
from dyrd.trust.compute import jose
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.types import KeyAlgorithm, KeyWindow
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore
from tests.trust.conftest import JS, ZJ

T0 = FIXED_NOW
ALGORITHMS = [KeyAlgorithm.ES256, KeyAlgorithm.EDDSA]

# One key per algorithm for the property tests: generated once, as Hypothesis reruns the body.
_STORE = InMemoryKeyStore()
_KIDS = {alg: _STORE.generate(alg) for alg in ALGORITHMS}


def _jwk(kid: str) -> dict[str, str]:
    return jose.public_jwk(_STORE.public_key(kid))


# --- round trips and standard vectors ----------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_signatures_are_64_raw_bytes_that_verify(algorithm: KeyAlgorithm) -> None:
    kid = _KIDS[algorithm]
    signature = _STORE.sign(kid, b"hello")
    assert len(signature) == 64
    assert jose.verify_jwk(algorithm, _jwk(kid), b"hello", signature)
    assert not jose.verify_jwk(algorithm, _jwk(kid), b"hello!", signature)
    other = KeyAlgorithm.EDDSA if algorithm is KeyAlgorithm.ES256 else KeyAlgorithm.ES256
    assert not jose.verify_jwk(other, _jwk(kid), b"hello", signature)


def test_es256_raw_form_is_r_concatenated_with_s() -> None:
    kid = _KIDS[KeyAlgorithm.ES256]
    raw = _STORE.sign(kid, b"data")
    key = jose.key_from_jwk(_jwk(kid))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(jose.es256_der_from_raw(raw), b"data", ec.ECDSA(hashes.SHA256()))
    assert jose.es256_raw_from_der(jose.es256_der_from_raw(raw)) == raw


def test_rfc_vectors_verify() -> None:
    # RFC 7515 Appendix A.3 (ES256) and RFC 8037 Appendix A.4 (Ed25519), public keys only.
    es256 = {
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
    es256_input = (
        b"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
        b"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    )
    es256_sig = b64url_decode(
        "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
    )
    assert jose.verify_jwk("ES256", es256, es256_input, es256_sig)
    ed = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jose.thumbprint(ed) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"  # RFC 8037 A.3
    ed_sig = b64url_decode(
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )
    assert jose.verify_jwk(
        "EdDSA", ed, b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc", ed_sig
    )


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    algorithm=st.sampled_from(ALGORITHMS),
    payload=st.binary(max_size=256),
    other=st.binary(max_size=256),
)
def test_a_signature_verifies_only_its_own_payload(
    algorithm: KeyAlgorithm, payload: bytes, other: bytes
) -> None:
    kid = _KIDS[algorithm]
    signature = _STORE.sign(kid, payload)
    assert jose.verify_jwk(algorithm, _jwk(kid), payload, signature)
    assert jose.verify_jwk(algorithm, _jwk(kid), other, signature) == (other == payload)


@settings(max_examples=60, deadline=None)
@given(
    algorithm=st.sampled_from(ALGORITHMS),
    payload=st.binary(max_size=64),
    position=st.integers(min_value=0, max_value=63),
    bit=st.integers(min_value=0, max_value=7),
)
def test_any_flipped_signature_bit_is_refused(
    algorithm: KeyAlgorithm, payload: bytes, position: int, bit: int
) -> None:
    kid = _KIDS[algorithm]
    signature = bytearray(_STORE.sign(kid, payload))
    signature[position] ^= 1 << bit
    assert not jose.verify_jwk(algorithm, _jwk(kid), payload, bytes(signature))


@settings(deadline=None)
@given(data=st.binary(max_size=32), cut=st.integers(min_value=0, max_value=63))
def test_truncated_signatures_are_refused_not_raised(data: bytes, cut: int) -> None:
    for algorithm in ALGORITHMS:
        kid = _KIDS[algorithm]
        assert not jose.verify_jwk(algorithm, _jwk(kid), data, _STORE.sign(kid, data)[:cut])


# --- windows: rotation and revocation ------------------------------------------------------------


def test_key_window_bounds() -> None:
    window = KeyWindow(T0, T0 + timedelta(hours=1), T0 + timedelta(minutes=30))
    assert not window.covers(T0 - timedelta(microseconds=1))
    assert window.covers(T0)
    assert window.covers(T0 + timedelta(minutes=29))
    assert not window.covers(T0 + timedelta(minutes=30))
    assert KeyWindow(T0).covers(T0 + timedelta(days=3650))


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA"])
def test_rotation_keeps_old_signatures_and_revocation_stops_later_ones(
    session: Session, keyed: InMemoryKeyStore, algorithm: str
) -> None:
    old = service.member_signer(session, ZJ, keystore=keyed, algorithm=algorithm)
    early = old.sign(b"minutes of the meeting")
    t1, t2, t3, t4 = (T0 + timedelta(hours=h) for h in (1, 2, 3, 4))

    def verify(kid: str, signature: bytes, at: datetime) -> bool:
        return service.verify_signature(session, kid, b"minutes of the meeting", signature, at=at)

    assert verify(old.key_id, early, T0)
    service.rotate_key(
        session, ZJ, algorithm=algorithm, keystore=keyed, by=Actor.system(), clock=lambda: t1
    )
    new = service.member_signer(session, ZJ, keystore=keyed, algorithm=algorithm)
    assert new.key_id != old.key_id
    assert verify(old.key_id, early, T0)  # retired, but signed while active
    assert not verify(old.key_id, old.sign(b"minutes of the meeting"), t2)  # after retirement
    late = new.sign(b"minutes of the meeting")
    assert verify(new.key_id, late, t2)
    assert not verify(new.key_id, late, T0)  # before the new key existed
    service.revoke_key(
        session, new.key_id, reason="compromised", by=Actor.system(), clock=lambda: t3
    )
    assert verify(new.key_id, late, t2)  # before the revocation
    assert not verify(new.key_id, late, t4)  # after it
    assert not verify(new.key_id, late, t3)


def test_table_verifier_caches_keys_and_sees_revocation_after_its_ttl(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    ticks = [0.0]
    verifier = service.KeyTableVerifier(
        lambda: session, cache_seconds=30, monotonic=lambda: ticks[0]
    )
    signer = service.member_signer(session, JS, keystore=keyed, algorithm="EdDSA")
    signature = signer.sign(b"m")
    later = T0 + timedelta(hours=2)
    assert verifier.verify(signer.key_id, b"m", signature, at=later)
    service.revoke_key(
        session, signer.key_id, by=Actor.system(), clock=lambda: T0 + timedelta(hours=1)
    )
    assert verifier.verify(signer.key_id, b"m", signature, at=later)  # still cached
    ticks[0] = 31.0
    assert not verifier.verify(signer.key_id, b"m", signature, at=later)
    assert not verifier.verify("not-a-key-id", b"m", signature, at=later)
    assert not verifier.verify("A" * 43, b"m", signature, at=later)
    with pytest.raises(ValueError, match="timezone-aware"):
        verifier.verify(signer.key_id, b"m", signature, at=datetime(2026, 1, 1))  # noqa: DTZ001


def test_signer_factories_name_what_is_missing(
    session: Session, keystore: InMemoryKeyStore
) -> None:
    with pytest.raises(NotFoundError) as missing:
        service.region_signer(session, keystore=keystore)
    assert "dyrd key" in missing.value.hint
    service.init_default_keys(session, keystore=keystore, clock=lambda: T0)
    root = service.region_signer(session, keystore=keystore)
    assert root.algorithm == "ES256"
    assert root.public_jwk["kid"] == root.key_id
    assert repr(root) == f"KeySigner(kid={root.key_id!r}, algorithm='ES256')"
    keystore.forget(root.key_id)
    with pytest.raises(KeyStoreError, match="No private key"):
        service.region_signer(session, keystore=keystore)


def test_a_trust_signer_is_a_ledger_signer(session: Session, keyed: InMemoryKeyStore) -> None:
    """The ledger can take a member key as its tree-head signer: same key ids, same encodings."""
    for algorithm in ("ES256", "EdDSA"):
        signer = service.member_signer(
            session,
            REGION_MEMBER_ID if algorithm == "ES256" else ZJ,
            keystore=keyed,
            algorithm=algorithm,
        )
        assert ledger_signatures.key_id(signer.public_key) == signer.key_id
        assert ledger_signatures.algorithm_of(signer.public_key) == signer.algorithm
        signature = signer.sign(b"tree head")
        assert ledger_signatures.verify_signature(
            signer.algorithm, signer.public_key, b"tree head", signature
        )


def test_naive_times_are_refused(session: Session, keyed: InMemoryKeyStore) -> None:
    signer = service.member_signer(session, ZJ, keystore=keyed)
    with pytest.raises(ValueError, match="timezone-aware"):
        service.verify_signature(
            session,
            signer.key_id,
            b"m",
            signer.sign(b"m"),
            at=datetime(2026, 1, 1),  # noqa: DTZ001
        )
    assert service.verify_signature(
        session, signer.key_id, b"m", signer.sign(b"m"), at=datetime(2026, 11, 27, tzinfo=UTC)
    )
