"""The audit-ledger page: newest signed head, log size, latest entries, offline checks."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.ledger import service as ledger_service
from dyrd.ledger.adapters.local_keys import Ed25519Signer

ACTOR = Actor(user="zj.steward", member="CN-YRD/GOV/330000/SCJGJ")
SUBJECT = "resource:zj-enterprise-credit-sample"


def append(session: Session, clock: Clock, n: int = 1) -> None:
    for i in range(n):
        ledger.append(
            session,
            kind=ledger.EntryKind.CATALOG_CHANGE,
            subject=SUBJECT,
            actor=ACTOR,
            payload={"i": i, "summary": "测试条目"},
            clock=clock,
        )
        session.commit()


def test_ledger_page_shows_the_signed_head_after_an_append(
    client: TestClient, session: Session, clock: Clock
) -> None:
    append(session, clock)
    head = ledger.sign_pending_head(session, signer=Ed25519Signer.generate(), clock=clock)
    assert head is not None
    resp = client.get("/ledger")
    assert resp.status_code == 200
    html = resp.text
    assert "审计账本" in html
    assert f'data-field="tree_size">{head.size}<' in html
    assert f'data-field="root_hash">{head.root_hash.hex()}<' in html
    assert f'data-field="key_id">{head.key_id}<' in html
    assert 'data-field="algorithm">EdDSA<' in html
    assert base64.b64encode(head.signature).decode() in html
    assert "2026-11-26 16:00:00" in html  # the frozen clock, in Beijing time
    rows = re.findall(r'<tr data-seq="(\d+)">', html)
    assert rows[0] == str(head.size - 1)
    assert "catalog.change" in html
    assert "已覆盖" in html
    # offline verification is explained
    assert "dyrd ledger export ledger.jsonl" in html
    assert "dyrd ledger verify ledger.jsonl" in html


def test_entries_waiting_for_a_head_are_counted_and_private_fields_withheld(
    client: TestClient, session: Session, clock: Clock
) -> None:
    append(session, clock)
    ledger.sign_pending_head(session, signer=Ed25519Signer.generate(), clock=clock)
    append(session, clock, n=24)
    size = ledger_service.log_size(session)
    html = client.get("/ledger", params={"lang": "en"}).text
    assert "Latest signed tree head" in html
    assert "24 awaiting the next head" in html
    assert f">{size:,}<" in html
    rows = re.findall(r'<tr data-seq="(\d+)">', html)
    assert rows == [str(s) for s in range(size - 1, size - 21, -1)]
    assert "pending" in html
    # subject, actor and payload are served only with a token (GET /api/v1/ledger/entries)
    assert SUBJECT not in html
    assert "zj.steward" not in html
    assert "测试条目" not in html
    assert "/api/v1/ledger/entries" in html


def test_ledger_page_without_a_head(client: TestClient, session: Session) -> None:
    html = client.get("/ledger").text
    if ledger.latest_head(session) is None:
        assert "账本尚无已签名的树头" in html
    assert "dyrd ledger verify" in html
