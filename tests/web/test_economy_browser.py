"""The economy monitor in a real headless Chromium: index map tooltip, ranks, alerts, English."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import Traffic, assert_stayed_local, inside_point

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_economy_page_map_ranks_inequality_and_alerts(
    live_server: str, page: Page, traffic: Traffic, shots: Path
) -> None:
    page.goto(f"{live_server}/")
    with page.expect_navigation():
        page.click('.mainnav a[href="/economy"]')
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "高质量发展监测"
    assert page.locator("svg.choropleth path[data-code]").count() == 41
    page.mouse.move(*inside_point(page, "310000"))
    tip = page.locator(".map-tooltip")
    tip.wait_for(state="visible")
    assert "上海市" in tip.inner_text()
    assert "熵权 TOPSIS" in tip.inner_text()
    rows = page.locator("#econ-ranks tbody tr")
    assert rows.count() > 3
    assert rows.first.locator("td").first.inner_text() == "1"
    assert "–" in rows.first.locator("td").nth(4).inner_text()
    assert page.locator('#econ-inequality [data-field="theil_t_between"]').inner_text() != "无数据"
    assert page.locator("#econ-groups tbody tr").count() == 4
    assert page.locator("#econ-alerts tbody tr").count() == 7
    assert page.locator('#econ-alerts tr[data-status="no_data"]').count() == 7
    assert page.locator('#econ-concepts li[data-has-data="false"]').count() >= 1
    assert page.locator('#econ-concepts li[data-has-data="false"] .nodata').first.inner_text() == (
        "无数据"
    )
    page.screenshot(path=str(shots / "economy-zh.png"), full_page=True)
    with page.expect_navigation():
        page.click('.lang-toggle a[data-lang="en"]')
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "High-quality development monitor"
    assert page.locator('.mainnav a[href="/economy"]').inner_text() == "Economy"
    assert "Sample rule" in page.locator("#econ-alerts").inner_text()
    assert_stayed_local(traffic)
