"""Venue tracing across two member nodes, end to end over real HTTP on loopback.

A directory, Shanghai's node and Zhejiang's node are built as `dyrd serve` builds them (prepared
with the federation harness: each its own database, keys and port) and served over loopback;
Zhejiang's co-visitor lookup service is its own server (the information system behind
Zhejiang's gateway). A
Shanghai resident who visited a Zhejiang venue is confirmed; Shanghai traces the case: without a
grant Zhejiang's gateway refuses, with one Zhejiang flags its own co-visitor and returns only a
count and the pseudonymous id of the Shanghai co-visitor, whom Shanghai flags. Both turn red on
their next evaluation; the resident who came later stays green.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.clock import utc_now
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.healthcode import service as healthcode_service
from dyrd.region import service as region_service
from dyrd.trust import service as trust_service
from tests.federation import harness
from tests.federation.harness import Node
from tests.healthcode.conftest import id_number

pytestmark = pytest.mark.federation

SH = "CN-YRD/GOV/310000/DSJ"
ZJ = "CN-YRD/GOV/330000/DSJ"
API = "/api/v1/healthcode"
JURISDICTIONS = ("310000", "320000", "330000", "340000")


@dataclass
class Pair:
    """The running nodes and the HTTP client."""

    nodes: dict[str, Node]
    http: httpx.Client
    lookup_url: str

    def call(self, node: str, method: str, path: str, user: str, **kw: Any) -> httpx.Response:
        target = self.nodes[node]
        headers = {"Authorization": f"Bearer {target.tokens[user]}"}
        return self.http.request(method, target.url + path, headers=headers, **kw)


def _health_keys(node: Node) -> None:
    """The 41 cities, keys of the four jurisdictions (rules, venue codes), the sample rules."""
    engine = node.engine()
    try:
        with Session(engine) as session:
            region_service.load_bundled(session, clock=utc_now)
            for code in JURISDICTIONS:
                trust_service.create_key(
                    session,
                    f"CN-YRD/GOV/{code}",
                    algorithm="ES256",
                    keystore=node.keystore(),
                    by=Actor.system(),
                    clock=utc_now,
                )
            healthcode_service.load_sample_rules(session, keystore=node.keystore(), clock=utc_now)
    finally:
        engine.dispose()


class Served:
    """Apps served by uvicorn on loopback ports in threads of this process: real HTTP, without
    paying an interpreter start per node (the federation tests run processes; this one needs
    only the nodes' separate databases, keys and ports)."""

    def __init__(self) -> None:
        self.servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(self, app: Any, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        self.servers.append((server, thread))

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while not all(s.started for s, _ in self.servers):
            assert time.monotonic() < deadline, "a server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        for server, _ in self.servers:
            server.should_exit = True
        for _, thread in self.servers:
            thread.join(timeout=10)


def _settings(node: Node, *, directory: bool = False) -> Settings:
    values = {k.removeprefix("DYRD_").lower(): v for k, v in node.settings_env().items()}
    return bootstrap.serve_settings(
        Settings.model_validate(values), member=node.member, directory=directory
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Directory, Shanghai and Zhejiang nodes, and Zhejiang's lookup service, all serving."""
    root = tmp_path_factory.mktemp("tracing")
    directory = Node("directory", root / "directory", harness.free_port())
    nodes = {m: Node(m.split("/")[2], root / m.split("/")[2], harness.free_port(), member=m)
             for m in (SH, ZJ)}  # fmt: skip
    harness.prepare_directory(directory)
    users = {
        SH: [("sh.steward", "CN-YRD/GOV/310000", "data_steward")],
        ZJ: [("zj.steward", "CN-YRD/GOV/330000", "data_steward"), ("sh.analyst", SH, "analyst")],
    }
    for member, node in nodes.items():
        harness.register(directory, node, harness.prepare_member(node, users[member]))
        _health_keys(node)
        node.env = {
            "DYRD_DIRECTORY_URL": directory.url + "/api/v1/trust/directory",
            "DYRD_DIRECTORY_ROOT_KEY": str(directory.home / "root.jwk"),
            "DYRD_DIRECTORY_REFRESH_SECONDS": "1",
        }
    lookup_engine = create_db_engine(nodes[ZJ].db_url)
    lookup_port = harness.free_port()
    served = Served()
    try:
        with httpx.Client(timeout=15) as http:
            served.start(bootstrap.build_app(_settings(directory, directory=True)), directory.port)
            for node in nodes.values():
                served.start(bootstrap.build_app(_settings(node)), node.port)
            served.start(
                bootstrap.covisitor_lookup_app("330000", engine=lookup_engine), lookup_port
            )
            served.wait()
            deadline = time.monotonic() + 30
            for node in nodes.values():
                while http.get(node.url + "/directoryz").json().get("state") != "fresh":
                    assert time.monotonic() < deadline, "no fresh directory"
                    time.sleep(0.1)
            yield Pair(nodes=nodes, http=http, lookup_url=f"http://127.0.0.1:{lookup_port}")
    finally:
        served.stop()
        lookup_engine.dispose()


def _resident(pair: Pair, node: str, user: str, number: str, jurisdiction: str) -> str:
    r = pair.call(
        node,
        "POST",
        f"{API}/residents",
        user,
        json={"id_number": number, "initials": "WL", "jurisdiction": jurisdiction},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _colour(pair: Pair, node: str, user: str, rid: str) -> str:
    r = pair.call(node, "GET", f"{API}/residents/{rid}/colour", user)
    assert r.status_code == 200, r.text
    return str(r.json()["colour"])


def _lookup_service(pair: Pair) -> str:
    body = {
        "owner_member": ZJ,
        "kind": "service",
        "name": "zj-venue-covisitor-lookup",
        "title_zh": "场所码密接查询",
        "title_en": "Venue co-visitor lookup",
        "description_zh": "按确诊病例的假名 ID 查询本省场所的时空重叠人员，本省居民由本省赋码。",
        "description_en": "Co-visitors of a confirmed case at Zhejiang venues; Zhejiang flags "
        "its own residents and returns only counts and the asking jurisdiction's pseudonyms.",
        "owner_name_zh": "浙江省大数据发展管理局",
        "sharing_class": "conditional",
        "themes": ["HEAL"],
        "keywords": ["密接", "tracing"],
        "frequency": "UPDATE_CONT",
        "spatial": ["330000"],
        "licence": "CC_BY_4_0",
        "contact_name": "疫情防控专班",
        "contact_email": "tracing@example.invalid",
        "columns": [],
        "service_base_url": pair.lookup_url,
    }
    made = pair.call(ZJ, "POST", "/api/v1/catalog/resources", "zj.steward", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_trace_across_two_nodes_under_a_grant(pair: Pair) -> None:
    now = utc_now()
    # Residents: the case and another Shanghai resident at Shanghai; two Zhejiang residents.
    case = _resident(pair, SH, "sh.steward", id_number("31010419900202002"), "310000")
    sh_contact = _resident(pair, SH, "sh.steward", id_number("31011019880505005"), "310000")
    zj_contact = _resident(pair, ZJ, "zj.steward", id_number("33010619850101001"), "330000")
    zj_later = _resident(pair, ZJ, "zj.steward", id_number("33010419920404004"), "330000")
    zj_in_sh = _resident(pair, ZJ, "zj.steward", id_number("33010219900303003"), "330000")

    # Zhejiang registers a venue; its code is scanned by everyone, stored on Zhejiang's node.
    venue = pair.call(
        ZJ,
        "POST",
        f"{API}/jurisdictions/330000/venues",
        "zj.steward",
        json={"name": "杭州东站候车厅", "city_code": "330100", "kind": "transport"},
    )
    assert venue.status_code == 201, venue.text
    code = pair.call(ZJ, "GET", f"{API}/venues/{venue.json()['id']}/code", "zj.steward").json()
    visit = now - timedelta(hours=6)
    for ref, home, start, stay in (
        (case, "310000", visit, 60),
        (sh_contact, "310000", visit + timedelta(minutes=40), 30),
        (zj_contact, "330000", visit - timedelta(minutes=20), 45),
        (zj_later, "330000", visit + timedelta(hours=3), 30),
    ):
        scan = pair.call(
            ZJ,
            "POST",
            f"{API}/scans",
            "zj.steward",
            json={
                "venue_code": code["text"],
                "resident_ref": ref,
                "home_jurisdiction": home,
                "entered_at": start.isoformat(),
                "left_at": (start + timedelta(minutes=stay)).isoformat(),
            },
        )
        assert scan.status_code == 201, scan.text
    # The case also went to a Shanghai venue, with a Zhejiang resident: stored at Shanghai.
    sh_venue = pair.call(
        SH,
        "POST",
        f"{API}/jurisdictions/310000/venues",
        "sh.steward",
        json={"name": "上海虹桥站", "city_code": "310000", "kind": "transport"},
    )
    assert sh_venue.status_code == 201, sh_venue.text
    earlier = now - timedelta(days=2)
    for ref, home in ((case, "310000"), (zj_in_sh, "330000")):
        scan = pair.call(
            SH,
            "POST",
            f"{API}/scans",
            "sh.steward",
            json={
                "venue_id": sh_venue.json()["id"],
                "resident_ref": ref,
                "home_jurisdiction": home,
                "entered_at": earlier.isoformat(),
            },
        )
        assert scan.status_code == 201, scan.text
    for node, user, rid in (
        (ZJ, "zj.steward", zj_contact),
        (ZJ, "zj.steward", zj_in_sh),
        (SH, "sh.steward", sh_contact),
    ):
        assert _colour(pair, node, user, rid) == "green"

    service_id = _lookup_service(pair)
    remote = {"consumer_member": SH, "provider_member": ZJ, "resource_id": service_id}
    trace = f"{API}/residents/{case}/trace"

    # No grant: Zhejiang's gateway refuses, nothing is flagged there.
    refused = pair.call(
        SH, "POST", trace, "sh.steward",
        json={"remotes": [remote | {"grant_id": "00000000-0000-4000-8000-000000000000"}]},
    )  # fmt: skip
    assert refused.status_code == 403, refused.text
    reasons = {e["message"] for e in refused.json().get("errors", [])}
    assert "grant-not-found" in reasons
    assert _colour(pair, ZJ, "zj.steward", zj_contact) == "green"

    # Shanghai asks for the service; Zhejiang's steward approves.
    asked = pair.call(
        ZJ,
        "POST",
        "/api/v1/exchange/requests",
        "sh.analyst",
        json={
            "resource": service_id,
            "consumer_member": SH,
            "purpose_code": "public_health",
            "purpose_zh": "确诊病例跨省场所码密接追踪",
            "purpose_en": "Cross-province venue tracing of confirmed cases",
            "legal_basis": "《中华人民共和国传染病防治法》第三十一条",
            "fields": [],
            "duration_days": 30,
        },
    )
    assert asked.status_code == 201, asked.text
    decided = pair.call(
        ZJ,
        "POST",
        f"/api/v1/exchange/requests/{asked.json()['id']}/decision",
        "zj.steward",
        json={"decision": "approve"},
    )
    assert decided.status_code == 200, decided.text
    grant = decided.json()["grant_id"]

    done = pair.call(
        SH, "POST", trace, "sh.steward", json={"remotes": [remote | {"grant_id": grant}]}
    )
    assert done.status_code == 200, done.text
    out = done.json()
    assert (out["local_visits"], out["local_co_visitors"], out["flagged_here"]) == (1, 1, 0)
    assert out["unresolved"] == {}  # the Zhejiang co-visitor went to Zhejiang's lookup
    [zj] = out["remotes"]
    assert zj["provider_member"] == ZJ
    assert (zj["flagged_there"], zj["pushed"], zj["returned"], zj["flagged_here"]) == (2, 1, 1, 1)
    assert zj["other_jurisdictions"] == {}
    assert zj_contact not in done.text  # Zhejiang's residents stay on Zhejiang's node

    # The next evaluation: both co-visitors red, the later visitor green.
    assert _colour(pair, ZJ, "zj.steward", zj_contact) == "red"
    assert _colour(pair, SH, "sh.steward", sh_contact) == "red"
    assert _colour(pair, ZJ, "zj.steward", zj_in_sh) == "red"
    assert _colour(pair, ZJ, "zj.steward", zj_later) == "green"

    # Tracing again flags no one twice.
    again = pair.call(
        SH, "POST", trace, "sh.steward", json={"remotes": [remote | {"grant_id": grant}]}
    )
    assert again.status_code == 200, again.text
    assert again.json()["remotes"][0]["flagged_there"] == 2
