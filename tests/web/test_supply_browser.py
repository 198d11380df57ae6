"""The supply page in a real headless Chromium: nav, chain map, decisions, matches, scenario,
English; data entered through the live server's API with a steward's token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.supply.support import CODES, FIRMS, LINKS, RULES
from tests.web.conftest import Traffic, assert_stayed_local

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser
API = "/api/v1/supply"


def _seed(base: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {base.tokens['zj.steward']}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as api:

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = api.post(f"{API}{path}", json=body)
            assert r.status_code == 201, r.text
            out: dict[str, Any] = r.json()
            return out

        for code, zh, en, city, industry, final in FIRMS:
            post(
                "/enterprises",
                {
                    "code": code,
                    "name_zh": zh,
                    "name_en": en,
                    "city_code": city,
                    "industry": industry,
                    "credit_grade": "A",
                    "final_demand_per_day": final,
                },
            )
        for s, c, cls, value in LINKS:
            post(
                "/links",
                {
                    "supplier_code": CODES[s],
                    "customer_code": CODES[c],
                    "product_class": cls,
                    "value_per_day": value,
                },
            )
        chain = {
            "id": "yrd-auto",
            "name_zh": "长三角汽车零部件链",
            "name_en": "YRD auto parts",
            "product_class": "C36",
            "rules": RULES,
        }
        post("/chains", chain)
        cert = {"name": "IATF 16949", "valid_from": "2025-01-01", "valid_until": "2028-01-01"}
        post(f"/enterprises/{CODES[0]}/certifications", cert)
        assert post("/chains/yrd-auto/join", {"enterprise_code": CODES[0]})["outcome"] == "admitted"
        assert post("/chains/yrd-auto/join", {"enterprise_code": CODES[2]})["outcome"] == "refused"
        post(
            "/offers",
            {
                "enterprise_code": CODES[1],
                "product_class": "C3670",
                "quantity": 8,
                "unit": "pcs",
                "lead_days": 1,
            },
        )
        post(
            "/needs",
            {
                "enterprise_code": CODES[0],
                "product_class": "C36",
                "quantity": 5,
                "unit": "pcs",
                "max_lead_days": 3,
                "max_km": 300,
            },
        )
        spec = {
            "name": "无锡停产 / Wuxi shutdown",
            "start": "2020-02-01",
            "days": 40,
            "restrictions": [
                {"city": "320200", "start": "2020-02-01", "end": "2020-02-20", "share": 1}
            ],
        }
        post("/scenarios", {"id": "wuxi", "spec": spec})


def test_supply_page_chains_decisions_matches_and_scenario(
    live_server: LiveServer, page: Page, traffic: Traffic
) -> None:
    _seed(live_server)
    page.goto(f"{live_server}/")
    with page.expect_navigation():
        page.click('.mainnav a[href="/supply"]')
    assert page.locator("h1").inner_text() == "供应链治理"
    assert page.locator("#supply-map svg.choropleth path[data-code]").count() == 41
    assert page.locator('#supply-map path[data-code="310000"]').get_attribute("data-value") != ""
    assert page.locator('#supply-chains tr[data-chain="yrd-auto"]').count() == 1
    assert page.locator('#supply-decisions tr[data-outcome="admitted"]').count() == 1
    refused = page.locator('#supply-decisions tr[data-outcome="refused"]')
    assert "缺少有效认证" in refused.inner_text()
    assert page.locator("#supply-matches tbody tr").count() == 1
    scenario = page.locator('article[data-scenario="wuxi"]')
    assert float(scenario.locator('[data-field="indirect"]').inner_text()) > 0
    assert scenario.locator("ol.critical li").first.get_attribute("data-code") == CODES[2]
    with page.expect_navigation():
        page.click('.lang-toggle a[data-lang="en"]')
    assert page.locator("h1").inner_text() == "Supply-chain governance"
    assert page.locator('.mainnav a[href="/supply"]').inner_text() == "Supply chains"
    assert "no valid certification" in page.locator("#supply-decisions").inner_text()
    assert_stayed_local(traffic)
