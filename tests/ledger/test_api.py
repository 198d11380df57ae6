"""The ledger API: heads, entries, proofs that verify with the pure verifier, keys, errors."""

from __future__ import annotations

import base64
import json
import stat
import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock, utc_now
from dyrd.core.config import Settings
from dyrd.core.db import make_session_factory
from dyrd.core.types import Role
from dyrd.ledger import service
from dyrd.ledger.adapters.local_keys import Ed25519Signer
from dyrd.ledger.compute import merkle
from dyrd.ledger.compute.entries import canonical_json
from dyrd.ledger.compute.signatures import from_pem, head_signature_valid, public_key
from dyrd.ledger.types import TreeHead
from tests.fakes import FakeAuthenticator
from tests.ledger.conftest import append_many, sqlite_file_engine

TOKEN = "ledger-viewer"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROBLEM = "application/problem+json"


@pytest.fixture
def viewer_app(app: FastAPI) -> FastAPI:
    """The app with a token for a viewer of one member."""
    principal = Principal(user="v", roles={"CN-YRD/310000": frozenset({Role.VIEWER})})
    app.state.authenticator = FakeAuthenticator({TOKEN: principal})
    return app


def _head(body: dict[str, object]) -> TreeHead:
    return TreeHead(
        size=int(str(body["tree_size"])),
        root_hash=bytes.fromhex(str(body["root_hash"])),
        timestamp=datetime.fromisoformat(str(body["timestamp"])),
        key_id=str(body["key_id"]),
        algorithm=str(body["algorithm"]),
        signature=base64.b64decode(str(body["signature"])),
    )


def test_head_is_404_with_a_bilingual_problem_before_the_first_signature(
    client: TestClient,
) -> None:
    r = client.get("/api/v1/ledger/head")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"] == "urn:dyrd:problem:ledger-no-signed-head"
    assert "no signed tree head" in body["detail"]
    assert body["detail_zh"]
    assert body["hint"]


def test_proofs_served_by_the_api_verify_with_the_pure_verifier(
    client: TestClient, session: Session, clock: Clock, signer: Ed25519Signer
) -> None:
    append_many(session, 9, clock)
    service.sign_pending_head(session, signer=signer, clock=clock)
    append_many(session, 4, clock, start=9)
    service.sign_pending_head(session, signer=signer, clock=clock)
    append_many(session, 2, clock, start=13)

    keys = client.get("/api/v1/ledger/keys").json()
    assert [k["key_id"] for k in keys] == [signer.key_id]
    key = from_pem(keys[0]["pem"].encode())
    assert key == public_key(base64.b64decode(keys[0]["public_key"]))

    r = client.get("/api/v1/ledger/head")
    assert r.status_code == 200
    body = r.json()
    assert (body["tree_size"], body["log_size"], body["pending_entries"]) == (13, 15, 2)
    head = _head(body)
    assert head_signature_valid(head, key)

    for seq in range(13):
        proof = client.get("/api/v1/ledger/proof/inclusion", params={"seq": seq}).json()
        assert proof["tree_size"] == 13
        assert proof["head"]["signature"] == body["signature"]
        assert merkle.verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            seq,
            13,
            [bytes.fromhex(h) for h in proof["path"]],
            head.root_hash,
        )
    older = client.get("/api/v1/ledger/proof/inclusion", params={"seq": 2, "tree_size": 9}).json()
    first = _head(older["head"])
    assert first.size == 9
    assert head_signature_valid(first, key)
    c = client.get("/api/v1/ledger/proof/consistency", params={"first": 9}).json()
    assert (c["first"], c["second"]) == (9, 13)
    assert merkle.verify_consistency(
        9, 13, first.root_hash, head.root_hash, [bytes.fromhex(h) for h in c["path"]]
    )
    # a proof against an unsigned, larger tree also verifies against its computed root
    big = client.get("/api/v1/ledger/proof/inclusion", params={"seq": 14, "tree_size": 15})
    assert big.json()["head"] is None


def test_entries_need_a_token_and_carry_their_canonical_objects(
    viewer_app: FastAPI, client: TestClient, session: Session, clock: Clock
) -> None:
    receipts = append_many(session, 5, clock)
    assert client.get("/api/v1/ledger/entries").status_code == 401
    r = client.get("/api/v1/ledger/entries", params={"start": 1, "end": 4}, headers=AUTH)
    assert r.status_code == 200
    page = r.json()
    assert (page["start"], page["end"], page["log_size"]) == (1, 4, 5)
    assert [e["seq"] for e in page["items"]] == [1, 2, 3]
    for item in page["items"]:
        data = canonical_json(item["entry"])
        assert merkle.leaf_hash(data).hex() == item["leaf_hash"]
        assert item["leaf_hash"] == receipts[item["seq"]].leaf_hash.hex()
        assert item["entry"]["prev"] == item["prev_hash"]
    one = client.get("/api/v1/ledger/entries/4", headers=AUTH).json()
    assert one["entry"]["payload"] == {"i": 4, "purpose": "统计分析"}
    tail = client.get("/api/v1/ledger/entries", params={"start": 3}, headers=AUTH).json()
    assert [e["seq"] for e in tail["items"]] == [3, 4]


@pytest.mark.parametrize(
    ("path", "params", "status", "fragment"),
    [
        ("/api/v1/ledger/proof/inclusion", {"seq": -1}, 422, "seq"),
        ("/api/v1/ledger/proof/inclusion", {"seq": "x"}, 422, "seq"),
        ("/api/v1/ledger/proof/inclusion", {"seq": 2**60}, 422, "seq"),
        ("/api/v1/ledger/proof/inclusion", {"seq": 3}, 404, "holds 3 entries"),
        ("/api/v1/ledger/proof/inclusion", {"seq": 0, "tree_size": 4}, 422, "beyond the log"),
        ("/api/v1/ledger/proof/inclusion", {"seq": 2, "tree_size": 2}, 422, "not in the tree"),
        ("/api/v1/ledger/proof/consistency", {}, 422, "first"),
        ("/api/v1/ledger/proof/consistency", {"first": 2, "second": 1}, 422, "larger than"),
        ("/api/v1/ledger/proof/consistency", {"first": 1, "second": 7}, 422, "beyond the log"),
        ("/api/v1/ledger/entries", {"start": 2, "end": 1}, 422, "before start"),
        ("/api/v1/ledger/entries/9", {}, 404, "no ledger entry"),
    ],
)
def test_bad_requests_get_clear_problems(
    *,
    viewer_app: FastAPI,
    client: TestClient,
    session: Session,
    clock: Clock,
    path: str,
    params: dict[str, int | str],
    status: int,
    fragment: str,
) -> None:
    append_many(session, 3, clock)
    r = client.get(path, params=params, headers=AUTH)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert fragment.lower() in json.dumps(body, ensure_ascii=False).lower()
    if status != 422 or body["type"] != "urn:dyrd:problem:invalid-request":
        assert body["detail_zh"]


def test_the_served_app_signs_heads_in_the_background(tmp_path: Path) -> None:
    engine = sqlite_file_engine(str(tmp_path / "dyrd.db"))
    key_path = tmp_path / "keys" / "ledger.pem"
    settings = Settings(
        database_url=str(engine.url),
        ledger_key_path=key_path,
        ledger_checkpoint_seconds=0.05,
    )
    app = bootstrap.build_app(settings, engine=engine)
    with make_session_factory(engine)() as session:
        append_many(session, 3, utc_now)
    assert not key_path.exists()
    with TestClient(app) as client:
        deadline = time.monotonic() + 20
        r = client.get("/api/v1/ledger/head")
        while r.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            r = client.get("/api/v1/ledger/head")
    assert r.status_code == 200, r.text
    assert r.json()["tree_size"] == 3
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert app.state.ledger_checkpointer.stop()  # already stopped with the app
    engine.dispose()


def _append_as(session: Session, clock: Clock, members: list[str], kind: str) -> None:
    from dyrd.core.actor import Actor

    for i, member in enumerate(members):
        service.append(
            session,
            kind=kind,
            subject=f"s{i}",
            actor=Actor(user="u", member=member),
            payload={"i": i},
            clock=clock,
        )
    session.commit()


def test_entries_filter_by_member_kind_and_subject(
    viewer_app: FastAPI, client: TestClient, session: Session, clock: Clock
) -> None:
    zj, zj_dept, sh = "CN-YRD/GOV/330000", "CN-YRD/GOV/330000/DSJ", "CN-YRD/GOV/310000"
    _append_as(session, clock, [zj, sh, zj_dept, sh, "CN-YRD/GOV/3300001"], "exchange.gateway")
    _append_as(session, clock, [zj_dept], "grant.decision")

    def seqs(**params: str | int) -> list[int]:
        r = client.get("/api/v1/ledger/entries", params=params, headers=AUTH)
        assert r.status_code == 200, r.text
        return [e["seq"] for e in r.json()["items"]]

    # A member's own entries and its departments', never a member whose id merely starts alike.
    assert seqs(member=zj) == [0, 2, 5]
    assert seqs(member=zj_dept) == [2, 5]
    assert seqs(member=sh) == [1, 3]
    assert seqs(member=zj, kind="grant.decision") == [5]
    assert seqs(kind="exchange.gateway", start=2) == [2, 3, 4]
    assert seqs(member=zj, end=3) == [0, 2]
    assert seqs(subject="s0") == [0, 5]
    assert seqs(member="CN-YRD/GOV/340000") == []
    page = client.get("/api/v1/ledger/entries", params={"member": sh}, headers=AUTH).json()
    assert (page["start"], page["end"], page["log_size"]) == (0, 6, 6)
    assert all(e["actor_member"] == sh for e in page["items"])


@pytest.mark.parametrize(
    "params",
    [
        {"member": "CN-YRD/GOV/330000/"},
        {"member": "/CN-YRD"},
        {"member": "CN YRD"},
        {"member": "x" * 129},
        {"kind": "Exchange"},
        {"kind": "exchange"},
        {"subject": ""},
        {"member": "CN-YRD", "start": 3, "end": 1},
    ],
)
def test_bad_entry_filters_are_422_problems(
    viewer_app: FastAPI, client: TestClient, params: dict[str, str | int]
) -> None:
    r = client.get("/api/v1/ledger/entries", params=params, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)


def test_a_full_filtered_page_ends_after_its_last_match(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dyrd.ledger.service import reading

    monkeypatch.setattr(reading, "MAX_ENTRIES_PAGE", 2)
    _append_as(session, clock, ["CN-YRD/GOV/310000"] * 5, "exchange.gateway")
    first = service.list_entries(session, start=0, member="CN-YRD/GOV/310000")
    assert ([e.seq for e in first.items], first.end) == ([0, 1], 2)
    last = service.list_entries(session, start=4, member="CN-YRD/GOV/310000")
    assert ([e.seq for e in last.items], last.end) == ([4], 5)
