"""HTTP routes of e-contracts, tenders and auctions: happy paths and 4xx problem bodies."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from dyrd.market.compute import sealed_bid as sb
from tests.market.conftest import SH, ZJ, MovableClock, auth

BASE = "/api/v1/market"
DAY = timedelta(days=1)
PROBLEM = "application/problem+json"


def _client(market_app: FastAPI) -> TestClient:
    return TestClient(market_app, raise_server_exceptions=False)


def _problem(response: Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body.get("detail_zh") or body.get("title_zh")
    return body


def test_contract_upload_sign_verify_and_tampered_copy(
    market_app: FastAPI, moving: MovableClock
) -> None:
    with _client(market_app) as client:
        doc = "合同 Contract\n".encode()
        r = client.post(
            f"{BASE}/contracts",
            headers=auth("sh"),
            data={"title": "Lease 租赁", "parties": f"{SH},{ZJ}"},
            files={"file": ("c.txt", doc, "text/plain")},
        )
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        for token, party in (("sh", SH), ("zj", ZJ)):
            s = client.post(
                f"{BASE}/contracts/{cid}/signatures", headers=auth(token), json={"party": party}
            )
            assert s.status_code == 201, s.text
        again = client.post(
            f"{BASE}/contracts/{cid}/signatures", headers=auth("sh"), json={"party": SH}
        )
        _problem(again, 409)
        report = client.get(f"{BASE}/contracts/{cid}/verification", headers=auth("shview"))
        assert report.status_code == 200
        assert report.json()["valid"] is True
        text = client.get(f"{BASE}/contracts/{cid}/verification?format=text", headers=auth("sh"))
        assert "VALID 有效" in text.text
        page = client.get(f"{BASE}/contracts/{cid}/verification?format=html", headers=auth("sh"))
        assert page.headers["content-type"].startswith("text/html")
        tampered = client.post(
            f"{BASE}/contracts/{cid}/verification",
            headers=auth("sh"),
            files={"file": ("c.txt", doc.replace(b"Contract", b"Kontract"), "text/plain")},
        )
        assert tampered.json()["valid"] is False
        assert tampered.json()["reasons"]
        assert client.get(f"{BASE}/contracts/{cid}/document", headers=auth("sh")).content == doc


def test_contract_errors_are_problems(market_app: FastAPI) -> None:
    with _client(market_app) as client:
        assert client.get(f"{BASE}/contracts").status_code == 401
        _problem(client.get(f"{BASE}/contracts/nope", headers=auth("sh")), 404)
        bad = client.post(
            f"{BASE}/contracts",
            headers=auth("sh"),
            data={"title": "x", "parties": SH},
            files={"file": ("c.pdf", b"not a pdf", "application/pdf")},
        )
        _problem(bad, 422)


def _seal(client: TestClient, tid: str, token: str, bidder: str, price: str) -> tuple[str, str]:
    salt = secrets.token_hex(32)
    c = sb.commitment(tid, bidder, Decimal(price), bytes.fromhex(salt))
    r = client.post(
        f"{BASE}/tenders/{tid}/bids",
        headers=auth(token),
        json={"bidder": bidder, "bidder_name": bidder, "commitment": c},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"], salt


def test_tender_over_http_with_late_bid_bad_reveal_and_wrong_transition(
    market_app: FastAPI, moving: MovableClock
) -> None:
    with _client(market_app) as client:
        short = client.post(
            f"{BASE}/tenders",
            headers=auth("sh"),
            json={"title": "t", "buyer": SH, "deadline": (moving.now + 5 * DAY).isoformat()},
        )
        _problem(short, 422)
        r = client.post(
            f"{BASE}/tenders",
            headers=auth("sh"),
            json={
                "title": "Works 工程",
                "buyer": SH,
                "deadline": (moving.now + 20 * DAY).isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
        assert "submit_bid" in r.json()["allowed_actions"]
        bids = [
            _seal(client, tid, t, b, p)
            for t, b, p in (("a", "A1", "10.00"), ("b", "B1", "9.00"), ("c", "C1", "11.00"))
        ]
        _problem(client.post(f"{BASE}/tenders/{tid}/award", headers=auth("sh")), 409)
        _problem(client.post(f"{BASE}/tenders/{tid}/open", headers=auth("sh")), 409)
        moving.advance(20 * DAY)
        late = client.post(
            f"{BASE}/tenders/{tid}/bids",
            headers=auth("a"),
            json={"bidder": "Z", "bidder_name": "Z", "commitment": "0" * 64},
        )
        body = _problem(late, 409)
        assert "deadline" in str(body["detail"])
        opened = client.post(f"{BASE}/tenders/{tid}/open", headers=auth("sh"))
        assert opened.json()["status"] == "opened"
        bad = client.post(
            f"{BASE}/tenders/{tid}/bids/{bids[0][0]}/reveal",
            headers=auth("a"),
            json={"price": "10.01", "salt": bids[0][1]},
        )
        _problem(bad, 422)
        for (bid_id, salt), token, price in zip(
            bids, "abc", ("10.00", "9.00", "11.00"), strict=True
        ):
            ok = client.post(
                f"{BASE}/tenders/{tid}/bids/{bid_id}/reveal",
                headers=auth(token),
                json={"price": price, "salt": salt},
            )
            assert ok.status_code == 200, ok.text
        ev = client.post(f"{BASE}/tenders/{tid}/evaluate", headers=auth("sh"), json={})
        assert ev.status_code == 200, ev.text
        _problem(client.post(f"{BASE}/tenders/{tid}/award", headers=auth("sh")), 409)
        moving.advance(3 * DAY)
        assert client.post(f"{BASE}/tenders/{tid}/award", headers=auth("sh")).status_code == 200
        detail = client.get(f"{BASE}/tenders/{tid}").json()
        winner = next(b for b in detail["bid_list"] if b["rank"] == 1)
        assert winner["bidder"] == "B1"
        assert detail["award_bid_id"] == winner["id"]


def test_auction_room_extends_on_late_bids_over_http(
    market_app: FastAPI, moving: MovableClock
) -> None:
    with _client(market_app) as client:
        start, end = moving.now + timedelta(minutes=1), moving.now + timedelta(hours=25)
        short = client.post(
            f"{BASE}/auctions",
            headers=auth("sh"),
            json={
                "title": "lot",
                "seller": SH,
                "appraised_value": "100.00",
                "starting_price": "70.00",
                "increment": "1.00",
                "starts_at": start.isoformat(),
                "ends_at": (start + DAY / 2).isoformat(),
            },
        )
        _problem(short, 422)
        r = client.post(
            f"{BASE}/auctions",
            headers=auth("sh"),
            json={
                "title": "lot 拍品",
                "seller": SH,
                "appraised_value": "100.00",
                "starting_price": "70.00",
                "increment": "1.00",
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        aid = r.json()["id"]
        _problem(
            client.post(
                f"{BASE}/auctions/{aid}/bids",
                headers=auth("a"),
                json={"bidder": "a", "amount": "70.00"},
            ),
            409,
        )
        moving.now = end - timedelta(minutes=1)
        bid = client.post(
            f"{BASE}/auctions/{aid}/bids",
            headers=auth("a"),
            json={"bidder": "a", "amount": "70.00"},
        )
        assert bid.status_code == 201, bid.text
        assert bid.json()["extensions"] == 1
        low = client.post(
            f"{BASE}/auctions/{aid}/bids",
            headers=auth("b"),
            json={"bidder": "b", "amount": "70.50"},
        )
        _problem(low, 409)
        moving.now = end + timedelta(minutes=4, seconds=1)
        room = client.get(f"{BASE}/auctions/{aid}").json()
        assert room["phase"] == "ended"
        assert room["outcome"] == "sold"
        late = client.post(
            f"{BASE}/auctions/{aid}/bids",
            headers=auth("b"),
            json={"bidder": "b", "amount": "80.00"},
        )
        _problem(late, 409)
