"""Issuer side of revocation: stewards revoke and lift, the node serves signed deltas (+ API)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url_decode
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, PermissionDenied, ValidationFailed
from dyrd.core.types import Role
from dyrd.credential.compute import hcert
from dyrd.credential.compute import revocation as rc
from dyrd.credential.compute import revocation_document as rd
from dyrd.credential.errors import AlreadyRevoked, KidNotOwned, RevocationNotLifted
from dyrd.credential.revocation_schemas import RevocationCreate
from dyrd.credential.service import revocation as service
from dyrd.trust import service as trust_service
from tests.fakes import FakeAuthenticator, InMemoryKeyStore

ISSUER = "CN-YRD/GOV/330000"
OTHER = "CN-YRD/GOV/310000"
KID = "0102030405060708"
"""Replaced in every test by the kid of ISSUER's own DSC (``own_dsc``)."""
STEWARD = Principal("zj.steward", {ISSUER: frozenset({Role.DATA_STEWARD})})
VIEWER = Principal("zj.viewer", {ISSUER: frozenset({Role.VIEWER})})
OUTSIDER = Principal("sh.steward", {OTHER: frozenset({Role.DATA_STEWARD})})


def _hash(i: int) -> str:
    return f"{i:032x}"


def _body(i: int, **kw: object) -> RevocationCreate:
    values: dict[str, object] = {
        "issuer_member": ISSUER,
        "reason": "issued in error",
        "kid": KID,
        "hash_type": "UCI",
        "hash": _hash(i),
    }
    values.update(kw)
    return RevocationCreate.model_validate(values)


@pytest.fixture
def keystore(session: Session, clock: Clock) -> InMemoryKeyStore:
    store = InMemoryKeyStore()
    trust_service.init_default_keys(session, keystore=store, clock=clock)
    return store


def _dsc_kid(session: Session, member: str, keystore: InMemoryKeyStore, clock: Clock) -> str:
    made = trust_service.issue_certificate(
        session, member, keystore=keystore, by=Actor.system(), clock=clock
    )
    return base64.b64decode(made.active.kid).hex()


@pytest.fixture(autouse=True)
def own_dsc(
    session: Session, keystore: InMemoryKeyStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> str:
    """ISSUER holds a DSC and the tests revoke under its kid (only an owner's kid may be)."""
    kid = _dsc_kid(session, ISSUER, keystore, clock)
    monkeypatch.setattr(f"{__name__}.KID", kid)
    return kid


def _checker(session: Session) -> rd.SignatureCheck:
    def check(kid: str, alg: str, data: bytes, signature: bytes) -> str | None:
        key = trust_service.get_key(session, kid)
        ok = trust_service.verify_signature(session, kid, data, signature, at=key.not_before)
        return key.member_id if ok and key.algorithm.value == alg else None

    return check


def test_a_steward_revokes_and_the_list_version_grows(session: Session, clock: Clock) -> None:
    first = service.revoke(session, _body(1), by=STEWARD, clock=clock)
    assert [r.version for r in first] == [1]
    assert first[0].created_by == "zj.steward"
    assert first[0].created_for == ISSUER
    second = service.revoke(session, _body(2), by=STEWARD, clock=clock)
    assert second[0].version == 2
    assert service.list_version(session, ISSUER) == 2
    with pytest.raises(AlreadyRevoked):
        service.revoke(session, _body(1), by=STEWARD, clock=clock)
    status = {s.issuer_member: s for s in service.list_status(session)}
    assert status[ISSUER].version == 2
    assert status[ISSUER].standing == 2


def _code(session: Session, member: str, keystore: InMemoryKeyStore, clock: Clock) -> str:
    """An HC1 code signed with ``member``'s active DSC key."""
    dsc = trust_service.document_signer(session, member, keystore=keystore, at=clock())
    claims: dict[int, Any] = {1: "CN", 4: 1_900_000_000, 6: 1_790_000_000, -260: {1: {"ci": "U1"}}}
    return hcert.encode_hc1(claims, sign=dsc.signer.sign, alg=-7, kid=dsc.kid)


def test_a_member_cannot_revoke_under_another_members_kid(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    other_kid = _dsc_kid(session, OTHER, keystore, clock)
    with pytest.raises(KidNotOwned) as caught:
        service.revoke(session, _body(1, kid=other_kid), by=STEWARD, clock=clock)
    assert other_kid in caught.value.message
    assert "无权" in caught.value.message_zh
    with pytest.raises(KidNotOwned):  # a kid no DSC has
        service.revoke(session, _body(1, kid="ffffffffffffffff"), by=STEWARD, clock=clock)
    assert service.list_version(session, ISSUER) == 0


def test_revoking_by_text_needs_the_issuers_own_signature(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    own = _code(session, ISSUER, keystore, clock)
    body = {"issuer_member": ISSUER, "reason": "r", "hash_types": ["SIGNATURE"]}
    made = service.revoke(
        session,
        RevocationCreate.model_validate({**body, "credential": own}),
        by=STEWARD,
        clock=clock,
    )
    assert len(made) == 1
    # Another member's code: its kid is not ISSUER's.
    _dsc_kid(session, OTHER, keystore, clock)
    theirs = _code(session, OTHER, keystore, clock)
    with pytest.raises(KidNotOwned):
        service.revoke(
            session,
            RevocationCreate.model_validate({**body, "credential": theirs}),
            by=STEWARD,
            clock=clock,
        )
    # A forgery under ISSUER's kid, signed by some other key: its signature does not verify.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from dyrd.trust.compute import jose

    stray = ec.generate_private_key(ec.SECP256R1())

    def sign(data: bytes) -> bytes:
        return jose.es256_raw_from_der(stray.sign(data, ec.ECDSA(hashes.SHA256())))

    forged = hcert.encode_hc1(
        {1: "CN", 4: 1_900_000_000}, sign=sign, alg=-7, kid=bytes.fromhex(KID)
    )
    with pytest.raises(KidNotOwned) as caught:
        service.revoke(
            session,
            RevocationCreate.model_validate({**body, "credential": forged}),
            by=STEWARD,
            clock=clock,
        )
    assert "signature" in caught.value.message


def test_only_stewards_of_the_issuer_may_revoke(session: Session, clock: Clock) -> None:
    with pytest.raises(PermissionDenied):
        service.revoke(session, _body(1), by=VIEWER, clock=clock)
    with pytest.raises(PermissionDenied):
        service.revoke(session, _body(1), by=OUTSIDER, clock=clock)
    with pytest.raises(PermissionDenied):
        service.list_revocations(session, issuer=ISSUER, by=OUTSIDER)
    assert service.list_revocations(session, issuer=ISSUER, by=VIEWER).total == 0


def test_lift_and_revoke_again(session: Session, clock: Clock) -> None:
    (rec,) = service.revoke(session, _body(7), by=STEWARD, clock=clock)
    lifted = service.lift(session, rec.id, reason="wrong person", by=STEWARD, clock=clock)
    assert lifted.lifted_version == 2
    assert lifted.lifted_by == "zj.steward"
    with pytest.raises(RevocationNotLifted):
        service.lift(session, rec.id, reason="again", by=STEWARD, clock=clock)
    with pytest.raises(PermissionDenied):
        service.lift(session, rec.id, reason="x", by=OUTSIDER, clock=clock)
    (again,) = service.revoke(session, _body(7), by=STEWARD, clock=clock)
    assert again.id == rec.id
    assert again.version == 3
    assert again.lifted_version is None
    page = service.list_revocations(session, issuer=ISSUER, include_lifted=True, by=VIEWER)
    assert page.total == 1


@pytest.mark.parametrize(
    "values",
    [
        {"kid": "zz"},
        {"hash": "00"},
        {"credential": "HC1:xyz"},  # with kid/hash given too
    ],
)
def test_bad_requests_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # pydantic's ValidationError
        _body(1, **values)


def test_unreadable_credential_text_is_a_validation_error(session: Session, clock: Clock) -> None:
    body = RevocationCreate.model_validate(
        {"issuer_member": ISSUER, "reason": "r", "credential": "HC1:NOT-BASE45!"}
    )
    with pytest.raises(ValidationFailed):
        service.revoke(session, body, by=STEWARD, clock=clock)


def test_served_document_verifies_and_deltas_rebuild_the_list(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    for i in range(20):
        service.revoke(session, _body(i), by=Actor.system(), clock=clock)
    full = service.revocation_document(session, ISSUER, since=0, keystore=keystore, clock=clock)
    assert full.version == 20
    check = _checker(session)
    doc = rd.open_document(full.document, check)
    state = rd.apply_document(rc.ListState(ISSUER), doc)
    assert len(state.entries) == 20
    # Lift one, revoke two: the delta since 20 carries only those.
    records = service.list_revocations(session, issuer=ISSUER, by=Actor.system()).items
    service.lift(session, records[-1].id, reason="error", by=Actor.system(), clock=clock)
    service.revoke(session, _body(100), by=Actor.system(), clock=clock)
    service.revoke(session, _body(101), by=Actor.system(), clock=clock)
    delta = service.revocation_document(session, ISSUER, since=20, keystore=keystore, clock=clock)
    ddoc = rd.open_document(delta.document, check)
    assert len(ddoc.delta.added) == 2
    assert len(ddoc.delta.removed) == 1
    state = rd.apply_document(state, ddoc)
    assert state.version == 23
    assert len(state.entries) == 21
    assert len(delta.document) < len(full.document)
    with pytest.raises(ConflictError):
        service.revocation_document(session, ISSUER, since=99, keystore=keystore, clock=clock)
    snap = service.local_snapshot(session)
    assert snap.has(bytes.fromhex(KID), rc.HashType.UCI, bytes.fromhex(_hash(100)))
    assert not snap.has(bytes.fromhex(KID), rc.HashType.UCI, bytes.fromhex(_hash(0)))  # lifted


def test_local_snapshot_is_reused_until_a_list_changes(session: Session, clock: Clock) -> None:
    cache = service.SnapshotCache()
    service.revoke(session, _body(1), by=Actor.system(), clock=clock)
    first = service.local_snapshot(session, cache=cache)
    assert service.local_snapshot(session, cache=cache) is first  # no list moved: same one
    service.revoke(session, _body(2), by=Actor.system(), clock=clock)
    second = service.local_snapshot(session, cache=cache)
    assert second is not first  # the list's version moved
    assert second.has(bytes.fromhex(KID), rc.HashType.UCI, bytes.fromhex(_hash(2)))
    records = service.list_revocations(session, issuer=ISSUER, by=Actor.system()).items
    service.lift(session, records[0].id, reason="error", by=Actor.system(), clock=clock)
    third = service.local_snapshot(session, cache=cache)
    assert not third.has(bytes.fromhex(KID), rc.HashType.UCI, bytes.fromhex(_hash(2)))
    cache.invalidate()
    assert service.local_snapshot(session, cache=cache) is not third
    assert service.local_snapshot(session, cache=None) is not service.local_snapshot(
        session, cache=None
    )


def test_documents_hold_no_reasons_or_names(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    service.revoke(session, _body(1, reason="secret reason"), by=STEWARD, clock=clock)
    doc = service.revocation_document(session, ISSUER, since=0, keystore=keystore, clock=clock)
    assert b"secret" not in doc.document
    assert b"zj.steward" not in doc.document
    header = json.loads(b64url_decode(json.loads(doc.document)["signature"]["protected"]))
    assert header["typ"] == "dyrd-revocation+jcs"


# --- HTTP -----------------------------------------------------------------------------------------


@pytest.fixture
def api(app: FastAPI, session: Session, keystore: InMemoryKeyStore) -> Iterator[TestClient]:
    app.state.trust_keystore = keystore
    app.state.authenticator = FakeAuthenticator(
        {"steward": STEWARD, "viewer": VIEWER, "outsider": OUTSIDER}
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_revoke_list_lift_and_serve(api: TestClient) -> None:
    body = {
        "issuer_member": ISSUER,
        "reason": "r",
        "kid": KID,
        "hash_type": "UCI",
        "hash": _hash(5),
    }
    assert api.post("/api/v1/credential/revocations", json=body).status_code == 401
    denied = api.post("/api/v1/credential/revocations", json=body, headers=_auth("outsider"))
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    made = api.post("/api/v1/credential/revocations", json=body, headers=_auth("steward"))
    assert made.status_code == 201, made.text
    rid = made.json()[0]["id"]
    again = api.post("/api/v1/credential/revocations", json=body, headers=_auth("steward"))
    assert again.status_code == 409
    assert again.json()["type"] == "urn:dyrd:problem:already-revoked"
    listed = api.get(
        "/api/v1/credential/revocations", params={"issuer": ISSUER}, headers=_auth("viewer")
    )
    assert listed.json()["total"] == 1

    doc = api.get("/api/v1/credential/revocation", params={"issuer": ISSUER, "since": 0})
    assert doc.status_code == 200
    assert doc.headers["cache-control"] == "no-cache"
    etag = doc.headers["etag"]
    same = api.get(
        "/api/v1/credential/revocation",
        params={"issuer": ISSUER, "since": 0},
        headers={"If-None-Match": etag},
    )
    assert same.status_code == 304
    lifted = api.post(
        f"/api/v1/credential/revocations/{rid}/lift",
        json={"reason": "mistake"},
        headers=_auth("steward"),
    )
    assert lifted.status_code == 200
    changed = api.get(
        "/api/v1/credential/revocation",
        params={"issuer": ISSUER, "since": 0},
        headers={"If-None-Match": etag},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    with_bloom = api.get(
        "/api/v1/credential/revocation", params={"issuer": ISSUER, "since": 1, "bloom": "true"}
    )
    assert b'"bloom":' in with_bloom.content
    lists = api.get("/api/v1/credential/revocation/lists").json()
    assert {"issuer_member": ISSUER, "version": 2, "standing": 0}.items() <= next(
        x for x in lists if x["issuer_member"] == ISSUER
    ).items()
    assert api.get("/api/v1/credential/revocation/sync").status_code == 404
    ahead = api.get("/api/v1/credential/revocation", params={"issuer": ISSUER, "since": 9})
    assert ahead.status_code == 409
    assert api.get("/api/v1/credential/revocation").status_code == 422  # which issuer?
    bad = api.get("/api/v1/credential/revocation", params={"issuer": "nope"})
    assert bad.status_code == 422


def test_revocations_and_lifts_are_ledgered_without_reasons(session: Session, clock: Clock) -> None:
    from sqlalchemy import select

    from dyrd.ledger.models import LedgerEntry

    (rec,) = service.revoke(
        session, _body(9, reason="wrong person: Li Lei"), by=STEWARD, clock=clock
    )
    service.lift(session, rec.id, reason="Li Lei was right", by=STEWARD, clock=clock)
    rows = session.execute(
        select(LedgerEntry.kind, LedgerEntry.subject, LedgerEntry.actor_user, LedgerEntry.entry)
    ).all()
    mine = [r for r in rows if r.kind.startswith("credential.revocation.")]
    assert [(r.kind, r.subject) for r in mine] == [
        (service.LEDGER_REVOKED, str(rec.id)),
        (service.LEDGER_LIFTED, str(rec.id)),
    ]
    assert all(r.actor_user == "zj.steward" for r in mine)
    assert KID.encode() in bytes(mine[0].entry)
    assert all(b"Li Lei" not in bytes(r.entry) for r in mine)
