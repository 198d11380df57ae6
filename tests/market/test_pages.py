"""Dashboard pages of tenders, auctions and contract verification (server-rendered)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.market.schemas import AuctionCreate, TenderCreate
from dyrd.market.service import auctions, contracts, tenders
from tests.fakes import InMemoryKeyStore
from tests.market.conftest import SH, SH_STEWARD, MovableClock
from tests.web.test_exchange_pages import csrf, sign_in


def test_tender_pages_list_and_detail_in_both_languages(
    market_app: FastAPI, session: Session, moving: MovableClock
) -> None:
    body = TenderCreate(title="Bridge 桥梁", buyer=SH, deadline=moving.now + timedelta(days=20))
    tid = tenders.publish_tender(session, body, principal=SH_STEWARD, clock=moving).id
    with TestClient(market_app) as client:
        page = client.get("/market/tenders")
        assert page.status_code == 200
        assert "电子招投标" in page.text
        assert f"/market/tenders/{tid}" in page.text
        detail = client.get(f"/market/tenders/{tid}?lang=en")
        assert "Bridge 桥梁" in detail.text
        assert "submit_bid" in detail.text
        assert client.get("/market/tenders/nope").status_code == 404
        assert 'href="/market/tenders"' in client.get("/market").text  # sub-navigation


def test_auction_room_page_carries_the_polling_script(
    market_app: FastAPI, session: Session, moving: MovableClock
) -> None:
    body = AuctionCreate.model_validate(
        {
            "title": "Lot 拍品",
            "seller": SH,
            "appraised_value": "100.00",
            "starting_price": "70.00",
            "increment": "1.00",
            "starts_at": moving.now,
            "ends_at": moving.now + timedelta(hours=24),
        }
    )
    aid = auctions.create_auction(session, body, principal=SH_STEWARD, clock=moving).id
    with TestClient(market_app) as client:
        room = client.get(f"/market/auctions/{aid}")
        assert room.status_code == 200
        assert f'data-api="/api/v1/market/auctions/{aid}"' in room.text
        assert "auction.js" in room.text
        assert "running" in room.text
        script = client.get("/static/auction.js")
        assert script.status_code == 200
        assert "setInterval" in script.text
        assert "http" not in script.text  # no CDN, no remote calls


def test_contract_page_needs_sign_in_and_checks_an_uploaded_copy(
    market_app: FastAPI, session: Session, moving: MovableClock, keystore: InMemoryKeyStore
) -> None:
    doc = "合同正文 contract body".encode()
    cid = contracts.upload_contract(
        session,
        title="Lease 租赁",
        media_type="text/plain",
        document=doc,
        parties=[SH],
        principal=SH_STEWARD,
        clock=moving,
    ).id
    contracts.sign_contract(
        session, cid, party=SH, principal=SH_STEWARD, keystore=keystore, clock=moving
    )
    with TestClient(market_app) as client:
        anonymous = client.get(f"/market/contracts/{cid}")
        assert anonymous.status_code == 401
        assert "请先登录" in anonymous.text
        sign_in(client, "sh")
        page = client.get(f"/market/contracts/{cid}")
        assert page.status_code == 200
        assert 'data-valid="true"' in page.text
        checked = client.post(
            f"/market/contracts/{cid}",
            data={"csrf": csrf(client)},
            files={"file": ("c.txt", doc + b"!", "text/plain")},
        )
        assert 'data-valid="false"' in checked.text
        assert 'data-code="document.presented" data-outcome="fail"' in checked.text
        refused = client.post(
            f"/market/contracts/{cid}", data={"csrf": "x"}, files={"file": ("c.txt", doc)}
        )
        assert refused.status_code == 403
