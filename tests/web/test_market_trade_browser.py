"""The auction room in a real headless Chromium: a late bid extends the end live (polling)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conftest import FIXED_NOW
from tests.web.conftest import LiveServer, Traffic, assert_stayed_local

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_auction_room_shows_the_extension_of_a_late_bid_without_reload(
    live_server: LiveServer, page: Page, traffic: Traffic
) -> None:
    # The live server's clock stands still at FIXED_NOW: an auction that started almost 24 h
    # ago and ends two minutes from now is in its last five minutes.
    steward = {"Authorization": f"Bearer {live_server.tokens['zj.steward']}"}
    bidder = {"Authorization": f"Bearer {live_server.tokens['sh.analyst']}"}
    ends = FIXED_NOW + timedelta(minutes=2)
    created = httpx.post(
        f"{live_server}/api/v1/market/auctions",
        headers=steward,
        json={
            "title": "拍品 Lot",
            "seller": "CN-YRD/GOV/330000",
            "appraised_value": "100.00",
            "starting_price": "70.00",
            "increment": "1.00",
            "starts_at": (ends - timedelta(hours=24)).isoformat(),
            "ends_at": ends.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    aid = created.json()["id"]
    page.goto(f"{live_server}/market/auctions")
    with page.expect_navigation():
        page.click(f'a[href="/market/auctions/{aid}"]')
    assert page.locator('[data-field="phase"]').inner_text() == "running"
    assert page.locator('[data-field="extensions"]').inner_text() == "0"
    before = page.locator('[data-field="current_end"]').inner_text()
    bid = httpx.post(
        f"{live_server}/api/v1/market/auctions/{aid}/bids",
        headers=bidder,
        json={"bidder": "竞买人 A", "amount": "70.00"},
    )
    assert bid.status_code == 201, bid.text
    page.wait_for_function(
        "document.querySelector('[data-field=\"extensions\"]').textContent === '1'",
        timeout=10_000,
    )
    after = page.locator('[data-field="current_end"]').inner_text()
    assert after != before
    assert after.endswith(":05:00")  # FIXED_NOW (16:00 Beijing) + 5 min
    assert page.locator('[data-field="highest"]').inner_text() == "70.00"
    assert page.locator("#mk-auction-bids tbody tr").count() == 1
    assert_stayed_local(traffic)
