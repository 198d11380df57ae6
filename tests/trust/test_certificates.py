"""Credential certificates on the database: issue, rotate, revoke, and the signed trust list."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust import TrustList, service
from dyrd.trust.compute import directory as doc
from dyrd.trust.compute import trustlist as tl
from dyrd.trust.compute import x509 as cx
from dyrd.trust.types import KeyAlgorithm, KeyStatus
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore
from tests.trust.conftest import JS, ZJ, ZJ_DSJ, Issue

API = "/api/v1/trust"
SH = "CN-YRD/GOV/310000"
AH = "CN-YRD/GOV/340000"


@dataclass
class MovingClock:
    """A clock the test moves."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def moving() -> MovingClock:
    return MovingClock()


def dsc(
    session: Session,
    keystore: InMemoryKeyStore,
    clock: MovingClock,
    member: str = ZJ,
    *,
    days: int | None = None,
    key_id: str | None = None,
) -> tuple[str, str | None]:
    """Issue a DSC as the operator; (new fingerprint, retired fingerprint or None)."""
    result = service.issue_certificate(
        session,
        member,
        key_id=key_id,
        days=days,
        keystore=keystore,
        by=Actor.system(),
        clock=clock,
    )
    return result.active.fingerprint, None if result.retired is None else result.retired.fingerprint


def root(session: Session) -> dict[str, str]:
    return service.root_public_jwk(session)


def full(session: Session, keystore: InMemoryKeyStore, clock: MovingClock) -> TrustList:
    signed = service.signed_trust_list(session, keystore=keystore, clock=clock)
    return tl.adopt(None, tl.verify_document(signed.document, root(session), at=clock()))


def delta(
    session: Session, keystore: InMemoryKeyStore, clock: MovingClock, held: TrustList
) -> TrustList:
    signed = service.signed_trust_list(session, since=held.version, keystore=keystore, clock=clock)
    return tl.adopt(held, tl.verify_document(signed.document, root(session), at=clock()))


def statuses(trust_list: TrustList) -> dict[str, str]:
    return {e.fingerprint: e.status.value for e in trust_list.entries}


# --- issuing -----------------------------------------------------------------------------------


def test_first_issue_creates_the_csca_and_a_dsc_that_chains_to_it(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    fingerprint, retired = dsc(session, keyed, moving)
    assert retired is None
    rows = service.list_certificates(session)
    assert [(r.kind, r.member_id, r.status.value) for r in rows] == [
        ("csca", REGION_MEMBER_ID, "active"),
        ("dsc", ZJ, "active"),
    ]
    csca, issued = rows
    assert issued.fingerprint == fingerprint
    assert issued.jurisdiction_code == "330000"
    info = cx.verify_dsc(
        base64.b64decode(issued.der),
        base64.b64decode(csca.der),
        at=FIXED_NOW,
        usage=cx.CredentialUsage.HEALTH_CODE,
    )
    assert base64.b64encode(info.kid).decode() == issued.kid
    assert info.not_after - info.not_before == cx.DSC_VALIDITY
    # The CSCA is the root key's certificate: the key nodes pin for the directory.
    root_key = service.root_public_jwk(session)
    assert csca.key_id == root_key["kid"]
    # The DSC certifies the member's active ES256 key.
    zj_key = next(k for k in service.list_keys(session, ZJ) if k.algorithm is KeyAlgorithm.ES256)
    assert issued.key_id == zj_key.kid
    assert cx.read_certificate(base64.b64decode(issued.der)).public_key == base64.b64decode(
        base64.b64encode(keyed.public_key(zj_key.kid))
    )


def test_eddsa_keys_and_departments_get_dscs_too(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    eddsa = next(k for k in service.list_keys(session, JS) if k.algorithm is KeyAlgorithm.EDDSA)
    dsc(session, keyed, moving, JS, key_id=eddsa.kid, days=30)
    service.create_key(
        session, ZJ_DSJ, algorithm="ES256", keystore=keyed, by=Actor.system(), clock=moving
    )
    dsc(session, keyed, moving, ZJ_DSJ)
    rows = {
        (r.member_id, r.algorithm.value) for r in service.list_certificates(session, kind="dsc")
    }
    assert rows == {(JS, "EdDSA"), (ZJ_DSJ, "ES256")}


def test_issue_refuses_what_it_cannot_certify(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    with pytest.raises(ValidationFailed, match="region itself"):
        dsc(session, keyed, moving, REGION_MEMBER_ID)
    with pytest.raises(NotFoundError, match="no active ES256 key"):
        dsc(session, keyed, moving, ZJ_DSJ)
    other = next(k for k in service.list_keys(session, JS) if k.algorithm is KeyAlgorithm.ES256)
    with pytest.raises(NotFoundError, match="has no key"):
        dsc(session, keyed, moving, ZJ, key_id=other.kid)
    with pytest.raises(ValidationFailed) as bad:
        dsc(session, keyed, moving, ZJ, days=0)
    assert [e.location for e in bad.value.errors] == ["days"]
    old = service.rotate_key(
        session, ZJ, algorithm="ES256", keystore=keyed, by=Actor.system(), clock=moving
    ).retired
    assert old is not None
    with pytest.raises(ConflictError, match="retired"):
        dsc(session, keyed, moving, ZJ, key_id=old.kid)
    assert service.list_certificates(session) == []


def test_only_the_region_admin_issues(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock, issue: Issue
) -> None:
    from dyrd.trust.service import authenticate

    zj_admin = authenticate(session, issue("zj.admin", ZJ, "admin"), clock=moving)
    with pytest.raises(PermissionDenied):
        service.issue_certificate(session, ZJ, keystore=keyed, by=zj_admin, clock=moving)
    region_admin = authenticate(
        session, issue("yrd.admin", REGION_MEMBER_ID, "admin"), clock=moving
    )
    made = service.issue_certificate(session, ZJ, keystore=keyed, by=region_admin, clock=moving)
    assert made.active.created_by == "yrd.admin"
    # The member's own admin may revoke its DSC (compromise response needs no one else).
    revoked = service.revoke_certificate(
        session, made.active.fingerprint, reason="lost", by=zj_admin, clock=moving
    )
    assert (revoked.status, revoked.listed, revoked.revoked_by) == (
        KeyStatus.REVOKED,
        False,
        "zj.admin",
    )


# --- rotation, expiry, revocation ----------------------------------------------------------------


def test_rotation_keeps_the_old_dsc_listed_until_its_not_after(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    first, _ = dsc(session, keyed, moving, days=30)
    moving.advance(days=10)
    second, retired = dsc(session, keyed, moving, days=30)
    assert retired == first
    listed = full(session, keyed, moving)
    assert statuses(listed)[first] == "retired"
    assert statuses(listed)[second] == "active"
    old_entry = listed.entry(first)
    assert old_entry is not None
    assert listed.certificates_for(old_entry.kid) == (old_entry.der,)  # old codes verify
    moving.advance(days=19, hours=23)
    assert first in statuses(full(session, keyed, moving))
    moving.advance(hours=1)  # 30 days after the first was issued
    later = full(session, keyed, moving)
    assert first not in statuses(later)
    assert later.certificates_for(old_entry.kid) == ()
    assert second in statuses(later)
    row = next(r for r in service.list_certificates(session) if r.fingerprint == first)
    assert (row.status, row.listed) == (KeyStatus.RETIRED, False)


def test_revocation_removes_at_once_and_by_kid(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    fingerprint, _ = dsc(session, keyed, moving)
    row = next(r for r in service.list_certificates(session) if r.fingerprint == fingerprint)
    before = full(session, keyed, moving)
    revoked = service.revoke_certificate(
        session, row.kid, reason="key compromised", by=Actor.system(), clock=moving
    )
    assert (revoked.status, revoked.revocation_reason) == (KeyStatus.REVOKED, "key compromised")
    after = delta(session, keyed, moving, before)
    assert fingerprint not in statuses(after)
    assert after.certificates_for(base64.b64decode(row.kid)) == ()
    again = service.revoke_certificate(session, fingerprint, by=Actor.system(), clock=moving)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(NotFoundError):
        service.revoke_certificate(session, "0" * 64, by=Actor.system(), clock=moving)
    with pytest.raises(ValidationFailed):
        service.revoke_certificate(session, "not-a-ref", by=Actor.system(), clock=moving)


def test_the_key_table_leads_rotation_and_revocation(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    zj, _ = dsc(session, keyed, moving, ZJ)
    js, _ = dsc(session, keyed, moving, JS)
    service.rotate_key(
        session, ZJ, algorithm="ES256", keystore=keyed, by=Actor.system(), clock=moving
    )
    js_key = next(k for k in service.list_keys(session, JS) if k.algorithm is KeyAlgorithm.ES256)
    service.revoke_key(session, js_key.kid, by=Actor.system(), clock=moving)
    listed = full(session, keyed, moving)
    assert statuses(listed)[zj] == "retired"
    assert js not in statuses(listed)
    js_row = next(r for r in service.list_certificates(session) if r.fingerprint == js)
    assert (js_row.status, js_row.revocation_reason) == (KeyStatus.REVOKED, "key revoked")


def test_revoking_the_csca_takes_its_dscs_and_a_root_rotation_makes_a_new_csca(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    zj, _ = dsc(session, keyed, moving, ZJ)
    service.rotate_key(
        session,
        REGION_MEMBER_ID,
        algorithm="ES256",
        keystore=keyed,
        by=Actor.system(),
        clock=moving,
    )
    js, _ = dsc(session, keyed, moving, JS)
    cscas = sorted(service.list_certificates(session, kind="csca"), key=lambda c: c.status)
    assert [c.status for c in cscas] == [KeyStatus.ACTIVE, KeyStatus.RETIRED]
    assert cscas[0].key_id == root(session)["kid"]
    listed = full(session, keyed, moving)  # signed by the new root key, both chains check
    assert {statuses(listed)[zj], statuses(listed)[js]} == {"active"}
    service.revoke_certificate(session, cscas[1].fingerprint, by=Actor.system(), clock=moving)
    after = statuses(full(session, keyed, moving))
    assert zj not in after
    assert after[js] == "active"


# --- the signed trust list ---------------------------------------------------------------------


def test_documents_are_signed_and_tampering_is_refused(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    dsc(session, keyed, moving)
    pinned = root(session)
    document = service.signed_trust_list(session, keystore=keyed, clock=moving).document
    body = json.loads(document)
    assert body["trust_list"]["format"] == tl.FORMAT
    assert tl.verify_document(document, pinned, at=moving()).version == 2

    def reason(changed: bytes) -> tl.TrustListRejectReason:
        with pytest.raises(tl.TrustListRejected) as refused:
            tl.verify_document(changed, pinned, at=moving())
        assert refused.value.message_zh
        return refused.value.reason

    body["trust_list"]["entries"][0]["status"] = "revoked"
    assert reason(json.dumps(body).encode()) is tl.TrustListRejectReason.BAD_SIGNATURE
    assert reason(document[:-20]) is tl.TrustListRejectReason.MALFORMED
    other = InMemoryKeyStore()
    kid = other.generate(KeyAlgorithm.ES256)
    forged = tl.sign_document(
        json.loads(document)["trust_list"],
        key_id=kid,
        algorithm=KeyAlgorithm.ES256,
        sign=lambda data: other.sign(kid, data),
    )
    assert reason(forged) is tl.TrustListRejectReason.UNTRUSTED_KEY
    # A directory is not a trust list, even though the same key signs both.
    directory = service.current_directory(session, keystore=keyed, clock=moving).document
    assert reason(directory) is tl.TrustListRejectReason.MALFORMED
    with pytest.raises(tl.TrustListRejected) as late:
        tl.verify_document(document, pinned, at=moving() + tl.DEFAULT_VALIDITY)
    assert late.value.reason is tl.TrustListRejectReason.EXPIRED


def test_deltas_refuse_gaps_rollbacks_and_divergence(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    pinned = root(session)
    dsc(session, keyed, moving)
    old_full = tl.verify_document(
        service.signed_trust_list(session, keystore=keyed, clock=moving).document,
        pinned,
        at=moving(),
    )
    held = tl.adopt(None, old_full)
    dsc(session, keyed, moving, JS)
    newer = delta(session, keyed, moving, held)
    assert newer.version == held.version + 1
    from_zero = tl.verify_document(
        service.signed_trust_list(session, since=0, keystore=keyed, clock=moving).document,
        pinned,
        at=moving(),
    )
    assert tl.adopt(None, old_full).version == held.version
    with pytest.raises(tl.TrustListRejected) as gap:
        tl.adopt(held, from_zero)  # starts at 0, but version 2 is held
    assert gap.value.reason is tl.TrustListRejectReason.GAP
    with pytest.raises(tl.TrustListRejected) as rollback:
        tl.adopt(newer, old_full)
    assert rollback.value.reason is tl.TrustListRejectReason.ROLLBACK
    wrong_base = TrustList.of(
        region=held.region,
        version=held.version,
        issued_at=held.issued_at,
        expires_at=held.expires_at,
        entries=held.entries[:1],  # lost an entry somehow
    )
    with pytest.raises(tl.TrustListRejected) as diverged:
        delta(session, keyed, moving, wrong_base)
    assert diverged.value.reason is tl.TrustListRejectReason.DIVERGED
    with pytest.raises(ValidationFailed) as ahead:
        service.signed_trust_list(session, since=99, keystore=keyed, clock=moving)
    assert [e.location for e in ahead.value.errors] == ["since"]


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from([ZJ, JS, SH, AH]), st.integers(1, 40)),
        st.tuples(st.just("revoke"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("rotate-key"), st.sampled_from([ZJ, JS, SH, AH]), st.just(0)),
        st.tuples(st.just("wait"), st.just(""), st.integers(1, 30)),
        st.tuples(st.just("sync"), st.just(""), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
# Found by this property: a DSC reissued the moment its predecessor expires.
@example(ops=[("issue", ZJ, 1), ("wait", "", 1), ("issue", ZJ, 1)])
def test_deltas_applied_in_order_reproduce_the_full_list(
    engine: Engine, ops: list[tuple[str, str | int, int]]
) -> None:
    clock = MovingClock()
    keystore = InMemoryKeyStore()
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            service.init_default_keys(session, keystore=keystore, clock=clock)
            _replay(session, keystore, clock, ops)
        finally:
            session.close()
            outer.rollback()


def _replay(
    session: Session,
    keyed: InMemoryKeyStore,
    clock: MovingClock,
    ops: list[tuple[str, str | int, int]],
) -> None:
    pinned = root(session)
    snapshots: list[TrustList] = [full(session, keyed, clock)]
    for op, arg, n in ops:
        if op == "issue":
            dsc(session, keyed, clock, str(arg), days=n)
        elif op == "revoke":
            rows = service.list_certificates(session, kind="dsc")
            if rows:
                target = rows[int(arg) % len(rows)]
                service.revoke_certificate(
                    session, target.fingerprint, by=Actor.system(), clock=clock
                )
        elif op == "rotate-key":
            service.rotate_key(
                session, str(arg), algorithm="ES256", keystore=keyed, by=Actor.system(), clock=clock
            )
        elif op == "wait":
            clock.advance(days=n)
        snapshots.append(full(session, keyed, clock))
    now = full(session, keyed, clock)
    for held in snapshots:
        # From any earlier version, one delta lands exactly on the full list.
        caught_up = delta(session, keyed, clock, held)
        assert caught_up.entries == now.entries
        assert caught_up.version == now.version
    # Applying the deltas between consecutive snapshots, in order, lands there too.
    chained = snapshots[0]
    for nxt in snapshots[1:]:
        signed = service.signed_trust_list(
            session, since=chained.version, keystore=keyed, clock=clock
        )
        chained = tl.adopt(chained, tl.verify_document(signed.document, pinned, at=clock()))
        assert chained.version >= nxt.version
    assert chained.entries == now.entries
    for entry in now.entries:  # nothing listed has expired or been revoked
        assert entry.not_after > clock()
        assert entry.status in {KeyStatus.ACTIVE, KeyStatus.RETIRED}


# --- the directory points at the trust list ----------------------------------------------------


def test_the_directory_announces_the_trust_list_version_and_digest(
    session: Session, keyed: InMemoryKeyStore, moving: MovingClock
) -> None:
    first = service.current_directory(session, keystore=keyed, clock=moving)
    pinned = root(session)
    assert doc.verify_directory(first.document, pinned, at=moving()).trust_list is None
    assert "trust_list" not in json.loads(first.document)["directory"]
    dsc(session, keyed, moving)
    second = service.current_directory(session, keystore=keyed, clock=moving)
    assert second.info.serial == first.info.serial + 1  # a new version republishes at once
    pointer = doc.verify_directory(second.document, pinned, at=moving()).trust_list
    listed = full(session, keyed, moving)
    assert pointer == doc.DirectoryTrustList(
        version=listed.version, entries_sha256=listed.entries_sha256, url="trust-list"
    )
    same = service.current_directory(session, keystore=keyed, clock=moving)
    assert same.info.serial == second.info.serial


# --- HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def with_keys(app: object, keyed: InMemoryKeyStore) -> InMemoryKeyStore:
    app.state.trust_keystore = keyed  # type: ignore[attr-defined]
    return keyed


def test_api_serves_full_and_delta_lists_and_refuses_bad_since(
    client: TestClient, session: Session, with_keys: InMemoryKeyStore, issue: Issue
) -> None:
    token = issue("yrd.admin", REGION_MEMBER_ID, "admin")
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(f"{API}/certificates", json={"member_id": ZJ, "days": 30}, headers=auth)
    assert made.status_code == 201, made.text
    kid = made.json()["active"]["kid"]
    pinned = client.get(f"{API}/directory/root-key").json()
    body = client.get(f"{API}/trust-list")
    assert body.status_code == 200
    held = tl.adopt(None, tl.verify_document(body.content, pinned, at=FIXED_NOW))
    assert held.certificates_for(base64.b64decode(kid))
    listed = client.get(f"{API}/certificates", params={"member": ZJ}).json()
    assert [c["kid"] for c in listed] == [kid]

    empty = client.get(f"{API}/trust-list", params={"since": held.version})
    opened = tl.verify_document(empty.content, pinned, at=FIXED_NOW)
    assert (opened.since, opened.version, opened.changes) == (held.version, held.version, ())

    for bad in ("-1", "x", "1.5", str(2**40), str(held.version + 1)):
        refused = client.get(f"{API}/trust-list", params={"since": bad})
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["title_zh"]

    denied = client.post(f"{API}/certificates", json={"member_id": ZJ})
    assert denied.status_code == 401
    viewer = {"Authorization": f"Bearer {issue('zj.viewer', ZJ, 'viewer')}"}
    assert (
        client.post(f"{API}/certificates/{kid}/revoke", json={}, headers=viewer).status_code == 403
    )
    revoked = client.post(f"{API}/certificates/{kid}/revoke", json={"reason": "test"}, headers=auth)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["listed"] is False
    assert client.post(f"{API}/certificates/nope/revoke", json={}, headers=auth).status_code == 422
    after = client.get(f"{API}/trust-list", params={"since": held.version})
    assert (
        tl.adopt(held, tl.verify_document(after.content, pinned, at=FIXED_NOW)).certificates_for(
            base64.b64decode(kid)
        )
        == ()
    )
