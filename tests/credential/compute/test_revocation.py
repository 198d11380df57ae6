"""Revocation hashes, partitions, deltas and the signed document (pure parts)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.credential.compute import revocation as rc
from dyrd.credential.compute import revocation_document as rd
from dyrd.trust.compute import jose

ISSUER = "CN-YRD/GOV/330000/WSJKW"
OTHER = "CN-YRD/GOV/310000/WSJKW"
KID = bytes.fromhex("0102030405060708")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_hash_types_follow_the_dcc_definitions() -> None:
    r, s = bytes(range(32)), bytes(range(32, 64))
    assert rc.signature_hash(r + s, alg=-7) == hashlib.sha256(r).digest()[:16]
    # ECDSA malleability: (r, n - s) verifies as well; the hash must not change.
    assert rc.signature_hash(r + bytes(32), alg="ES256") == rc.signature_hash(r + s, alg=-7)
    pss = bytes(range(256))
    assert rc.signature_hash(pss, alg=-37) == hashlib.sha256(pss).digest()[:16]
    uci = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
    assert rc.uci_hash(uci) == hashlib.sha256(uci.encode()).digest()[:16]
    assert rc.country_uci_hash("AT", uci) == hashlib.sha256(b"AT" + uci.encode()).digest()[:16]
    got = rc.credential_hashes(signature=r + s, alg=-7, uci=uci, country="AT")
    assert set(got) == set(rc.HashType)
    assert rc.credential_hashes(signature=None, alg=None) == {}


def test_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        rc.signature_hash(b"", alg=-7)
    with pytest.raises(ValueError, match="empty"):
        rc.uci_hash("")
    with pytest.raises(ValueError, match="empty"):
        rc.country_uci_hash("", "x")


def test_entries_are_checked_and_partitioned_by_the_first_hex_digit() -> None:
    h = bytes.fromhex("a1" + "00" * 15)
    assert rc.Entry(KID, rc.HashType.UCI, h).partition.x == 0xA
    with pytest.raises(ValueError, match="kid"):
        rc.Entry(b"short", rc.HashType.UCI, h)
    with pytest.raises(ValueError, match="16 bytes"):
        rc.Entry(KID, rc.HashType.UCI, h[:8])


# --- deltas -------------------------------------------------------------------------------------


@dataclass
class Issuer:
    """A tiny issuer: the latest record per entry, like the database table."""

    version: int = 0
    records: dict[rc.Entry, rc.Event] | None = None

    def __post_init__(self) -> None:
        self.records = {}

    def revoke(self, e: rc.Entry) -> None:
        assert self.records is not None
        if e in self.records and self.records[e].current:
            return
        self.version += 1
        self.records[e] = rc.Event(e, self.version)

    def lift(self, e: rc.Entry) -> None:
        assert self.records is not None
        if e not in self.records or not self.records[e].current:
            return
        self.version += 1
        self.records[e] = rc.Event(e, self.records[e].version, self.version)

    def delta(self, since: int) -> rc.Delta:
        assert self.records is not None
        return rc.delta_since(ISSUER, self.records.values(), since, self.version)

    def state(self) -> rc.ListState:
        assert self.records is not None
        return rc.ListState(
            ISSUER, self.version, frozenset(e for e, ev in self.records.items() if ev.current)
        )


entries = st.builds(
    rc.Entry,
    st.sampled_from([KID, bytes(8)]),
    st.sampled_from(list(rc.HashType)),
    st.binary(min_size=16, max_size=16),
)
operations = st.lists(
    st.tuples(st.sampled_from(["revoke", "lift", "sync"]), st.integers(0, 9)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(entries, min_size=1, max_size=10, unique=True), operations)
def test_applying_deltas_in_order_reproduces_the_full_state(
    pool: list[rc.Entry], ops: list[tuple[str, int]]
) -> None:
    issuer = Issuer()
    verifier = rc.ListState(ISSUER)
    late = rc.ListState(ISSUER)  # a verifier that syncs only at the end
    for op, i in ops:
        e = pool[i % len(pool)]
        if op == "revoke":
            issuer.revoke(e)
        elif op == "lift":
            issuer.lift(e)
        else:
            verifier = verifier.apply(issuer.delta(verifier.version))
            assert verifier == issuer.state()
    verifier = verifier.apply(issuer.delta(verifier.version))
    late = late.apply(issuer.delta(0))
    assert verifier == issuer.state() == late
    # A delta from an older version still applies to a newer state (overlap is harmless).
    assert rc.ListState(ISSUER).apply(issuer.delta(0)) == issuer.state()


def test_a_delta_that_does_not_connect_is_refused() -> None:
    issuer = Issuer()
    for b in range(3):
        issuer.revoke(rc.Entry(KID, rc.HashType.UCI, bytes([b]) * 16))
    d = issuer.delta(2)
    with pytest.raises(ValueError, match="does not connect"):
        rc.ListState(ISSUER).apply(d)  # version 0 < since 2: entries 1 and 2 would be missed
    with pytest.raises(ValueError, match="cannot apply"):
        rc.ListState(OTHER, 2).apply(d)
    with pytest.raises(ValueError, match="later"):
        rc.Delta(ISSUER, 3, 2, frozenset(), frozenset())


# --- snapshot -----------------------------------------------------------------------------------


def _es256_signature() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives import hashes

    raw = jose.es256_raw_from_der(key.sign(b"payload", ec.ECDSA(hashes.SHA256())))
    return raw, raw[:32] + bytes(32)


def test_snapshot_answers_by_signature_and_uci() -> None:
    sig, _ = _es256_signature()
    other_sig, _ = _es256_signature()
    uci = "URN:UVCI:01:CN:330000:ABC#1"
    state = rc.ListState(
        ISSUER,
        2,
        frozenset(
            {
                rc.Entry(KID, rc.HashType.SIGNATURE, rc.signature_hash(sig, alg=-7)),
                rc.Entry(KID, rc.HashType.COUNTRYCODEUCI, rc.country_uci_hash("CN", uci)),
            }
        ),
    )
    snap = rc.RevocationSnapshot.from_states([state], owners=_owners({KID: ISSUER}))
    assert snap.versions == {ISSUER: 2}
    assert snap.ignored_foreign == {ISSUER: 0}
    assert snap.partition_count == 2
    assert snap.is_revoked(KID, sig)
    assert not snap.is_revoked(KID, other_sig)
    assert not snap.is_revoked(bytes(8), sig)  # the same hash under another key is not revoked
    assert snap.is_revoked(KID, other_sig, uci, country="CN")
    assert not snap.is_revoked(KID, other_sig, uci)  # UCI alone is not what was revoked
    assert not snap.is_revoked(KID, b"\x01\x02\x03")  # odd "ECDSA" signature: not a crash


def _owners(table: dict[bytes, str]) -> rc.KidOwners:
    return lambda kid: frozenset({table[kid]}) if kid in table else frozenset()


def test_membership_of_departments() -> None:
    assert rc.belongs_to("CN-YRD/GOV/330000", "CN-YRD/GOV/330000")
    assert rc.belongs_to("CN-YRD/GOV/330000/WSJKW", "CN-YRD/GOV/330000")
    assert not rc.belongs_to("CN-YRD/GOV/330000", "CN-YRD/GOV/330000/WSJKW")
    assert not rc.belongs_to("CN-YRD/GOV/310000", "CN-YRD/GOV/330000")
    assert not rc.belongs_to("CN-YRD/GOV/3300001", "CN-YRD/GOV/330000")
    assert not rc.belongs_to("CN-YRD/GOV/330000", "CN-YRD")  # the region owns no member's keys


def test_a_forged_cross_member_entry_is_not_honoured() -> None:
    """Member A's signed list naming member B's kid revokes nothing; unknown kids neither."""
    a, b = "CN-YRD/GOV/310000", "CN-YRD/GOV/330000"
    kid_a, kid_b, unknown = b"A" * 8, b"B" * 8, b"?" * 8
    sig, _ = _es256_signature()
    hash_ = rc.signature_hash(sig, alg=-7)
    forged = rc.ListState(
        a,
        3,
        frozenset(
            {
                rc.Entry(kid_b, rc.HashType.SIGNATURE, hash_),
                rc.Entry(unknown, rc.HashType.SIGNATURE, hash_),
                rc.Entry(kid_a, rc.HashType.UCI, rc.uci_hash("URN:UVCI:A")),
            }
        ),
    )
    owners = _owners({kid_a: a, kid_b: b})
    snap = rc.RevocationSnapshot.from_states([forged, rc.ListState(b, 1)], owners=owners)
    assert not snap.is_revoked(kid_b, sig)
    assert not snap.is_revoked(unknown, sig)
    assert snap.has(kid_a, rc.HashType.UCI, rc.uci_hash("URN:UVCI:A"))  # its own still counts
    assert snap.ignored_foreign == {a: 2, b: 0}
    # A kid two members' DSCs share is owned by neither alone.
    shared: rc.KidOwners = lambda kid: frozenset({a, b})  # noqa: E731
    assert not rc.owns_kid(shared, kid_a, a)
    # B's own list under its kid is honoured.
    own = rc.ListState(b, 1, frozenset({rc.Entry(kid_b, rc.HashType.SIGNATURE, hash_)}))
    assert rc.RevocationSnapshot.from_states([own], owners=owners).is_revoked(kid_b, sig)


def test_the_exact_list_decides_when_held() -> None:
    # A filter that says yes to everything: the exact list still decides.
    key = rc.PartitionKey(KID, rc.HashType.UCI, 0)
    everything = rc.partition_filter([])
    everything._bits[:] = b"\xff" * len(everything._bits)
    listed = bytes(16)
    part = rc.Partition(key, everything, frozenset({listed}))
    snap = rc.RevocationSnapshot([part])
    assert snap.has(KID, rc.HashType.UCI, listed)
    assert not snap.has(KID, rc.HashType.UCI, bytes(15) + b"\x01")
    lite = rc.RevocationSnapshot([rc.Partition(key, everything, None)])  # filter only
    assert lite.has(KID, rc.HashType.UCI, bytes(15) + b"\x01")


# --- the signed document ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _kid_of(key: ec.EllipticCurvePrivateKey) -> str:
    return jose.thumbprint(jose.jwk_of_key(key.public_key()))


def _sign(key: ec.EllipticCurvePrivateKey):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes

    return lambda data: jose.es256_raw_from_der(key.sign(data, ec.ECDSA(hashes.SHA256())))


def _checker(key: ec.EllipticCurvePrivateKey, member: str = ISSUER) -> rd.SignatureCheck:
    kid = _kid_of(key)

    def check(k: str, alg: str, data: bytes, signature: bytes) -> str | None:
        if k != kid or alg != "ES256":
            return None
        ok = jose.verify_with_key("ES256", key.public_key(), data, signature)
        return member if ok else None

    return check


def _issuer_with(n: int) -> Issuer:
    issuer = Issuer()
    for i in range(n):
        issuer.revoke(rc.Entry(KID, rc.HashType.UCI, hashlib.sha256(bytes([i])).digest()[:16]))
    return issuer


def _document(issuer: Issuer, since: int, key: ec.EllipticCurvePrivateKey, **kw: bool) -> bytes:
    body = rd.payload(issuer.delta(since), issuer.state(), issued_at=NOW, **kw)
    return rd.sign_document(body, key_id=_kid_of(key), algorithm="ES256", sign=_sign(key))


def test_document_round_trip_full_and_delta(signing_key: ec.EllipticCurvePrivateKey) -> None:
    issuer = _issuer_with(30)
    full = rd.open_document(_document(issuer, 0, signing_key), _checker(signing_key))
    state = rd.apply_document(rc.ListState(ISSUER), full)
    assert state == issuer.state()
    assert full.delta.is_full
    assert full.signed_by == _kid_of(signing_key)
    held = issuer.version
    issuer.revoke(rc.Entry(KID, rc.HashType.UCI, bytes(16)))
    issuer.lift(next(iter(sorted(issuer.state().entries))))
    data = _document(issuer, held, signing_key)
    delta = rd.open_document(data, _checker(signing_key))
    assert len(delta.checks) <= 2
    state = rd.apply_document(state, delta)
    assert state == issuer.state()
    assert len(data) < 2000  # a delta of two changes is small, whatever the list's size


def test_bloom_in_the_document_matches_the_rebuilt_filter(
    signing_key: ec.EllipticCurvePrivateKey,
) -> None:
    issuer = _issuer_with(40)
    doc = rd.open_document(
        _document(issuer, 0, signing_key, include_bloom=True), _checker(signing_key)
    )
    parts = rc.build_partitions(issuer.state())
    for check in doc.checks:
        assert check.bloom == parts[check.key].bloom.to_bytes()


def test_tampering_and_foreign_keys_are_refused(signing_key: ec.EllipticCurvePrivateKey) -> None:
    issuer = _issuer_with(5)
    data = _document(issuer, 0, signing_key)
    outer = json.loads(data)
    outer["revocation"]["partitions"][0]["added"].pop()
    tampered = json.dumps(outer).encode()
    with pytest.raises(rd.DocumentRejected) as bad:
        rd.open_document(tampered, _checker(signing_key))
    assert bad.value.reason == "bad-signature"
    with pytest.raises(rd.DocumentRejected) as wrong:
        rd.open_document(data, _checker(signing_key, member=OTHER))
    assert wrong.value.reason == "wrong-signer"
    stranger = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(rd.DocumentRejected):
        rd.open_document(data, _checker(stranger))


@pytest.mark.parametrize(
    "data", [b"", b"[]", b"{}", b'{"revocation": {}, "signature": {}}', b"\xff", b"1.5"]
)
def test_garbage_is_refused_as_malformed(data: bytes) -> None:
    with pytest.raises(rd.DocumentRejected) as exc:
        rd.open_document(data, lambda *_: ISSUER)
    assert exc.value.reason == "malformed"


def test_divergence_is_detected(signing_key: ec.EllipticCurvePrivateKey) -> None:
    issuer = _issuer_with(10)
    full = rd.open_document(_document(issuer, 0, signing_key), _checker(signing_key))
    state = rd.apply_document(rc.ListState(ISSUER), full)
    held = issuer.version
    issuer.revoke(rc.Entry(KID, rc.HashType.UCI, hashlib.sha256(b"new").digest()[:16]))
    delta = rd.open_document(_document(issuer, held, signing_key), _checker(signing_key))
    # The verifier lost an entry of the touched partition: the digests no longer agree.
    touched = delta.checks[0].key
    lost = (
        next(e for e in state.entries if e.partition == touched)
        if any(e.partition == touched for e in state.entries)
        else None
    )
    if lost is None:  # make the touched partition differ by adding a stray entry instead
        stray = rc.Entry(KID, rc.HashType.UCI, bytes([touched.x << 4]) + bytes(15))
        broken = rc.ListState(ISSUER, state.version, state.entries | {stray})
    else:
        broken = rc.ListState(ISSUER, state.version, state.entries - {lost})
    with pytest.raises(rd.DocumentRejected) as exc:
        rd.apply_document(broken, delta)
    assert exc.value.reason == "diverged"
    with pytest.raises(rd.DocumentRejected) as gap:
        rd.apply_document(rc.ListState(ISSUER), delta)
    assert gap.value.reason == "gap"
