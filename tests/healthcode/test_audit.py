"""Issuance, appeals and checkpoint verifications reach the audit ledger, without personal data."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dyrd.healthcode.models import Resident
from dyrd.healthcode.service import audit
from dyrd.ledger.models import LedgerEntry
from tests.healthcode.conftest import auth, id_number

ZHANG = id_number("33010619850101001")
API = "/api/v1/healthcode"
REASON = "I was at home with my mother Wang Fang"


def _entries(session: Session, kind: str) -> list[tuple[str, bytes]]:
    rows = session.execute(
        select(LedgerEntry.subject, LedgerEntry.entry)
        .where(LedgerEntry.kind == kind)
        .order_by(LedgerEntry.seq)  # log order; PostgreSQL returns no order unasked
    ).all()
    return [(r.subject, bytes(r.entry)) for r in rows]


def test_issuance_appeals_and_checks_are_ledgered_without_personal_data(
    hc_app: FastAPI, session: Session
) -> None:
    with TestClient(hc_app) as client:
        r = client.post(
            f"{API}/residents",
            json={"id_number": ZHANG, "initials": "ZS", "jurisdiction": "330000"},
            headers=auth("zj"),
        )
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        code = client.post(f"{API}/residents/{rid}/code", headers=auth("zj")).json()
        checked = client.post(
            f"{API}/checkpoint/verify",
            json={"text": code["text"], "jurisdiction": "310000"},
            headers=auth("sh"),
        )
        assert checked.status_code == 200, checked.text
        refused = client.post(
            f"{API}/checkpoint/verify",
            json={"text": "HC1:garbage", "jurisdiction": "310000"},
            headers=auth("sh"),
        )
        assert refused.status_code == 200, refused.text
        appeal = client.post(
            f"{API}/residents/{rid}/appeals", json={"reason": REASON}, headers=auth("zj")
        ).json()
        done = client.post(
            f"{API}/appeals/{appeal['id']}/answer",
            json={"outcome": "rejected", "answer": "Stay confirmed by Wang Fang's neighbour."},
            headers=auth("zj"),
        )
        assert done.status_code == 200, done.text

    resident = session.get(Resident, rid)
    assert resident is not None
    issued = _entries(session, audit.CODE_ISSUED)
    assert [s for s, _ in issued] == [rid]  # the pseudonymous id is the subject
    body = issued[0][1].decode("utf-8")
    assert code["rule_id"] in body
    assert code["colour"] in body
    filed = _entries(session, audit.APPEAL_FILED)
    answered = _entries(session, audit.APPEAL_ANSWERED)
    assert [s for s, _ in filed] == [appeal["id"]]
    assert [s for s, _ in answered] == [appeal["id"]]
    assert b"rejected" in answered[0][1]
    checks = _entries(session, audit.CHECKPOINT_VERIFIED)
    assert [s for s, _ in checks] == ["310000"]  # both checks counted in one entry
    counts = json.loads(checks[0][1])["payload"]
    assert (counts["verified"], counts["accepted"], counts["refused"]) == (2, 1, 1)
    assert counts["by_issuer"] == {
        "330000": {"verified": 1, "accepted": 1, "refused": 0},
        "unknown": {"verified": 1, "accepted": 0, "refused": 1},  # garbled: no issuer vouched
    }
    assert counts["failed_steps"] == {"base45": 1}
    everything = b"".join(e for _, e in issued + filed + answered + checks)
    for personal in (ZHANG, "Wang Fang", resident.id_hash, '"ZS"', "1985"):
        assert personal.encode("utf-8") not in everything, personal
    for _, entry in checks:
        assert rid.encode() not in entry  # verification counts name no resident
    json.loads(checks[0][1])  # entries are JSON
