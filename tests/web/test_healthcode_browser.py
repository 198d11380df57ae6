"""The health-code pages in a real headless Chromium: map, rules, checkpoint (text and QR image),
trust list. A live server of its own holds residents, signed sample rules and an issued code."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.region import service as region_service
from dyrd.trust import service as trust_service
from dyrd.web import checkpointpage
from tests.conftest import fixed_clock
from tests.web import hc_support
from tests.web.conftest import Traffic, assert_stayed_local, inside_point

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@dataclass(frozen=True, slots=True)
class HcServer:
    """Base URL of the live dashboard, the issued code's text and QR image, an officer's token."""

    url: str
    code_text: str
    code_png: Path
    officer_token: str


@pytest.fixture(scope="module")
def hc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HcServer]:
    """The whole app on a free 127.0.0.1 port with health-code data (own SQLite file)."""
    folder = tmp_path_factory.mktemp("hc-live")
    engine = create_db_engine(f"sqlite:///{folder / 'live.db'}")
    bootstrap.upgrade_database(engine)
    with Session(engine) as session:
        region_service.load_bundled(session, clock=fixed_clock)
        trust_service.load_default_members(session, clock=fixed_clock)
        keystore = hc_support.keys_and_rules(session, fixed_clock)
        world = hc_support.residents(session, fixed_clock)
        code = hc_support.issue(session, fixed_clock, keystore, world.ids["ZJ-1"])
        token = hc_support.checkpoint_officer(session, fixed_clock)
    png = folder / "code.png"
    png.write_bytes(base64.b64decode(code.png_base64))
    app = bootstrap.build_app(
        Settings(database_url=str(engine.url)), engine=engine, clock=fixed_clock
    )
    app.state.trust_keystore = keystore
    app.state.healthcode_id_secret = lambda: hc_support.SECRET
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live dashboard server did not start")
        time.sleep(0.05)
    yield HcServer(f"http://127.0.0.1:{port}", code.text, png, token)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


def test_colour_map_shows_shares_counts_and_a_tooltip(
    hc_server: HcServer, page: Page, traffic: Traffic
) -> None:
    page.goto(f"{hc_server.url}/")
    with page.expect_navigation():
        page.click('.mainnav a[href="/healthcode"]')
    assert page.get_attribute('.mainnav a[href="/healthcode"]', "aria-current") == "page"
    assert page.locator("svg.choropleth path[data-code]").count() == 41
    page.mouse.move(*inside_point(page, "330100"))
    tip = page.locator(".map-tooltip")
    tip.wait_for(state="visible")
    assert "杭州市" in tip.inner_text()
    assert "66.7" in tip.inner_text()
    row = page.locator('#hc-cities tr[data-code="330100"]')
    assert row.locator('[data-colour="red"]').inner_text() == "1"
    assert row.locator('[data-field="share"]').inner_text() == "66.7%"
    assert page.locator("#hc-empty").count() == 0
    with page.expect_navigation():
        page.click('.lang-toggle a[data-lang="en"]')
    assert "Health-code colours" in page.locator("h1").inner_text()
    assert page.locator('.mainnav a[href="/healthcode"]').inner_text() == "Health codes"
    assert_stayed_local(traffic)


def test_rule_browser_opens_a_rules_certlogic(
    hc_server: HcServer, page: Page, traffic: Traffic
) -> None:
    page.goto(f"{hc_server.url}/healthcode/rules?jurisdiction=330000")
    rule = page.locator('article[data-rule="ZJ-HC-002"]')
    assert rule.get_attribute("data-signature") == "ok"
    logic = rule.locator(".rule-logic pre")
    assert not logic.is_visible()
    rule.locator(".rule-logic summary").click()
    assert logic.is_visible()
    assert '"var": "contact.flagged"' in logic.inner_text()
    assert page.locator("article.rule").count() == 6
    assert_stayed_local(traffic)


def _steps(page: Page) -> dict[str, str]:
    items = page.locator("#verdict li.step")
    return {
        items.nth(i).get_attribute("data-step") or "": items.nth(i).get_attribute("data-state")
        or ""
        for i in range(items.count())
    }


def sign_in(page: Page, hc_server: HcServer) -> None:
    """Sign in as the Shanghai checkpoint officer from the checkpoint page's link."""
    page.goto(f"{hc_server.url}{checkpointpage.PATH}")
    with page.expect_navigation():
        page.click("#cp-signin a")
    page.fill("#signin-token", hc_server.officer_token)
    with page.expect_navigation():
        page.click("form[action='/signin'] button[type=submit]")
    assert page.url.endswith(checkpointpage.PATH)
    assert page.locator("#cp-signin").count() == 0


def test_checkpoint_verifies_pasted_text_and_an_uploaded_qr_image(
    hc_server: HcServer, page: Page, traffic: Traffic, shots: Path
) -> None:
    sign_in(page, hc_server)
    page.select_option("#cp-jurisdiction", "310000")
    page.fill("#cp-text", hc_server.code_text)
    with page.expect_navigation():
        page.click("#checkpoint-form button[type=submit]")
    pasted = _steps(page)
    assert page.get_attribute("#verdict", "data-valid") == "true", pasted
    for step in ("prefix", "signature", "expiry", "schema", "revocation", "policy"):
        assert pasted[step] == "pass", pasted
    assert page.locator('#verdict .colour-badge[data-colour="green"]').inner_text() == "绿码"
    assert page.locator("#verdict li.step-pass .step-mark").first.inner_text() == "✓"
    assert page.locator('#verdict [data-field="reason"] .reason-primary').inner_text()
    assert page.locator('#verdict [data-field="reason"] .reason-secondary').inner_text()
    assert page.locator('#verdict [data-field="issuer"]').inner_text() == "浙江省"
    assert page.get_attribute("#cp-jurisdiction option[selected]", "value") == "310000"
    page.screenshot(path=str(shots / "checkpoint-zh.png"), full_page=True)

    page.fill("#cp-text", "")
    page.set_input_files("#cp-image", str(hc_server.code_png))
    with page.expect_navigation():
        page.click("#checkpoint-form button[type=submit]")
    assert _steps(page) == pasted  # the QR image held the same code
    assert page.get_attribute("#verdict", "data-valid") == "true"
    assert page.locator("#cp-logged").is_visible()
    assert_stayed_local(traffic)


def test_checkpoint_flags_a_garbled_code(hc_server: HcServer, page: Page, traffic: Traffic) -> None:
    sign_in(page, hc_server)
    page.goto(f"{hc_server.url}/healthcode/checkpoint?lang=en")
    page.fill("#cp-text", hc_server.code_text[:40])
    with page.expect_navigation():
        page.click("#checkpoint-form button[type=submit]")
    assert page.get_attribute("#verdict", "data-valid") == "false"
    assert "Refused" in page.locator(".verdict-badge").inner_text()
    assert "fail" in _steps(page).values()
    assert page.locator("#verdict .colour-badge").count() == 0
    assert_stayed_local(traffic)


def test_trust_page_lists_the_csca_and_the_four_dscs(
    hc_server: HcServer, page: Page, traffic: Traffic
) -> None:
    page.goto(f"{hc_server.url}/healthcode/trust")
    assert page.locator("#cscas tbody tr").count() == 1
    assert page.locator('#dscs tbody tr[data-status="active"]').count() == 4
    kids = page.locator("#dscs tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kid)")
    assert all(len(k) == 16 for k in kids)
    assert page.locator("#rv-none").is_visible()
    assert page.locator("#sync-none").is_visible()
    assert_stayed_local(traffic)
