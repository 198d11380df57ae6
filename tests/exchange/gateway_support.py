"""Shared pieces of the gateway tests: two members with real keys, a table with rows, grants."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.exchange import service
from dyrd.exchange.access_schemas import DecisionCreate
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.ports import RawResponse
from dyrd.exchange.schemas import ResourceCreate
from dyrd.trust import service as trust_service
from tests.exchange.access_support import (
    ANALYST,
    CONSUMER,
    OWNER,
    OWNER_STEWARD,
    POLICY,
    STRANGER,
    MovingClock,
    make_resource,
    request_model,
)
from tests.exchange.conftest import table_payload
from tests.fakes import InMemoryKeyStore

CSV = (
    b"code,name,score,listed,since\n"
    b"91330000A,Alice Zhang,87.5,true,2020-01-02\n"
    b"91330000B,Bob Li,66,false,2021-03-04\n"
    b"91330000C,Carol Wang,92,true,2019-05-06\n"
)
NAMES = {"Alice Zhang", "Bob Li", "Carol Wang"}
GRANTED = ["code", "name", "score"]


@dataclass
class World:
    """What the gateway tests exchange: ids and the key store holding both members' keys."""

    keystore: InMemoryKeyStore
    resource_id: str
    grant_id: str
    not_shared_id: str
    consumer_kid: str
    owner_kid: str


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_world(
    session: Session, clock: MovingClock, *, node_url: str = "http://testserver"
) -> World:
    """Keys for CONSUMER, OWNER and STRANGER; OWNER's node; a conditional table with rows,
    granted to CONSUMER for GRANTED; a not-shared table."""
    keystore = InMemoryKeyStore()
    kids = {}
    for member in (CONSUMER, OWNER, STRANGER):
        read = trust_service.create_key(
            session, member, algorithm="ES256", keystore=keystore, by=Actor.system(), clock=clock
        )
        kids[member] = read.kid
    trust_service.create_key(
        session, CONSUMER, algorithm="EdDSA", keystore=keystore, by=Actor.system(), clock=clock
    )
    trust_service.set_node(
        session, OWNER, url=node_url, services=[], by=Actor.system(), clock=clock
    )
    rid = make_resource(session, clock, "conditional")
    service.upload_data(
        session, rid, content=CSV, fmt=FileFormat.CSV, principal=OWNER_STEWARD, clock=clock
    )
    req = service.request_access(
        session, request_model(rid, fields=GRANTED), principal=ANALYST, clock=clock, policy=POLICY
    )
    decided = service.decide(
        session,
        req.id,
        DecisionCreate.model_validate({"decision": "approve"}),
        principal=OWNER_STEWARD,
        clock=clock,
    )
    assert decided.grant_id is not None
    hidden = make_resource(session, clock, "not_shared")
    return World(
        keystore=keystore,
        resource_id=rid,
        grant_id=decided.grant_id,
        not_shared_id=hidden,
        consumer_kid=kids[CONSUMER],
        owner_kid=kids[OWNER],
    )


def make_service_resource(session: Session, clock: MovingClock, base_url: str) -> tuple[str, str]:
    """An unconditionally shared service resource of OWNER at ``base_url``, granted to CONSUMER."""
    body = table_payload(
        owner_member=OWNER,
        kind="service",
        name="gateway-upstream",
        sharing_class="unconditional",
        columns=[],
        service_base_url=base_url,
    )
    rid = service.create_resource(
        session, ResourceCreate.model_validate(body), principal=OWNER_STEWARD, clock=clock
    ).id
    req = service.request_access(
        session, request_model(rid, fields=[]), principal=ANALYST, clock=clock, policy=POLICY
    )
    assert req.grant_id is not None
    return rid, req.grant_id


class ClientTransport:
    """A GatewayTransport that calls the app in-process through a TestClient."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.sent: list[tuple[str, list[tuple[str, str]]]] = []

    def get(self, url: str, headers: Sequence[tuple[str, str]]) -> RawResponse:
        self.sent.append((url, list(headers)))
        resp = self.client.get(url, headers=list(headers))
        return RawResponse(resp.status_code, list(resp.headers.multi_items()), resp.content)


def problem_of(raw: RawResponse) -> dict[str, Any]:
    """The JSON problem body of a refusal."""
    import json

    body: dict[str, Any] = json.loads(raw.body)
    return body
