"""The epidemic monitor page: forecast table, fan chart, scenarios and levels, both languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from dyrd.epidemic.service.posterior import bundled_calibration


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


def test_calibration_diagnostics_come_from_the_bundled_posterior(client: TestClient) -> None:
    diag = bundled_calibration()
    html = client.get("/epidemic", params={"origin": "2020-02-12"}).text
    assert 'id="epi-calibration"' in html
    assert html.count('<tr data-param="') == 7  # six parameters and Re
    for row in diag.rows:
        assert f"{row.estimate:.3f}" in html
    # One convergence line per parameter, one point per iteration (and the start).
    points = len(diag.iteration_means)
    lines = re.findall(r'<polyline points="([^"]+)"', html.split('id="epi-calibration"')[1])
    assert len(lines) == 6
    assert all(len(line.split()) == points for line in lines)
    assert "是" in html.split('id="epi-calibration"')[1]  # alpha, mu and Re inside the paper's CI
    en = client.get("/epidemic", params={"origin": "2020-02-12", "lang": "en"}).text
    assert "Calibration diagnostics" in en
    assert diag.posterior.source in en


def test_the_bundled_calibration_reproduces_the_paper() -> None:
    diag = bundled_calibration()
    inside = {r.name: r.inside_paper_interval for r in diag.rows}
    assert inside == {
        "beta": None,
        "mu": True,
        "theta": None,
        "Z": None,
        "alpha": True,
        "D": None,
        "Re": True,
    }
    assert len(diag.posterior.ensemble) == 300
    assert "300 members x 10 iterations (rk4), seed 0" in diag.posterior.source
