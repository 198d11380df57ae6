"""The signed gateway end to end in one app: consumer signs, provider verifies, grants, logs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.errors import PermissionDenied, ServiceUnavailable, UpstreamInvalid
from dyrd.exchange import service
from dyrd.exchange.access_schemas import RevokeCreate
from dyrd.exchange.adapters.gateway_client import HttpxGatewayTransport
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator
from dyrd.exchange.compute import xroad
from dyrd.exchange.ports import RawResponse
from dyrd.exchange.service.gateway_consumer import (
    CONSUMER_LEDGER_KIND,
    ConsumerGateway,
    FetchRequest,
    SignedRequest,
)
from tests.exchange.access_support import (
    CONSUMER,
    OWNER,
    OWNER_STEWARD,
    STRANGER,
    TOKENS,
    MovingClock,
    ledger_since,
    log_size,
)
from tests.exchange.gateway_support import (
    GRANTED,
    NAMES,
    ClientTransport,
    World,
    closed_port,
    make_service_resource,
    make_world,
    problem_of,
)
from tests.fakes import FakeAuthenticator


@pytest.fixture
def moving() -> MovingClock:
    return MovingClock()


@pytest.fixture
def world(app: FastAPI, session: Session, moving: MovingClock) -> World:
    w = make_world(session, moving)
    app.state.trust_keystore = w.keystore
    app.state.clock = moving
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    return w


@pytest.fixture
def consumer(client: TestClient, world: World, moving: MovingClock) -> ConsumerGateway:
    return ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=moving,
    )


def _req(world: World, **overrides: Any) -> FetchRequest:
    base: dict[str, Any] = {
        "consumer_member": CONSUMER,
        "provider_member": OWNER,
        "resource_id": world.resource_id,
        "grant_id": world.grant_id,
        "fields": ["code", "name"],
        "user_id": "CN-user-1",
        "issue": "case-2026-001",
    }
    base.update(overrides)
    return FetchRequest(**base)


def _send(client: TestClient, sent: SignedRequest, **kw: Any) -> RawResponse:
    resp = client.request(
        "GET", kw.pop("url", sent.url), headers=kw.pop("headers", sent.headers), **kw
    )
    return RawResponse(resp.status_code, list(resp.headers.multi_items()), resp.content)


def _gateway_entries(session: Session, start: int) -> list[dict[str, Any]]:
    return [e for e in ledger_since(session, start) if e["kind"] == "exchange.gateway"]


def _assert_refused(
    session: Session, start: int, raw: RawResponse, status: int, reason: str
) -> dict[str, Any]:
    assert raw.status == status, raw.body
    problem = problem_of(raw)
    assert problem["reason"] == reason
    assert problem["status"] == status
    assert problem["detail"]
    assert problem["detail_zh"]
    entries = _gateway_entries(session, start)
    assert len(entries) == 1
    payload: dict[str, Any] = entries[0]["payload"]
    assert payload["outcome"] == "refused"
    assert payload["status"] == status
    assert payload["reason"] == reason
    return payload


# ---------------------------------------------------------------------------------------------
# The answered exchange


def test_granted_fields_only_identifiers_pseudonymised_and_response_verified(
    session: Session, world: World, consumer: ConsumerGateway
) -> None:
    start = log_size(session)
    result = consumer.fetch(session, _req(world))
    assert result.columns == ["code", "name"]
    assert result.pseudonymised == ["name"]
    assert result.total == 3
    assert len(result.rows) == 3
    assert all(set(row) == {"code", "name"} for row in result.rows)
    assert [row["code"] for row in result.rows] == ["91330000A", "91330000B", "91330000C"]
    names = [row["name"] for row in result.rows]
    assert all(n.startswith("ps1_") for n in names)
    assert not set(names) & NAMES
    assert len(set(names)) == 3
    assert result.provider_key_id == world.owner_kid
    entries = _gateway_entries(session, start)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["subject"] == result.message_id
    assert entry["actor"] == {"user": "CN-user-1", "member": CONSUMER}
    payload = entry["payload"]
    assert payload["outcome"] == "answered"
    assert payload["fields"] == ["code", "name"]
    assert payload["rows"] == 3
    assert payload["grant_id"] == world.grant_id
    assert payload["resource_id"] == world.resource_id
    assert payload["issue"] == "case-2026-001"
    assert payload["request_hash"] == result.request_hash
    assert payload["response_hash"] == result.response_hash
    assert payload["response_signed"] is True


def test_consumer_logs_every_exchange_in_its_own_ledger_too(
    session: Session, world: World, consumer: ConsumerGateway
) -> None:
    start = log_size(session)
    result = consumer.fetch(session, _req(world))
    with pytest.raises(PermissionDenied):
        consumer.fetch(session, _req(world, fields=["code", "listed"]))
    entries = ledger_since(session, start)
    provider = [e["payload"] for e in entries if e["kind"] == "exchange.gateway"]
    mine = [e["payload"] for e in entries if e["kind"] == CONSUMER_LEDGER_KIND]
    assert [p["reason"] for p in mine] == ["ok", provider[1]["reason"]]
    assert mine[0]["request_hash"] == result.request_hash
    assert mine[0]["response_hash"] == result.response_hash
    for theirs, ours in zip(provider, mine, strict=True):
        for key in ("request_hash", "response_hash", "status", "reason", "client", "grant_id"):
            assert ours[key] == theirs[key], key


def test_no_fields_means_every_granted_field_and_never_the_others(
    session: Session, world: World, consumer: ConsumerGateway
) -> None:
    result = consumer.fetch(session, _req(world, fields=[], limit=2, offset=1))
    assert result.columns == GRANTED
    assert [row["code"] for row in result.rows] == ["91330000B", "91330000C"]
    assert all("listed" not in row and "since" not in row for row in result.rows)


def test_pseudonyms_are_stable_within_a_grant(
    session: Session, world: World, consumer: ConsumerGateway
) -> None:
    first = consumer.fetch(session, _req(world))
    second = consumer.fetch(session, _req(world))
    assert [r["name"] for r in first.rows] == [r["name"] for r in second.rows]


def test_an_ed25519_request_signature_is_accepted(
    session: Session, world: World, client: TestClient, moving: MovingClock
) -> None:
    ed = ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=moving,
        algorithm="EdDSA",
    )
    sent = ed.sign(session, _req(world), base_url="http://testserver")
    assert 'alg="ed25519"' in dict(sent.headers)["Signature-Input"]
    raw = _send(client, sent)
    assert raw.status == 200
    ed.verify_response(session, sent, raw, provider_member=OWNER)


# ---------------------------------------------------------------------------------------------
# Refusals: each with its status, a reason, and a ledger entry


def _tamper_signature(sent: SignedRequest) -> list[tuple[str, str]]:
    out = []
    for name, value in sent.headers:
        if name == "Signature":
            label, _, b64 = value.partition("=:")
            flipped = ("B" if b64[0] == "A" else "A") + b64[1:]
            out.append((name, f"{label}=:{flipped}"))
        else:
            out.append((name, value))
    return out


def test_forged_signature_is_401(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    start = log_size(session)
    raw = _send(client, sent, headers=_tamper_signature(sent))
    _assert_refused(session, start, raw, 401, "bad-signature")


def test_key_of_another_member_is_401(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    # STRANGER signs with its own key but claims to be CONSUMER.
    sent = consumer.sign(
        session, _req(world, consumer_member=STRANGER), base_url="http://testserver"
    )
    headers = [(n, CONSUMER if n == "X-Road-Client" else v) for n, v in sent.headers]
    start = log_size(session)
    raw = _send(client, sent, headers=headers)
    _assert_refused(session, start, raw, 401, "unknown-key")


def test_tampered_body_is_401(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    start = log_size(session)
    raw = _send(client, sent, content=b'{"injected": true}')
    _assert_refused(session, start, raw, 401, "digest-mismatch")


def test_tampered_query_is_401(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    start = log_size(session)
    raw = _send(client, sent, url=sent.url.replace("fields=code,name", "fields=code,name,score"))
    _assert_refused(session, start, raw, 401, "bad-signature")


def test_stale_created_is_401(
    session: Session, world: World, client: TestClient, moving: MovingClock
) -> None:
    late = MovingClock(moving.now - timedelta(minutes=2))
    old = ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=late,
    )
    sent = old.sign(session, _req(world), base_url="http://testserver")
    start = log_size(session)
    raw = _send(client, sent)
    _assert_refused(session, start, raw, 401, "stale-signature")


def test_replayed_nonce_is_409(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    assert _send(client, sent).status == 200
    start = log_size(session)
    raw = _send(client, sent)
    payload = _assert_refused(session, start, raw, 409, "replayed-nonce")
    assert payload["nonce"]


def test_expired_grant_is_403(
    session: Session, world: World, consumer: ConsumerGateway, moving: MovingClock
) -> None:
    moving.advance(days=400)
    start = log_size(session)
    with pytest.raises(Exception) as exc:  # noqa: PT011  # the class is checked below
        consumer.fetch(session, _req(world))
    assert type(exc.value).__name__ == "PermissionDenied"
    entries = _gateway_entries(session, start)
    assert [e["payload"]["reason"] for e in entries] == ["grant-expired"]


def test_revoked_grant_is_403(
    session: Session,
    world: World,
    consumer: ConsumerGateway,
    client: TestClient,
    moving: MovingClock,
) -> None:
    service.revoke_grant(
        session,
        world.grant_id,
        RevokeCreate(reason="purpose fulfilled"),
        principal=OWNER_STEWARD,
        clock=moving,
    )
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent), 403, "grant-revoked")


def test_field_not_granted_and_wrong_consumer_are_403(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(
        session, _req(world, fields=["code", "listed"]), base_url="http://testserver"
    )
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent), 403, "field-not-granted")
    sent = consumer.sign(
        session, _req(world, consumer_member=STRANGER), base_url="http://testserver"
    )
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent), 403, "grant-wrong-consumer")


def test_not_shared_resource_is_403(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(
        session, _req(world, resource_id=world.not_shared_id), base_url="http://testserver"
    )
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent), 403, "not-shared")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"provider_member": "CN-YRD/GOV/990000"}, "unknown-member"),
        ({"resource_id": "no-such-resource"}, "unknown-service"),
        ({"provider_member": CONSUMER}, "unknown-service"),  # a resource of another member
    ],
)
def test_unknown_member_or_service_is_404(  # noqa: PLR0917  # pytest passes fixtures by position
    session: Session,
    world: World,
    consumer: ConsumerGateway,
    client: TestClient,
    overrides: dict[str, str],
    reason: str,
) -> None:
    sent = consumer.sign(session, _req(world, **overrides), base_url="http://testserver")
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent), 404, reason)


@pytest.mark.parametrize(
    ("drop", "status", "reason"),
    [
        ("Signature", 401, "missing-signature"),
        ("X-Road-Client", 400, "missing-header"),
        ("X-Dyrd-Grant", 400, "missing-header"),
    ],
)
def test_missing_headers(  # noqa: PLR0917  # pytest passes fixtures by position
    session: Session,
    world: World,
    consumer: ConsumerGateway,
    client: TestClient,
    drop: str,
    status: int,
    reason: str,
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    headers = [(n, v) for n, v in sent.headers if n != drop]
    start = log_size(session)
    _assert_refused(session, start, _send(client, sent, headers=headers), status, reason)


def test_malformed_signature_input_is_400(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world), base_url="http://testserver")
    headers = [(n, 'dyrd=("@method"' if n == "Signature-Input" else v) for n, v in sent.headers]
    start = log_size(session)
    _assert_refused(
        session, start, _send(client, sent, headers=headers), 400, "bad-signature-input"
    )


# ---------------------------------------------------------------------------------------------
# Responses are bound to their request


def test_a_response_cannot_be_rebound_to_another_request(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    first = consumer.sign(session, _req(world), base_url="http://testserver")
    second = consumer.sign(session, _req(world), base_url="http://testserver")
    answer_first = _send(client, first)
    answer_second = _send(client, second)
    assert consumer.verify_response(session, first, answer_first, provider_member=OWNER)
    assert consumer.verify_response(session, second, answer_second, provider_member=OWNER)
    with pytest.raises(UpstreamInvalid) as exc:
        consumer.verify_response(session, second, answer_first, provider_member=OWNER)
    assert exc.value.errors[0].message == "bad-signature"
    # Nor may it claim another provider, or pass with its body changed.
    with pytest.raises(UpstreamInvalid):
        consumer.verify_response(session, first, answer_first, provider_member=STRANGER)
    tampered = replace(answer_first, body=answer_first.body.replace(b"91330000A", b"91330000Z"))
    with pytest.raises(UpstreamInvalid) as exc:
        consumer.verify_response(session, first, tampered, provider_member=OWNER)
    assert exc.value.errors[0].message == "digest-mismatch"


def test_refusals_are_signed_and_bound_too(
    session: Session, world: World, consumer: ConsumerGateway, client: TestClient
) -> None:
    sent = consumer.sign(session, _req(world, fields=["listed"]), base_url="http://testserver")
    raw = _send(client, sent)
    assert raw.status == 403
    assert consumer.verify_response(session, sent, raw, provider_member=OWNER) == world.owner_kid


# ---------------------------------------------------------------------------------------------
# Down nodes and services: 503 with Retry-After


def test_provider_node_down_is_503_with_retry_after(  # noqa: PLR0917  # pytest fixtures
    request: pytest.FixtureRequest,
    app: FastAPI,
    session: Session,
    world: World,
    client: TestClient,
    moving: MovingClock,
) -> None:
    from dyrd.core.actor import Actor
    from dyrd.trust import service as trust_service

    port = closed_port()
    trust_service.set_node(
        session, OWNER, url=f"http://127.0.0.1:{port}", services=[], by=Actor.system(), clock=moving
    )
    transport = HttpxGatewayTransport(timeout=2.0, retry_after=17)
    request.addfinalizer(transport.close)
    down = ConsumerGateway(
        transport=transport, keystore=world.keystore, locator=DatabaseMemberLocator(), clock=moving
    )
    with pytest.raises(ServiceUnavailable) as exc:
        down.fetch(session, _req(world))
    assert exc.value.retry_after == 17
    # The consumer API says the same to its user.
    app.state.exchange_consumer_gateway = down
    resp = client.post(
        "/api/v1/exchange/fetch",
        headers={"Authorization": "Bearer analyst"},
        json={
            "consumer_member": CONSUMER,
            "provider_member": OWNER,
            "resource_id": world.resource_id,
            "grant_id": world.grant_id,
            "fields": ["code"],
        },
    )
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "17"
    assert resp.json()["type"] == "urn:dyrd:problem:service-unavailable"


def test_upstream_service_down_is_503_with_retry_after_and_logged(
    session: Session,
    world: World,
    consumer: ConsumerGateway,
    client: TestClient,
    moving: MovingClock,
) -> None:
    rid, grant = make_service_resource(session, moving, f"http://127.0.0.1:{closed_port()}/api")
    sent = consumer.sign(
        session,
        _req(world, resource_id=rid, grant_id=grant, fields=[]),
        base_url="http://testserver",
    )
    start = log_size(session)
    raw = _send(client, sent)
    _assert_refused(session, start, raw, 503, "upstream-unavailable")
    assert dict(raw.headers)["retry-after"] == "30"


def test_consumer_api_fetches_for_an_analyst(
    app: FastAPI, session: Session, world: World, client: TestClient
) -> None:
    app.state.exchange_consumer_gateway = ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=app.state.clock,
    )
    body = {
        "consumer_member": CONSUMER,
        "provider_member": OWNER,
        "resource_id": world.resource_id,
        "grant_id": world.grant_id,
        "fields": ["code", "score"],
        "issue": "case-7",
    }
    resp = client.post(
        "/api/v1/exchange/fetch", headers={"Authorization": "Bearer analyst"}, json=body
    )
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["columns"] == ["code", "score"]
    assert [r["score"] for r in data["rows"]] == [87.5, 66, 92]
    assert data["provider_key_id"] == world.owner_kid
    viewer = client.post(
        "/api/v1/exchange/fetch", headers={"Authorization": "Bearer consumer-viewer"}, json=body
    )
    assert viewer.status_code == 403
    assert client.post("/api/v1/exchange/fetch", json=body).status_code == 401


# ---------------------------------------------------------------------------------------------
# Nonces are pruned once stale


def test_expired_nonces_are_pruned(
    session: Session, world: World, consumer: ConsumerGateway
) -> None:
    from sqlalchemy import func, select

    from dyrd.exchange.models import GatewayNonce
    from dyrd.exchange.service.gateway import prune_nonces

    consumer.fetch(session, _req(world))
    count = select(func.count()).select_from(GatewayNonce)
    assert session.scalar(count) == 1
    now = consumer.clock()
    assert prune_nonces(session, now=now) == 0
    assert prune_nonces(session, now=now + xroad.DEFAULT_SKEW + timedelta(seconds=2)) == 1
    assert session.scalar(count) == 0


# ---------------------------------------------------------------------------------------------
# A real server on loopback


@pytest.fixture
def live_server(tmp_path: Any) -> Iterator[tuple[str, Any]]:
    """The whole platform under uvicorn on 127.0.0.1, on its own SQLite database."""
    from bench.exchange import prepare

    setup = prepare(tmp_path)
    server = uvicorn.Server(
        uvicorn.Config(setup.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    setup.set_node(f"http://127.0.0.1:{port}")
    try:
        yield f"http://127.0.0.1:{port}", setup
    finally:
        server.should_exit = True
        thread.join(10)
        setup.close()


def test_consumer_client_over_loopback_http(live_server: tuple[str, Any]) -> None:
    _url, setup = live_server
    transport = HttpxGatewayTransport(timeout=10)
    gateway = ConsumerGateway(
        transport=transport,
        keystore=setup.keystore,
        locator=DatabaseMemberLocator(),
        clock=setup.clock,
    )
    try:
        with setup.session_factory() as session:
            result = gateway.fetch(session, setup.fetch_request())
    finally:
        transport.close()
    assert result.total == setup.rows
    assert len(result.rows) == min(setup.rows, setup.limit)
    assert result.columns == list(setup.fields)
    assert result.pseudonymised == ["name"]
