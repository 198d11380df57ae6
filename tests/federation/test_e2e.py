"""Federation end to end: a directory and four member nodes as separate processes.

Zhejiang publishes a conditional table; Shanghai's analyst files an access request on
Zhejiang's node (with a token Zhejiang's node issued to that analyst); Zhejiang's steward
approves; Shanghai's node pulls the rows through the signed gateway, finding Zhejiang's node and
key in the signed directory. Then the refusals (forged signature, replay, revoked grant, not
shared, unknown member), an outage of Zhejiang's node (503 + Retry-After, then recovery), and
the ledgers compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from dyrd.core.clock import utc_now
from dyrd.exchange.adapters.gateway_client import HttpxGatewayTransport
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator
from dyrd.exchange.service.gateway_consumer import (
    CONSUMER_LEDGER_KIND,
    ConsumerGateway,
    FetchRequest,
    SignedRequest,
)
from dyrd.ledger import service as ledger_service
from dyrd.trust import verify_directory
from tests.federation import harness
from tests.federation.harness import Node

pytestmark = pytest.mark.federation

SH = "CN-YRD/GOV/310000/DSJ"
JS = "CN-YRD/GOV/320000/DSJ"
ZJ = "CN-YRD/GOV/330000/DSJ"
AH = "CN-YRD/GOV/340000/DSJ"
UNKNOWN = "CN-YRD/GOV/990000/DSJ"

CSV = (
    b"code,name,score,listed,since\n"
    b"91330000A,Alice Zhang,87.5,true,2020-01-02\n"
    b"91330000B,Bob Li,66,false,2021-03-04\n"
    b"91330000C,Carol Wang,92,true,2019-05-06\n"
)
GRANTED = ["code", "score"]


def table(name: str, sharing_class: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "owner_member": ZJ,
        "kind": "table",
        "name": name,
        "title_zh": "企业信用信息",
        "title_en": "Enterprise credit information",
        "description_zh": "登记企业的信用等级。",
        "description_en": "Credit grades of registered enterprises.",
        "owner_name_zh": "浙江省大数据发展管理局",
        "sharing_class": sharing_class,
        "themes": ["ECON"],
        "keywords": ["信用", "credit"],
        "frequency": "MONTHLY",
        "spatial": ["330000"],
        "licence": "CC_BY_4_0",
        "contact_name": "信用处",
        "contact_email": "credit@example.invalid",
        "columns": [
            {"name": "code", "type": "string", "required": True, "unique": True},
            {"name": "name", "type": "string", "personal_data": "identifier"},
            {"name": "score", "type": "number"},
            {"name": "listed", "type": "boolean"},
            {"name": "since", "type": "date"},
        ],
    }
    if sharing_class == "not_shared":
        body["not_shared_reason"] = "涉及个人隐私 / contains personal data"
    return body


@dataclass
class Region:
    """The running federation and what the flow created in it."""

    directory: Node
    nodes: dict[str, Node]
    http: httpx.Client

    def call(self, node: str, method: str, path: str, user: str, **kw: Any) -> httpx.Response:
        target = self.nodes[node]
        headers = {"Authorization": f"Bearer {target.tokens[user]}"}
        return self.http.request(method, target.url + path, headers=headers, **kw)

    def fetch(self, grant_id: str, resource_id: str, **extra: Any) -> httpx.Response:
        body = {
            "consumer_member": SH,
            "provider_member": ZJ,
            "resource_id": resource_id,
            "grant_id": grant_id,
            **extra,
        }
        return self.call(SH, "POST", "/api/v1/exchange/fetch", "sh.analyst", json=body)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    """Directory + four member nodes, prepared and running; stopped whatever happens."""
    root = tmp_path_factory.mktemp("federation")
    directory = Node("directory", root / "directory", harness.free_port())
    nodes = {
        m: Node(m.split("/")[2], root / m.split("/")[2], harness.free_port(), member=m)
        for m in (SH, JS, ZJ, AH)
    }
    pinned = harness.prepare_directory(directory)
    users = {
        SH: [("sh.analyst", SH, "analyst")],
        ZJ: [("zj.steward", ZJ, "data_steward"), ("sh.analyst", SH, "analyst")],
        JS: [],
        AH: [],
    }
    for member, node in nodes.items():
        harness.register(directory, node, harness.prepare_member(node, users[member]))
        node.env = {
            "DYRD_DIRECTORY_URL": directory.url + "/api/v1/trust/directory",
            "DYRD_DIRECTORY_ROOT_KEY": json.dumps(pinned)
            if member == SH
            else str(directory.home / "root.jwk"),
            "DYRD_DIRECTORY_REFRESH_SECONDS": "1",
        }
    everyone = [directory, *nodes.values()]
    with harness.running(everyone), httpx.Client(timeout=10) as http:
        directory.start()
        for node in nodes.values():
            node.start()
        directory.wait_ready(http)
        for node in nodes.values():
            node.wait_ready(http)
            node.wait_ready(http, directory=True)
        yield Region(directory=directory, nodes=nodes, http=http)


def gateway_ledger(node: Node, kind: str = "exchange.gateway") -> dict[str, list[dict[str, Any]]]:
    """The gateway entries of a node's ledger by X-Road-Id (read from its database file)."""
    engine = node.engine()
    try:
        with Session(engine) as session:
            size = ledger_service.list_entries(session, start=0, end=0).log_size
            items = []
            for start in range(0, size, 1000):
                items += ledger_service.list_entries(session, start=start, end=start + 1000).items
    finally:
        engine.dispose()
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item.kind == kind:
            out.setdefault(item.subject, []).append(item.entry["payload"])
    return out


def sign_as_shanghai(region: Region, req: FetchRequest) -> SignedRequest:
    """A request signed with Shanghai's key, the way Shanghai's consumer gateway signs."""
    sh = region.nodes[SH]
    transport = HttpxGatewayTransport()
    gateway = ConsumerGateway(
        transport=transport, keystore=sh.keystore(), locator=DatabaseMemberLocator(), clock=utc_now
    )
    engine = sh.engine()
    try:
        with Session(engine) as session:
            return gateway.sign(session, req, base_url=region.nodes[ZJ].url)
    finally:
        engine.dispose()
        transport.close()


def test_nodes_serve_and_hold_the_directory(region: Region) -> None:
    doc = region.http.get(region.directory.url + "/api/v1/trust/directory")
    assert doc.status_code == 200
    pinned = json.loads((region.directory.home / "root.jwk").read_bytes())
    directory = verify_directory(doc.content, pinned, at=utc_now())
    for member, node in region.nodes.items():
        listed = directory.member(member)
        assert listed is not None
        assert listed.node_url == node.url
        assert [k.status.value for k in listed.keys] == ["active"]
        status = region.http.get(node.url + "/directoryz").json()
        assert status["state"] == "fresh"
        assert status["member"] == member


def reason_of(resp: httpx.Response) -> str:
    """The refusal reason: the provider's problem ``reason``, or the consumer API's error."""
    body = resp.json()
    if "reason" in body:
        return str(body["reason"])
    found = [e for e in body.get("errors", []) if e.get("location") == "reason"]
    return str(found[0]["message"]) if found else ""


def send(region: Region, sent: SignedRequest) -> httpx.Response:
    return region.http.get(sent.url, headers=sent.headers)


def test_exchange_refusals_outage_and_ledgers(region: Region) -> None:  # noqa: PLR0915  # one story
    zj, sh = region.nodes[ZJ], region.nodes[SH]
    # Zhejiang publishes a conditional table with rows, and a table it does not share.
    made = region.call(
        ZJ,
        "POST",
        "/api/v1/catalog/resources",
        "zj.steward",
        json=table("zj-enterprise-credit", "conditional"),
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    up = region.call(
        ZJ,
        "POST",
        f"/api/v1/catalog/resources/{rid}/data",
        "zj.steward",
        files={"file": ("credit.csv", CSV, "text/csv")},
    )
    assert up.status_code == 201, up.text
    hidden = region.call(
        ZJ,
        "POST",
        "/api/v1/catalog/resources",
        "zj.steward",
        json=table("zj-personal-records", "not_shared"),
    )
    assert hidden.status_code == 201, hidden.text
    hidden_id = hidden.json()["id"]

    # Shanghai's analyst asks Zhejiang's node; Zhejiang's steward approves.
    asked = region.call(
        ZJ,
        "POST",
        "/api/v1/exchange/requests",
        "sh.analyst",
        json={
            "resource": rid,
            "consumer_member": SH,
            "purpose_code": "market_regulation",
            "purpose_zh": "跨省企业信用联合监管",
            "purpose_en": "Joint cross-province credit supervision",
            "legal_basis": "《政务数据共享条例》第十四条",
            "fields": GRANTED,
            "duration_days": 30,
        },
    )
    assert asked.status_code == 201, asked.text
    decided = region.call(
        ZJ,
        "POST",
        f"/api/v1/exchange/requests/{asked.json()['id']}/decision",
        "zj.steward",
        json={"decision": "approve"},
    )
    assert decided.status_code == 200, decided.text
    grant = decided.json()["grant_id"]
    assert grant

    # Shanghai pulls the rows through its gateway: only the granted fields come back.
    got = region.fetch(grant, rid)
    assert got.status_code == 200, got.text
    rows = got.json()
    assert rows["columns"] == GRANTED
    assert [sorted(r) for r in rows["rows"]] == [sorted(GRANTED)] * 3
    assert {r["code"] for r in rows["rows"]} == {"91330000A", "91330000B", "91330000C"}
    exchanges = {rows["message_id"]: rows["request_hash"]}

    # A forged signature: the request altered after signing.
    forged = sign_as_shanghai(region, FetchRequest(SH, ZJ, rid, grant, fields=GRANTED, limit=1))
    resp = region.http.get(forged.url.replace("limit=1", "limit=100"), headers=forged.headers)
    assert resp.status_code == 401, resp.text
    assert reason_of(resp) == "bad-signature"
    refused = {forged.message_id: "bad-signature"}

    # A replay: the same signed request twice.
    once = sign_as_shanghai(region, FetchRequest(SH, ZJ, rid, grant, fields=GRANTED))
    assert send(region, once).status_code == 200
    again = send(region, once)
    assert again.status_code == 409, again.text
    assert reason_of(again) == "replayed-nonce"
    exchanges[once.message_id] = hashlib.sha256(once.base).hexdigest()

    # An unknown member.
    ghost = sign_as_shanghai(region, FetchRequest(SH, UNKNOWN, rid, grant))
    resp = send(region, ghost)
    assert resp.status_code == 404, resp.text
    assert reason_of(resp) == "unknown-member"
    refused[ghost.message_id] = "unknown-member"

    # A resource that is not shared, asked through Shanghai's gateway.
    resp = region.fetch(grant, hidden_id)
    assert resp.status_code == 403, resp.text
    assert reason_of(resp) == "not-shared"

    # Zhejiang's node goes down: 503 with Retry-After; back up (same DB and keys): answered.
    zj.kill()
    resp = region.fetch(grant, rid)
    assert resp.status_code == 503, resp.text
    assert int(resp.headers["Retry-After"]) > 0
    zj.start()
    zj.wait_ready(region.http)
    resp = region.fetch(grant, rid)
    assert resp.status_code == 200, resp.text
    exchanges[resp.json()["message_id"]] = resp.json()["request_hash"]

    # The grant revoked: refused with the reason.
    revoked = region.call(
        ZJ,
        "POST",
        f"/api/v1/exchange/grants/{grant}/revoke",
        "zj.steward",
        json={"reason": "合作到期 / cooperation ended"},
    )
    assert revoked.status_code == 200, revoked.text
    resp = region.fetch(grant, rid)
    assert resp.status_code == 403, resp.text
    revoked_reason = reason_of(resp)
    assert "revoked" in revoked_reason

    # Every exchange and refusal is in Zhejiang's ledger, under the request hash Shanghai holds.
    provider = gateway_ledger(zj)
    for message_id, request_hash in exchanges.items():
        answered = [p for p in provider[message_id] if p["outcome"] == "answered"]
        assert [p["request_hash"] for p in answered] == [request_hash]
    for message_id, reason in refused.items():
        assert [p["reason"] for p in provider[message_id]] == [reason]
    assert [p["reason"] for p in provider[once.message_id]] == ["ok", "replayed-nonce"]
    reasons = {p["reason"] for entries in provider.values() for p in entries}
    assert {"not-shared", revoked_reason} <= reasons

    # Both sides' ledgers agree on every exchange Shanghai's node made with Zhejiang's.
    consumer = gateway_ledger(sh, CONSUMER_LEDGER_KIND)
    assert len(consumer) == 5  # answered x2, not shared, unreachable, revoked
    for message_id, [mine] in consumer.items():
        if mine["reason"] == "provider-unreachable":
            assert message_id not in provider  # never reached Zhejiang
            continue
        [theirs] = provider[message_id]
        for key in ("request_hash", "response_hash", "status", "reason", "client", "grant_id"):
            assert mine[key] == theirs[key], key
