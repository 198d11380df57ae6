"""The dashboard in a real headless Chromium: map, tooltip, language switch, navigation, offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import LiveServer, Traffic, assert_stayed_local, inside_point

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


def test_map_draws_41_regions_and_the_tooltip_shows_value_and_source(
    live_server: str, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("svg.choropleth path[data-code]").count() == 41
    assert page.locator("svg.choropleth .labels text").count() == 41
    page.mouse.move(*inside_point(page, "320500"))
    tip = page.locator(".map-tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "苏州市" in text
    assert "19,235.80" in text
    assert "亿元" in text
    assert "年份：2019" in text
    assert "来源：EnvCausal" in text
    page.screenshot(path=str(shots / "overview-zh.png"))
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")
    assert_stayed_local(traffic)
    assert any(u.endswith("/static/dashboard.js?v=0.1.0") for u in traffic.requested)


def test_table_sorts_in_place_with_javascript(
    live_server: str, page: Page, traffic: Traffic
) -> None:
    page.goto(f"{live_server}/")
    first = page.locator("table.cities tbody tr").first
    page.click('th a[data-key="population"]')
    assert first.get_attribute("data-code") == "310000"
    assert page.get_attribute('th[data-key="population"]', "aria-sort") == "descending"
    page.click('th a[data-key="population"]')
    assert page.get_attribute('th[data-key="population"]', "aria-sort") == "ascending"
    assert first.get_attribute("data-code") == "330900"  # Zhoushan, the smallest population
    assert "sort=population" in page.url
    assert "order=asc" in page.url
    assert_stayed_local(traffic)


def test_language_switch_changes_the_labels_and_is_remembered(
    live_server: str, page: Page, context: BrowserContext, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/")
    assert page.locator(".mainnav a").first.inner_text() == "区域总览"
    with page.expect_navigation():
        page.click('.lang-toggle a[data-lang="en"]')
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(".mainnav a").first.inner_text() == "Region overview"
    assert "Choropleth map" in page.locator("#map-title").inner_text()
    assert page.locator(".kpi-label").first.inner_text() == "Cities"
    assert {c["name"]: c["value"] for c in context.cookies()}.get("dyrd_lang") == "en"
    page.goto(f"{live_server}/")  # no ?lang: the cookie keeps English
    assert page.get_attribute("html", "lang") == "en"
    page.mouse.move(*inside_point(page, "320500"))
    tip = page.locator(".map-tooltip")
    tip.wait_for(state="visible")
    assert "Suzhou" in tip.inner_text()
    assert "100m yuan" in tip.inner_text()
    assert "Source: EnvCausal" in tip.inner_text()
    page.screenshot(path=str(shots / "overview-en.png"), full_page=True)
    assert_stayed_local(traffic)


def test_choosing_an_indicator_redraws_the_map(
    live_server: str, page: Page, traffic: Traffic
) -> None:
    page.goto(f"{live_server}/?lang=en")
    with page.expect_navigation():
        page.select_option("#indicator-select", "doctors_per_1000")
    assert "indicator=doctors_per_1000" in page.url
    assert page.locator(".notice").count() == 0
    assert "Doctors per 1,000" in page.locator("#map-title").inner_text()
    assert page.locator("svg.choropleth path[data-code]").count() == 41
    assert_stayed_local(traffic)


def test_clicking_a_region_opens_its_city_page(
    live_server: str, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/")
    with page.expect_navigation():
        page.mouse.click(*inside_point(page, "320500"))
    assert page.url == f"{live_server}/cities/320500"
    assert "苏州市" in page.locator("h1").inner_text()
    assert page.locator("table.indicators tbody tr").count() == 9
    page.screenshot(path=str(shots / "city-zh.png"), full_page=True)
    assert_stayed_local(traffic)


def test_dashboard_without_javascript(browser: Browser, live_server: str, traffic: Traffic) -> None:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    ctx.on("request", lambda r: traffic.requested.append(r.url))
    try:
        page = ctx.new_page()
        page.goto(f"{live_server}/")
        assert page.locator("svg.choropleth path[data-code]").count() == 41
        # The header is a plain link: the server sorts.
        with page.expect_navigation():
            page.click('th a[data-key="gdp"]')
        assert "sort=gdp" in page.url
        assert page.locator("table.cities tbody tr").first.get_attribute("data-code") == "310000"
        # The map regions are links.
        href = page.locator('a:has(> path[data-code="340100"])').get_attribute("href")
        assert href == "/cities/340100"
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.locator(".notice").count() == 0
    finally:
        ctx.close()
    assert traffic.foreign() == []


def test_catalog_search_opens_a_resource_with_its_sharing_badge(
    live_server: str, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/catalog")
    assert page.locator("li.result").count() == 5
    page.screenshot(path=str(shots / "catalog-zh.png"), full_page=True)
    page.fill("#catalog-q", "企业 信用")
    with page.expect_navigation():
        page.press("#catalog-q", "Enter")
    assert "q=" in page.url
    first = page.locator("li.result").first
    assert first.get_attribute("data-name") == "zj-enterprise-credit-sample"
    page.screenshot(path=str(shots / "catalog-search-zh.png"), full_page=True)
    with page.expect_navigation():
        first.locator("h3 a").click()
    assert page.url == f"{live_server}/catalog/zj-enterprise-credit-sample"
    assert page.locator("h1").inner_text() == "企业信用信息（样例）"
    badge = page.locator(".resource-badges .badge-sharing")
    assert badge.inner_text() == "有条件共享"
    assert badge.get_attribute("data-sharing") == "conditional"
    # the badge is coloured (amber), not the plain text colour
    colour = badge.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(242, 193, 78)"
    assert page.locator("table.versions tbody tr").count() == 3
    assert page.locator("table.quality tbody tr").count() == 8
    page.screenshot(path=str(shots / "resource-zh.png"), full_page=True)
    with page.expect_navigation():
        page.locator("table.versions a", has_text="与上一版比较").nth(1).click()
    assert "/diff?from=1&to=2" in page.url
    assert page.locator("table.diff tbody tr").count() == 2
    page.screenshot(path=str(shots / "diff-zh.png"), full_page=True)
    page.goto(f"{live_server}/ledger?lang=en")
    assert page.locator("table.entries tbody tr").count() >= 6  # catalog changes log too
    page.screenshot(path=str(shots / "ledger-en.png"), full_page=True)
    assert_stayed_local(traffic)


def sign_in_as(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server}/signin")
    page.fill("#signin-token", live_server.tokens[username])
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.url == f"{live_server}/exchange/requests"
    assert page.locator(".session-user [data-user]").inner_text() == username


def test_request_access_then_approve_as_the_owner(
    live_server: LiveServer, page: Page, traffic: Traffic, shots: Path
) -> None:
    sign_in_as(page, live_server, "sh.analyst")
    page.goto(f"{live_server}/catalog/zj-enterprise-credit-sample")
    form = page.locator("#request-form")
    form.locator("#rq-purpose").select_option("market_regulation")
    form.locator("#rq-purpose-zh").fill("跨省市场监管协查")
    form.locator("#rq-basis").fill("《政务数据共享条例》第十四条")
    for column in ("credit_code", "enterprise_name", "credit_grade"):
        form.locator(f'input[name=fields][value="{column}"]').check()
    form.locator("#rq-days").fill("60")
    page.screenshot(path=str(shots / "request-form-zh.png"), full_page=True)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/exchange/requests/" in page.url
    assert page.locator(".notice-primary").first.inner_text() == "申请已提交。"
    request_url = page.url.split("?")[0]
    with page.expect_navigation():
        page.click(".session button")  # sign out
    assert page.locator(".session").get_attribute("data-signed-in") == "false"

    sign_in_as(page, live_server, "zj.steward")
    pending = page.locator('table[data-side="owner"] tr[data-status="pending"]')
    assert pending.count() == 1
    with page.expect_navigation():
        pending.locator("td a").first.click()
    assert page.url == request_url
    page.locator('#approve-form input[value="enterprise_name"]').uncheck()
    page.screenshot(path=str(shots / "request-approve-zh.png"), full_page=True)
    with page.expect_navigation():
        page.click("#approve-form button[type=submit]")
    assert page.locator("h1 .badge").get_attribute("data-status") == "granted"
    page.goto(f"{live_server}/exchange/requests")
    grant = page.locator('table.grants tr[data-status="active"]')
    assert grant.count() == 1
    assert grant.locator("td .chip").all_inner_texts() == ["credit_code", "credit_grade"]
    page.screenshot(path=str(shots / "requests-zh.png"), full_page=True)
    assert_stayed_local(traffic)


def test_exchange_flow_map(
    live_server: LiveServer, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/exchange")
    assert page.locator("svg.flowmap .flow-regions path").count() == 41
    assert page.locator("svg.flowmap .anchors circle").count() == 4
    arcs = page.locator("svg.flowmap path.arc")
    assert arcs.count() == 6
    busiest = page.locator(
        'path.arc[data-source="310000"][data-target="330000"][data-outcome="answered"]'
    )
    assert busiest.get_attribute("data-count") == "12"
    assert page.locator("table.flows tbody tr").count() == 5
    page.screenshot(path=str(shots / "exchange-zh.png"), full_page=True)
    page.goto(f"{live_server}/exchange?lang=en")
    page.screenshot(path=str(shots / "exchange-en.png"), full_page=True)
    assert_stayed_local(traffic)
