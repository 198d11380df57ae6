"""The epidemic monitor page: forecast table, fan chart, scenarios and levels, both languages."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_epidemic_page_renders_all_panels(client: TestClient) -> None:
    r = client.get("/epidemic", params={"origin": "2020-02-12", "city": "310000"})
    assert r.status_code == 200, r.text
    html = r.text
    assert "疫情研判与应急响应" in html
    assert html.count('<tr data-code="') >= 82  # forecast table and level table, 41 each
    assert 'id="epi-fan" data-city="310000"' in html
    assert 'class="band95"' in html
    assert html.count('data-scenario="') == 4
    assert 'href="/epidemic"' in html  # the nav link
    en = client.get("/epidemic", params={"origin": "2020-02-12", "lang": "en"})
    assert en.status_code == 200
    assert "Epidemic forecasts and response levels" in en.text


def test_bad_parameters_fall_back_with_a_notice(client: TestClient) -> None:
    r = client.get("/epidemic", params={"origin": "nonsense", "city": "999999"})
    assert r.status_code == 200
    assert "nonsense" in r.text
    assert "999999" in r.text
    assert 'data-city="330300"' in r.text
    early = client.get("/epidemic", params={"origin": "2020-01-16"})
    assert early.status_code == 200
    assert "2020-01-29" in early.text
