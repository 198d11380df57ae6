"""The epidemic monitor in headless Chromium: map, fan chart, city switch, levels, English."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import Traffic, assert_stayed_local, inside_point

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_epidemic_page_map_fan_chart_scenarios_and_levels(
    live_server: str, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/")
    with page.expect_navigation():
        page.click('.mainnav a[href="/epidemic"]')
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "疫情研判与应急响应"
    assert page.locator("svg.choropleth path[data-code]").count() == 41
    page.mouse.move(*inside_point(page, "330300"))
    tip = page.locator(".map-tooltip")
    tip.wait_for(state="visible")
    assert "温州市" in tip.inner_text()
    assert page.locator("#epi-forecasts tbody tr").count() == 41
    fan = page.locator("#epi-fan")
    assert fan.get_attribute("data-city") == "330300"
    assert fan.locator("polygon.band95").get_attribute("points")
    assert fan.locator("circle.obs").count() >= 2
    assert page.locator("#epi-scenarios tbody tr").count() == 4
    assert page.locator("#epi-scenarios polyline.scen-line").count() == 4
    levels = page.locator("#epi-levels tbody tr")
    assert levels.count() == 41
    assert levels.first.locator("td").nth(5).inner_text()
    page.screenshot(path=str(shots / "epidemic-zh.png"), full_page=True)
    # Switch the fan chart to Shanghai from the table link (plain navigation, no script).
    with page.expect_navigation():
        page.click('#epi-forecasts tr[data-code="310000"] a')
    assert page.locator("#epi-fan").get_attribute("data-city") == "310000"
    assert "上海市" in page.locator("#epi-fan-title").inner_text()
    with page.expect_navigation():
        page.click('.lang-toggle a[data-lang="en"]')
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Epidemic forecasts and response levels"
    assert page.locator('.mainnav a[href="/epidemic"]').inner_text() == "Epidemic"
    assert "Shanghai" in page.locator("#epi-fan-title").inner_text()
    page.screenshot(path=str(shots / "epidemic-en.png"), full_page=True)
    assert_stayed_local(traffic)
