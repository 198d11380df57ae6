"""The economy monitor page: index map and ranks, inequality decomposition, alerts; zh and en."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.economy import service as economy
from dyrd.economy import types as economy_types
from dyrd.economy.service.inequality import Grouping


def test_economy_page_in_chinese(client: TestClient, session: Session) -> None:
    resp = client.get("/economy")
    assert resp.status_code == 200, resp.text
    html = resp.text
    assert '<html lang="zh-CN">' in html
    assert "高质量发展监测" in html
    assert 'href="/economy" aria-current="page"' in html
    # The method is recorded with the index.
    assert "topsis" in html
    assert "minmax" in html
    assert "0·ln0 = 0" in html
    # 41 city regions on the map, ranks with their 5-95 % ranges.
    assert len(re.findall(r'class="region[ "]', html)) == 41
    ranks = re.findall(r'<tr data-code="(\d{6})"><td class="num">(\d+)</td>', html)
    report = economy.composite_index(session, years=[2019])
    assert len(ranks) == len(report.cities)
    assert ranks[0] == (report.cities[0].city_code, "1")
    assert re.search(r'<td class="num mono">\d+–\d+</td>', html)
    # Concepts without any indicator in the index are shown as missing.
    for concept in report.concepts_without_data:
        assert re.search(
            rf'data-concept="{concept.value}" data-has-data="false">.*?无数据', html, re.S
        )
    # The inequality figures are the service's, to the shown precision.
    q = economy.inequality(session, indicator="gdp_per_capita", year=2019, groups=Grouping.PROVINCE)
    assert f'data-field="gini">{q.gini:.4f}<' in html
    assert q.theil_t_between is not None
    assert f'data-field="theil_t_between">{q.theil_t_between:.4f}<' in html
    assert html.count('<tr data-group="') == 4
    # Every rule is listed, labelled sample, and with the bundled data says no data.
    assert html.count('data-rule="sample.') == 7
    assert 'data-status="no_data"' in html
    assert "样例规则" in html


def test_economy_page_in_english(client: TestClient) -> None:
    resp = client.get("/economy", params={"lang": "en"})
    assert resp.status_code == 200
    html = resp.text
    assert '<html lang="en">' in html
    assert "High-quality development monitor" in html
    assert "Between provinces" in html
    assert "Sample rule" in html
    assert ">No data<" in html


@pytest.mark.parametrize("path", ["/", "/catalog", "/ledger"])
def test_every_page_links_the_economy_page(client: TestClient, path: str) -> None:
    assert 'href="/economy"' in client.get(path).text


def test_page_views_reuse_the_perturbation_draws(client: TestClient) -> None:
    cache = client.app.state.economy_stability_cache  # type: ignore[attr-defined]
    first = client.get("/economy", params={"lang": "en"}).text
    second = client.get("/economy").text  # Chinese: same data, same draws
    # One app per test: the first view draws, the second reuses the draws.
    assert (cache.misses, cache.hits) == (1, 1)
    ranges = re.findall(r'<td class="num mono">\d+–\d+</td>', first)
    assert ranges
    assert ranges == re.findall(r'<td class="num mono">\d+–\d+</td>', second)


def test_green_and_openness_show_missing_with_the_reason(
    client: TestClient, session: Session
) -> None:
    html = client.get("/economy", params={"lang": "en"}).text
    listed = {i.code: i for i in economy.list_indicators(session)}
    for code in ("co2_intensity", "trade_openness", "fdi_share", "so2_intensity"):
        assert not listed[code].years
        assert listed[code].no_data_reason
        assert f'data-missing="{code}"' in html
    # The reason names why no figure ships (CEADs terms), never a number filled in.
    assert "CEADs" in html
    zh = client.get("/economy", params={"lang": "zh"}).text
    assert "开放许可" in zh


def test_coupling_table_is_the_service_figures(client: TestClient, session: Session) -> None:
    html = client.get("/economy", params={"lang": "en"}).text
    ccd = economy.coupling(session, year=2019)
    rows = re.findall(r'<tr data-ccd="(\d{6})">.*?data-field="d">([0-9.]+)<', html, re.S)
    assert len(rows) == len(ccd.cities)
    assert rows[0] == (ccd.cities[0].city_code, f"{ccd.cities[0].coordination:.4f}")
    assert ccd.cities[0].band_en in html


def test_economy_page_links_the_index_downloads(client: TestClient) -> None:
    html = client.get("/economy", params={"lang": "en"}).text
    links = dict(re.findall(r'<a href="([^"]+)" download data-export="(\w+)">', html))
    assert sorted(links.values()) == ["csv", "png", "xlsx"]
    assert "Excel workbook" in html
    csv_link = next(k for k, v in links.items() if v == "csv").replace("&amp;", "&")
    r = client.get(csv_link)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    # The file holds the page's ranking: same cities, same ranks.
    ranks = re.findall(r'<tr data-code="(\d{6})"><td class="num">(\d+)</td>', html)
    assert sorted((row["city_code"], row["rank"]) for row in rows) == sorted(ranks)
    xlsx = next(k for k, v in links.items() if v == "xlsx").replace("&amp;", "&")
    assert client.get(xlsx).status_code == 200


def test_economy_radar_of_a_chosen_city(client: TestClient, session: Session) -> None:
    report = economy.composite_index(session, years=[2019])
    last = max(report.cities, key=lambda c: c.rank)
    html = client.get("/economy", params={"city": last.city_code, "lang": "en"}).text
    assert f'id="econ-radar" data-city="{last.city_code}"' in html
    assert f'<option value="{last.city_code}" selected>' in html
    assert html.count("<option value=") == len(report.cities)
    radar = html.split('id="econ-radar"', 1)[1].split("</section>", 1)[0]
    # The radar's numbers are the city's sub-indices; a concept without data has a dashed
    # axis, a "No data" label and no point (never a zero at the centre).
    for concept in economy_types.Concept:
        value = last.sub_indices.get(concept.value)
        label = re.search(rf'data-label="{concept.value}"[^>]*>.*?<tspan[^>]*>([^<]+)<', radar)
        assert label is not None
        if value is None:
            assert label.group(1) == "No data"
            assert f'data-point="{concept.value}"' not in radar
            assert re.search(
                rf'stroke-dasharray="4 3" data-axis="{concept.value}" data-has-data="false"', radar
            )
        else:
            assert label.group(1) == f"{value:.3f}"
            assert f'data-point="{concept.value}"' in radar
    assert "<script" not in radar
    png = re.search(r'<a href="([^"]+)" download data-export="png">', radar)
    assert png is not None
    r = client.get(png.group(1).replace("&amp;", "&"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    zh = client.get("/economy", params={"city": last.city_code, "lang": "zh"}).text
    assert "五大理念分项指数雷达图" in zh
    assert "创新" in zh.split('id="econ-radar"', 1)[1].split("</section>", 1)[0]


def test_economy_radar_city_input_is_checked(client: TestClient) -> None:
    r = client.get("/economy", params={"city": "nope"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    # A well-formed code that is not in the index: a notice, and the radar shows rank 1.
    html = client.get("/economy", params={"city": "999999", "lang": "en"}).text
    assert "City 999999 is not in the index" in html
    assert 'id="econ-radar" data-city="' in html


def test_economy_theil_and_convergence_charts(client: TestClient, session: Session) -> None:
    html = client.get("/economy", params={"lang": "en"}).text
    q = economy.inequality(session, indicator="gdp_per_capita", year=2019, groups=Grouping.PROVINCE)
    assert q.theil_t_between is not None
    assert q.theil_t_within is not None
    chart = html.split('id="econ-theil-chart"', 1)[1].split("</section>", 1)[0]
    widths = {k: float(w) for w, k in re.findall(r'width="([\d.]+)"[^>]*data-bar="(\w+)"', chart)}
    # The bars are the service's Theil figures on one scale.
    assert widths["between"] / widths["within"] == pytest.approx(
        q.theil_t_between / q.theil_t_within, rel=0.01
    )
    for g in q.groups:
        assert widths[g.group] / (widths["between"] + widths["within"]) == pytest.approx(
            g.theil_t / q.theil_t, rel=0.01, abs=0.002
        )
    conv = economy.convergence(session, indicator="gdp_per_capita", start=2000, end=2019)
    section = html.split('id="econ-convergence"', 1)[1].split("</section>", 1)[0]
    assert section.count("data-sigma=") == len(conv.years)
    for y, s in zip(conv.years, conv.sigma, strict=True):
        assert f'data-sigma="{y}: σ = {s:.4f}"' in section
    if len(conv.years) < 2:
        assert 'data-nodata="sigma"' in section
    if conv.beta is None:
        assert 'data-nodata="beta"' in section
    else:
        assert f"{conv.beta:.4f}" in section
