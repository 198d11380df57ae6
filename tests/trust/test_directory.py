"""The signed regional directory: canonical bytes, verification, refusals, publishing, HTTP."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.clock import Clock
from dyrd.core.errors import NotFoundError, PermissionDenied, ValidationFailed
from dyrd.core.jcs import canonical
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust import service
from dyrd.trust.compute import directory as doc
from dyrd.trust.compute import jose
from dyrd.trust.compute.urls import node_url_problem
from dyrd.trust.errors import DirectoryInvalid
from dyrd.trust.schemas import ServiceSpec
from dyrd.trust.types import KeyAlgorithm
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore
from tests.trust.conftest import JS, ZJ, ZJ_DSJ, Issue

API = "/api/v1/trust"
Reason = doc.RejectReason


def later(hours: float) -> Clock:
    return lambda: FIXED_NOW + timedelta(hours=hours)


def reason_of(document: bytes, root: dict[str, Any], *, hours: float = 1) -> Reason:
    with pytest.raises(doc.DirectoryRejected) as refused:
        doc.verify_directory(document, root, at=FIXED_NOW + timedelta(hours=hours))
    assert refused.value.message
    assert refused.value.message_zh
    return refused.value.reason


@pytest.fixture
def published(session: Session, clock: Clock, keyed: InMemoryKeyStore) -> service.SignedDirectory:
    """A directory published at FIXED_NOW with the default keys."""
    return service.publish_directory(session, keystore=keyed, clock=clock)


@pytest.fixture
def root(session: Session, keyed: InMemoryKeyStore) -> dict[str, str]:
    return service.root_public_jwk(session)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://node.zj.example.gov.cn/", True),
        ("http://127.0.0.1:8000", True),
        ("https://[::1]:8443/x-road/", True),
        ("ftp://node.example/", False),
        ("javascript:alert(1)", False),
        ("https://user:pass@node.example/", False),
        ("https://user@node.example/", False),
        ("https://node.example/?token=1", False),
        ("https://node.example/#frag", False),
        ("https:///path-only", False),
        ("https://node.example:99999/", False),
        ("https://node example/", False),
        ("/relative", False),
        ("https://node.example/" + "a" * 2100, False),
    ],
)
def test_node_urls(url: str, ok: bool) -> None:
    assert (node_url_problem(url) is None) is ok


# --- verification --------------------------------------------------------------------------------


def test_a_published_directory_verifies_and_lists_the_region(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    directory = doc.verify_directory(published.document, root, at=FIXED_NOW + timedelta(hours=1))
    assert (directory.serial, directory.region) == (1, REGION_MEMBER_ID)
    assert directory.expires_at - directory.issued_at == timedelta(hours=24)
    assert directory.signed_by == root["kid"]
    assert len(directory.members) == 21
    zj = directory.member(ZJ)
    assert zj is not None
    assert (zj.name_zh, zj.name_en, zj.kind.value, zj.parent_id) == (
        "浙江省",
        "Zhejiang",
        "jurisdiction",
        REGION_MEMBER_ID,
    )
    assert sorted(k.algorithm.value for k in zj.keys) == ["ES256", "EdDSA"]
    assert published.info.keys == 9
    # Anyone can check it with plain JOSE: base64url(JCS(directory)) is the detached payload.
    outer = json.loads(published.document)
    compact_input = (
        outer["signature"]["protected"] + "." + b64url(canonical(outer["directory"]))
    ).encode()
    signature = b64url_decode(outer["signature"]["signature"])
    assert jose.verify_jwk("ES256", root, compact_input, signature)
    header = json.loads(b64url_decode(outer["signature"]["protected"]))
    assert header == {"alg": "ES256", "kid": root["kid"], "typ": "dyrd-directory+jcs"}
    assert canonical(outer) == published.document  # served in canonical form


def test_reformatting_does_not_matter_but_any_change_does(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    outer = json.loads(published.document)
    pretty = json.dumps(outer, indent=2, ensure_ascii=True).encode()
    assert doc.verify_directory(pretty, root, at=FIXED_NOW).serial == 1
    outer["directory"]["members"][2]["name_en"] = "Shanghai!"
    assert reason_of(json.dumps(outer).encode(), root) is Reason.BAD_SIGNATURE
    tampered = published.document.replace(b"Zhejiang", b"Zhejiang ")
    assert reason_of(tampered, root) is Reason.BAD_SIGNATURE
    outer = json.loads(published.document)
    outer["directory"]["serial"] = 99
    assert reason_of(canonical(outer), root) is Reason.BAD_SIGNATURE


def test_a_signature_by_another_key_is_refused(
    published: service.SignedDirectory, root: dict[str, str], session: Session
) -> None:
    zj_key = next(k for k in service.list_keys(session, ZJ) if k.algorithm.value == "ES256")
    assert reason_of(published.document, zj_key.public_jwk) is Reason.UNTRUSTED_KEY
    # During a root rollover a node pins both keys as a JWK Set.
    both = {"keys": [zj_key.public_jwk, root]}
    assert doc.verify_directory(published.document, both, at=FIXED_NOW).serial == 1
    # Same kid, other key material: pinned by thumbprint, so the kid member cannot lie.
    liar = {**zj_key.public_jwk, "kid": root["kid"]}
    assert reason_of(published.document, liar) is Reason.UNTRUSTED_KEY


def test_a_private_jwk_is_never_accepted_as_the_anchor(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    assert reason_of(published.document, {**root, "d": "AAAA"}) is Reason.UNTRUSTED_KEY
    assert reason_of(published.document, {**root, "alg": "EdDSA"}) is Reason.UNTRUSTED_KEY


def test_expired_and_not_yet_valid_directories_are_refused(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    assert doc.verify_directory(published.document, root, at=FIXED_NOW + timedelta(hours=23.9))
    assert reason_of(published.document, root, hours=24) is Reason.EXPIRED
    assert reason_of(published.document, root, hours=-1) is Reason.NOT_YET_VALID
    # A few minutes of clock skew are tolerated.
    assert doc.verify_directory(published.document, root, at=FIXED_NOW - timedelta(minutes=4))


def test_succession_refuses_rollback_and_forks(
    session: Session, keyed: InMemoryKeyStore, root: dict[str, str]
) -> None:
    first = service.publish_directory(session, keystore=keyed, clock=later(0))
    second = service.publish_directory(session, keystore=keyed, clock=later(1))
    old = doc.verify_directory(first.document, root, at=FIXED_NOW + timedelta(hours=2))
    new = doc.verify_directory(second.document, root, at=FIXED_NOW + timedelta(hours=2))
    assert (old.serial, new.serial) == (1, 2)
    assert doc.check_succession(None, old)
    assert doc.check_succession(old, new)
    assert not doc.check_succession(new, new)
    with pytest.raises(doc.DirectoryRejected) as rollback:
        doc.check_succession(new, old)
    assert rollback.value.reason is Reason.ROLLBACK
    assert "rollback" in rollback.value.message
    # Same serial, other bytes: sign a second serial-2 document with the root key.
    body = json.loads(second.document)["directory"]
    body["members"] = body["members"][:3]
    fork_bytes = doc.sign_directory(
        body,
        key_id=root["kid"],
        algorithm=KeyAlgorithm.ES256,
        sign=lambda data: keyed.sign(root["kid"], data),
    )
    fork = doc.verify_directory(fork_bytes, root, at=FIXED_NOW + timedelta(hours=2))
    with pytest.raises(doc.DirectoryRejected) as forked:
        doc.check_succession(new, fork)
    assert forked.value.reason is Reason.FORKED
    # The same listing signed again (ECDSA signatures differ each time) is not a fork.
    resigned_bytes = doc.sign_directory(
        json.loads(second.document)["directory"],
        key_id=root["kid"],
        algorithm=KeyAlgorithm.ES256,
        sign=lambda data: keyed.sign(root["kid"], data),
    )
    assert resigned_bytes != second.document
    resigned = doc.verify_directory(resigned_bytes, root, at=FIXED_NOW + timedelta(hours=2))
    assert not doc.check_succession(new, resigned)


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"[]",
        b'{"directory": {}}',
        b'{"directory": {}, "signature": {"protected": "e30", "signature": "!!"}}',
        b'{"directory": {}, "signature": {"protected": "e30", "signature": ""}, "x": 1}',
        b'{"directory": [], "signature": {"protected": "e30", "signature": "AA"}}',
    ],
)
def test_malformed_documents_are_refused(document: bytes, root: dict[str, str]) -> None:
    assert reason_of(document, root) is Reason.MALFORMED


def test_headers_other_than_ours_are_refused(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    outer = json.loads(published.document)
    for header in (
        {"alg": "ES256", "kid": root["kid"], "typ": "JWT"},
        {"alg": "ES256", "kid": root["kid"], "typ": "dyrd-directory+jcs", "crit": ["exp"]},
        {"alg": "none", "kid": root["kid"], "typ": "dyrd-directory+jcs"},
        {"alg": "ES256", "typ": "dyrd-directory+jcs"},
    ):
        outer["signature"]["protected"] = b64url(canonical(header))
        assert reason_of(canonical(outer), root) is Reason.MALFORMED


def test_content_is_checked_after_the_signature(
    session: Session, keyed: InMemoryKeyStore, root: dict[str, str]
) -> None:
    """A root-signed document with a broken listing is refused with the place named."""
    good = json.loads(service.publish_directory(session, keystore=keyed, clock=later(0)).document)
    cases: list[tuple[str, Any]] = [
        ("format", "dyrd-directory/2"),
        ("serial", 0),
        ("expires_at", "2026-11-26T07:00:00Z"),
        ("issued_at", "2026-11-26 08:00"),
        ("members", [{"id": "x"}]),
    ]
    for field, value in cases:
        body = {**good["directory"], field: value}
        signed = doc.sign_directory(
            body,
            key_id=root["kid"],
            algorithm=KeyAlgorithm.ES256,
            sign=lambda data: keyed.sign(root["kid"], data),
        )
        with pytest.raises(doc.DirectoryRejected) as refused:
            doc.open_directory(signed, root)
        assert refused.value.reason is Reason.INVALID_CONTENT, field
        assert "directory." in refused.value.message


def test_the_directory_is_a_verifier_of_member_signatures(
    session: Session, keyed: InMemoryKeyStore, clock: Clock, root: dict[str, str]
) -> None:
    signer = service.member_signer(session, JS, keystore=keyed, algorithm="EdDSA")
    signature = signer.sign(b"exchange request")
    service.revoke_key(session, signer.key_id, by=Actor.system(), clock=later(2))
    directory = doc.verify_directory(
        service.publish_directory(session, keystore=keyed, clock=later(3)).document,
        root,
        at=FIXED_NOW + timedelta(hours=3),
    )
    assert directory.verify(signer.key_id, b"exchange request", signature, at=later(1)())
    assert not directory.verify(signer.key_id, b"exchange request", signature, at=later(2.5)())
    assert not directory.verify(signer.key_id, b"other", signature, at=later(1)())
    assert not directory.verify("A" * 43, b"exchange request", signature, at=later(1)())
    assert directory.key(signer.key_id) is not None
    found = directory.key(signer.key_id)
    assert found is not None
    assert found[0] == JS


# --- publishing ----------------------------------------------------------------------------------


def test_serials_grow_and_the_current_one_is_reused_until_something_changes(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    first = service.current_directory(session, keystore=keyed, clock=later(0))
    assert first.info.serial == 1
    assert service.current_directory(session, keystore=keyed, clock=later(11)).info.serial == 1
    service.set_node(
        session,
        ZJ,
        url="https://node.zj.example.gov.cn/",
        services=[
            ServiceSpec(
                code="healthcode-status",
                version="v1",
                title_zh="健康码状态",
                title_en="Health code status",
            )
        ],
        by=Actor.system(),
        clock=later(11),
    )
    changed = service.current_directory(session, keystore=keyed, clock=later(11))
    assert changed.info.serial == 2
    assert changed.info.nodes == 1
    assert service.current_directory(session, keystore=keyed, clock=later(22)).info.serial == 2
    # Past half of its 24 hours, a fresh one is signed so nodes always hold >= 12 h.
    assert service.current_directory(session, keystore=keyed, clock=later(23.1)).info.serial == 3
    explicit = service.publish_directory(session, keystore=keyed, clock=later(23.2))
    assert explicit.info.serial == 4
    latest = service.latest_directory(session)
    assert latest is not None
    assert latest.info.serial == 4


def test_root_rotation_republishes_under_the_new_root_key(
    session: Session, keyed: InMemoryKeyStore, root: dict[str, str]
) -> None:
    service.current_directory(session, keystore=keyed, clock=later(0))
    service.rotate_key(
        session,
        REGION_MEMBER_ID,
        algorithm="ES256",
        keystore=keyed,
        by=Actor.system(),
        clock=later(1),
    )
    new_root = service.root_public_jwk(session)
    assert new_root["kid"] != root["kid"]
    after = service.current_directory(session, keystore=keyed, clock=later(1))
    assert after.info.key_id == new_root["kid"]
    assert reason_of(after.document, root, hours=2) is Reason.UNTRUSTED_KEY
    assert doc.verify_directory(after.document, new_root, at=later(2)()).serial == 2


def test_publishing_needs_a_root_key_and_a_sane_validity(
    session: Session, keystore: InMemoryKeyStore, clock: Clock
) -> None:
    with pytest.raises(NotFoundError) as missing:
        service.publish_directory(session, keystore=keystore, clock=clock)
    assert "dyrd key init" in missing.value.hint
    with pytest.raises(ValidationFailed):
        service.publish_directory(
            session, keystore=keystore, clock=clock, validity=timedelta(days=90)
        )


def test_check_directory_turns_a_refusal_into_a_bilingual_error(
    published: service.SignedDirectory, root: dict[str, str]
) -> None:
    with pytest.raises(DirectoryInvalid) as refused:
        service.check_directory(published.document, root, at=later(30)())
    assert refused.value.reason == "expired"
    assert refused.value.message_zh
    assert [e.as_dict() for e in refused.value.errors] == [
        {"location": "reason", "message": "expired"}
    ]
    with pytest.raises(ValidationFailed):
        service.parse_root_key(b'{"kty": "RSA", "n": "x", "e": "AQAB"}')


def test_node_registration_rules(session: Session, clock: Clock) -> None:
    spec = ServiceSpec(code="x", title_zh="甲", title_en="X")
    with pytest.raises(ValidationFailed) as bad:
        service.set_node(
            session,
            ZJ,
            url="https://a:b@node/",
            services=[spec, spec],
            by=Actor.system(),
            clock=clock,
        )
    assert [e.location for e in bad.value.errors] == ["url", "services[1]"]
    assert "https://a:b@node/" not in str(bad.value.errors[0].message)
    with pytest.raises(PermissionDenied):
        service.set_node(
            session,
            ZJ,
            url="https://node/",
            services=[],
            by=Principal("js", {JS: frozenset({Role.ADMIN})}),
            clock=clock,
        )
    node = service.set_node(
        session,
        ZJ_DSJ,
        url="https://node/",
        services=[spec],
        by=Principal("zj", {ZJ: frozenset({Role.ADMIN})}),
        clock=clock,
    )
    assert (node.updated_by, node.updated_for) == ("zj", ZJ_DSJ)
    assert service.get_node(session, ZJ_DSJ).services == [spec]
    with pytest.raises(NotFoundError):
        service.get_node(session, JS)


# --- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture
def keyed_app(app: FastAPI, keyed: InMemoryKeyStore) -> FastAPI:
    app.state.trust_keystore = keyed
    return app


def test_directory_and_root_key_are_served_with_an_etag(
    keyed_app: FastAPI, client: TestClient
) -> None:
    resp = client.get(f"{API}/directory")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json"
    etag = resp.headers["etag"]
    assert etag == '"dyrd-directory-1"'
    root = client.get(f"{API}/directory/root-key").json()
    assert set(root) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    directory = doc.verify_directory(resp.content, root, at=FIXED_NOW)
    assert directory.serial == 1
    again = client.get(f"{API}/directory", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(f"{API}/directory", headers={"If-None-Match": '"other"'}).status_code == 200
    keys = client.get(f"{API}/keys", params={"member": ZJ}).json()
    assert {k["algorithm"] for k in keys} == {"ES256", "EdDSA"}


def test_without_a_root_key_there_is_no_directory(client: TestClient) -> None:
    resp = client.get(f"{API}/directory")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "dyrd key init" in resp.json()["hint"]
    assert client.get(f"{API}/directory/root-key").status_code == 404


def test_registering_a_node_needs_the_members_admin_and_a_clean_url(
    keyed_app: FastAPI, client: TestClient, issue: Issue
) -> None:
    body = {
        "url": "https://node.zj.example.gov.cn/dyrd/",
        "services": [
            {
                "code": "healthcode-status",
                "version": "v1",
                "title_zh": "健康码状态",
                "title_en": "Health code status",
            }
        ],
    }
    path = f"{API}/members/{ZJ}/node"
    assert client.get(path).status_code == 404
    assert client.put(path, json=body).status_code == 401
    js_admin = {"Authorization": f"Bearer {issue('js-admin', JS, 'admin')}"}
    assert client.put(path, json=body, headers=js_admin).status_code == 403
    zj_admin = {"Authorization": f"Bearer {issue('zj-admin', ZJ, 'admin')}"}
    for url in ("ftp://node/", "https://u:p@node/", "https://node/?a=1"):
        bad = client.put(path, json={**body, "url": url}, headers=zj_admin)
        assert bad.status_code == 422, url
        assert bad.json()["errors"][0]["location"] == "url"
    assert client.put(path, json={**body, "extra": 1}, headers=zj_admin).status_code == 422
    resp = client.put(path, json=body, headers=zj_admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["updated_by"] == "zj-admin"
    assert client.get(path).json()["url"] == body["url"]
    assert client.get(f"{API}/members/{ZJ}").json()["id"] == ZJ  # the member route still works
    served = client.get(f"{API}/directory")
    root = client.get(f"{API}/directory/root-key").json()
    listed = doc.verify_directory(served.content, root, at=FIXED_NOW).member(ZJ)
    assert listed is not None
    assert listed.node_url == body["url"]
    assert [s.code for s in listed.services] == ["healthcode-status"]
