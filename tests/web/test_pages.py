"""Dashboard pages over HTTP: map, key figures, table sorting, language, 404 and bad parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from dyrd import bootstrap, web
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.region import service as region_service
from dyrd.region.models import Statistic
from dyrd.web import i18n

PATH = re.compile(r"<path\b[^>]*\bdata-code=\"(\d{6})\"[^>]*>")
ATTR = re.compile(r'\b([\w-]+)="([^"]*)"')
ROW = re.compile(r'<tr data-code="(\d{6})">')


def regions(html: str) -> dict[str, dict[str, str]]:
    """Attributes of every <path data-code> of the map, by city code."""
    return {m.group(1): dict(ATTR.findall(m.group(0))) for m in PATH.finditer(html)}


def row_order(html: str) -> list[str]:
    return ROW.findall(html)


def test_overview_draws_41_regions_with_the_stored_gdp(
    client: TestClient, session: Session
) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    paths = regions(resp.text)
    assert len(paths) == 41
    stored = region_service.indicator_values(session, "gdp", 2019)
    assert set(paths) == set(stored)
    for code, attrs in paths.items():
        assert float(attrs["data-value"]) == stored[code].value
        assert attrs["data-year"] == "2019"
        assert "EnvCausal" in attrs["data-source"]
        assert attrs["d"].startswith("M")
        assert attrs["fill"].startswith("#")
    assert 'class="map choropleth"' in resp.text


def test_any_indicator_can_be_mapped(client: TestClient, session: Session) -> None:
    resp = client.get("/", params={"indicator": "share_pop_age60plus", "year": "2019"})
    assert resp.status_code == 200
    stored = region_service.indicator_values(session, "share_pop_age60plus", 2019)
    paths = regions(resp.text)
    assert {c: float(a["data-value"]) for c, a in paths.items()} == {
        c: s.value for c, s in stored.items()
    }
    assert 'value="share_pop_age60plus" data-years="2019" selected' in resp.text
    assert "60岁及以上人口占比" in resp.text
    assert 'class="notice"' not in resp.text


def test_selector_lists_every_indicator_with_years(client: TestClient, session: Session) -> None:
    html = client.get("/").text
    for ind in region_service.list_indicators(session):
        assert f'value="{ind.code}" data-years="{",".join(map(str, ind.years))}"' in html
        assert ind.name_zh in html


def test_legend_has_value_classes_with_unit_and_a_no_data_entry(client: TestClient) -> None:
    html = client.get("/").text
    legend = html[html.index('class="legend"') :]
    legend = legend[: legend.index("</div>\n", legend.index("legend-method"))]
    assert "亿元" in legend
    assert legend.count("<li") == 6  # five quantile classes and 无数据
    assert "无数据" in legend
    counts = [int(n) for n in re.findall(r'legend-count">(\d+)<', legend)]
    assert sum(counts) == 41
    assert counts[-1] == 0


def test_a_missing_value_is_drawn_as_no_data_not_invented(
    client: TestClient, session: Session
) -> None:
    session.execute(
        delete(Statistic).where(
            Statistic.city_code == "320500", Statistic.indicator == "gdp", Statistic.year == 2019
        )
    )
    session.flush()
    html = client.get("/").text
    suzhou = regions(html)["320500"]
    assert suzhou["data-value"] == ""
    assert suzhou["fill"] == "url(#nodata)"
    assert suzhou["data-text"] == "无数据"
    assert re.search(r'legend-range">无数据</span><span class="legend-count">1<', html)
    # The key figure says it sums 40 cities; the table shows 无数据 and sorts it last.
    assert "仅含 40/41 个有数据的城市" in html
    for order in ("desc", "asc"):
        rows = row_order(client.get("/", params={"sort": "gdp", "order": order}).text)
        assert rows[-1] == "320500"
    city = client.get("/cities/320500").text
    gdp_row = city[city.index('data-indicator="gdp"') :]
    assert "无数据" in gdp_row[: gdp_row.index("</tr>")]


def test_key_figures_total_population_and_gdp_with_year_and_source(
    client: TestClient, session: Session
) -> None:
    html = client.get("/").text
    pop = sum(
        s.value
        for s in region_service.indicator_values(session, "population_resident", 2019).values()
    )
    gdp = sum(s.value for s in region_service.indicator_values(session, "gdp", 2019).values())
    assert f"{pop:,.2f}" in html
    assert f"{gdp:,.2f}" in html
    kpis = html[html.index('class="kpis"') : html.index('class="grid"')]
    assert '<div class="kpi-value">41</div>' in kpis
    assert kpis.count('kpi-year">2019<') >= 2
    assert kpis.count("EnvCausal") >= 2


@pytest.mark.parametrize(
    ("sort", "order", "first"),
    [
        ("gdp", "desc", "310000"),
        ("population", "desc", "310000"),
        ("code", "asc", "310000"),
        ("code", "desc", "341800"),
    ],
)
def test_table_sorts_without_javascript(
    client: TestClient, sort: str, order: str, first: str
) -> None:
    rows = row_order(client.get("/", params={"sort": sort, "order": order}).text)
    assert len(rows) == 41
    assert rows[0] == first


def test_table_sort_follows_the_values(client: TestClient, session: Session) -> None:
    gdp = region_service.indicator_values(session, "gdp", 2019)
    asc = row_order(client.get("/", params={"sort": "gdp", "order": "asc"}).text)
    assert asc == sorted(gdp, key=lambda c: (gdp[c].value, c))
    area = row_order(client.get("/", params={"sort": "area"}).text)  # numbers: largest first
    areas = {c.code: c.area_km2 or 0 for c in region_service.list_cities(session)}
    assert [areas[c] for c in area] == sorted(areas.values(), reverse=True)


def test_header_links_toggle_the_order_and_mark_the_sorted_column(client: TestClient) -> None:
    html = client.get("/", params={"sort": "gdp", "order": "desc"}).text
    th = re.search(
        r'<th scope="col" aria-sort="descending" data-key="gdp"[^>]*>\s*<a href="([^"]+)"', html
    )
    assert th is not None
    assert "sort=gdp" in th.group(1)
    assert "order=asc" in th.group(1)
    assert "indicator=gdp" in th.group(1)
    assert re.search(r'aria-sort="none" data-key="name"', html)


def test_language_defaults_to_chinese(client: TestClient) -> None:
    resp = client.get("/")
    assert '<html lang="zh-CN">' in resp.text
    assert resp.headers["content-language"] == "zh-CN"
    assert "区域总览" in resp.text
    assert "地区生产总值" in resp.text
    assert i18n.COOKIE not in resp.cookies


def test_lang_en_switches_and_is_remembered_in_a_cookie(client: TestClient) -> None:
    resp = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in resp.text
    assert resp.cookies.get(i18n.COOKIE) == "en"
    assert "Region overview" in resp.text
    assert "Resident population, total" in resp.text
    assert ">Shanghai<" in resp.text
    assert 'aria-current="true">English<' in resp.text
    # The next request has no ?lang but the cookie keeps English, on every page.
    again = client.get("/cities/320500")
    assert '<html lang="en">' in again.text
    assert "Suzhou" in again.text
    assert "Back to the region overview" in again.text
    back = client.get("/", params={"lang": "zh"})
    assert '<html lang="zh-CN">' in back.text
    assert back.cookies.get(i18n.COOKIE) == "zh"


def test_language_links_keep_the_other_parameters(client: TestClient) -> None:
    html = client.get("/", params={"indicator": "gdp_primary", "sort": "name"}).text
    link = re.search(r'<a href="([^"]+)"[^>]*data-lang="en"', html)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert "indicator=gdp_primary" in href
    assert "sort=name" in href
    assert "lang=en" in href


def test_an_unknown_language_falls_back_to_chinese(client: TestClient) -> None:
    resp = client.get("/", params={"lang": "fr"})
    assert resp.status_code == 200
    assert '<html lang="zh-CN">' in resp.text


def test_city_page_lists_every_indicator_with_value_unit_year_and_source(
    client: TestClient, session: Session
) -> None:
    resp = client.get("/cities/320500")
    assert resp.status_code == 200
    html = resp.text
    assert "苏州市" in html
    assert "Suzhou" in html
    assert "江苏省" in html
    assert "31.3814°N, 120.6604°E" in html
    detail = region_service.get_city(session, "320500")
    assert len(detail.statistics) == 9
    for stat in detail.statistics:
        row = html[html.index(f'data-indicator="{stat.indicator}"') :]
        row = row[: row.index("</tr>")]
        assert f'data-value="{stat.value}"' in row
        assert ">2019<" in row
        assert stat.source in row
    assert "2/41" in html  # Suzhou's GDP rank among the 41 cities
    assert 'class="sector-bar"' in html
    assert "47.5%" in html  # secondary-sector share, computed from the stored values
    assert re.search(r'class="region is-highlight">\s*<path[^>]*data-code="320500"', html)


def test_unknown_city_is_a_bilingual_404_page(client: TestClient) -> None:
    for code in ("999999", "abc", "<script>alert(1)<\\script>"):
        resp = client.get(f"/cities/{code}")
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("text/html")
        assert "页面不存在" in resp.text
        assert "Page not found" in resp.text
        assert "Traceback" not in resp.text
        assert "<script>alert" not in resp.text
    assert "“999999”" in client.get("/cities/999999").text


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        ({"indicator": "nope"}, "没有指标“nope”", "There is no indicator “nope”"),
        ({"year": "1900"}, "没有 1900 年的数据", "has no data for year 1900"),
        ({"indicator": "gdp", "year": "abc"}, "没有 abc 年的数据", "has no data for year abc"),
        ({"sort": "bogus"}, "无法按“bogus”排序", "Cannot sort by “bogus”"),
    ],
)
def test_bad_parameters_render_the_default_with_a_bilingual_notice(
    client: TestClient, params: dict[str, str], zh: str, en: str
) -> None:
    resp = client.get("/", params=params)
    assert resp.status_code == 200
    assert zh in resp.text
    assert en in resp.text
    assert len(regions(resp.text)) == 41
    assert 'value="gdp" data-years="2019" selected' in resp.text
    assert '<option value="2019" selected>' in resp.text


def test_an_unknown_indicator_with_a_year_gives_one_notice(client: TestClient) -> None:
    html = client.get("/", params={"indicator": "nope", "year": "1900", "order": "sideways"}).text
    assert html.count('class="notice"') == 1


def test_navigation_links_only_to_pages_that_exist(client: TestClient) -> None:
    html = client.get("/").text
    nav = html[html.index('class="mainnav"') : html.index("</nav>")]
    assert re.findall(r'href="([^"]+)"', nav) == [
        "/",
        "/catalog",
        "/exchange",
        "/ledger",
        "/economy",
        "/epidemic",
        "/supply",
        "/healthcode",
        "/market",
        "/docs",
    ]
    assert "数字长三角" in html
    assert "Digital YRD" in html
    for href in set(re.findall(r'href="(/[^"?#]*)', html)):
        assert client.get(href).status_code == 200, href


def test_pages_fetch_nothing_from_other_hosts(client: TestClient) -> None:
    for url in ("/", "/cities/310000", "/cities/000000"):
        html = client.get(url).text
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), url
        assert "@import" not in html
    css = client.get("/static/dashboard.css")
    assert css.status_code == 200
    assert "url(" not in css.text
    assert "@import" not in css.text
    js = client.get("/static/dashboard.js")
    assert js.status_code == 200
    assert "http" not in js.text


def test_pages_are_not_in_the_openapi_schema() -> None:
    # On an app of its own, so the check does not depend on the other routers' schemas.
    app = FastAPI()
    web.install(app)
    pages = {
        getattr(r, "path", "")
        for router in (web.routes.router, web.exchangeroutes.router)
        for r in router.routes
    }
    assert pages == {
        "/",
        "/cities/{code}",
        "/catalog",
        "/catalog/{ref}",
        "/catalog/{ref}/diff",
        "/ledger",
        "/economy",
        "/epidemic",
        "/supply",
        "/exchange",
        "/signin",
        "/signout",
        "/exchange/requests",
        "/exchange/requests/{request_id}",
        "/exchange/requests/{request_id}/decision",
        "/catalog/{ref}/request",
    }
    assert "/static" in {getattr(r, "path", "") for r in app.routes}
    assert app.openapi()["paths"] == {}


def test_an_empty_database_renders_with_a_hint(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    bootstrap.upgrade_database(engine)
    app = bootstrap.build_app(Settings(database_url=str(engine.url)), engine=engine)
    with TestClient(app) as c:
        resp = c.get("/")
        assert resp.status_code == 200
        assert "dyrd region load" in resp.text
        assert regions(resp.text) == {}
        assert c.get("/cities/310000").status_code == 404
        catalog = c.get("/catalog")
        assert catalog.status_code == 200
        assert "dyrd catalog load-samples" in catalog.text
        ledger = c.get("/ledger")
        assert ledger.status_code == 200
        assert "账本尚无已签名的树头" in ledger.text
        assert "账本中还没有条目" in ledger.text
    engine.dispose()


def test_a_long_bad_parameter_is_clipped_in_the_notice(client: TestClient) -> None:
    html = client.get("/", params={"indicator": "x" * 500}).text
    notices = re.findall(r'<span class="notice-(?:primary|secondary)"[^>]*>([^<]*)<', html)
    assert len(notices) == 2
    for text in notices:
        assert "x" * 39 + "…" in text
        assert "x" * 40 not in text


def test_pages_vary_by_the_language_cookie(client: TestClient) -> None:
    assert client.get("/").headers["vary"] == "Cookie"
