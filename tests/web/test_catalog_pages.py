"""Data-sharing pages over HTTP: catalog search, facets, badges, paging; resource, diff, 404."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import exchange
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.exchange import AccessPolicy, AccessRequestCreate, PurposeCode
from dyrd.exchange import service as exchange_service
from tests.web.conftest import CREDIT

pytestmark = pytest.mark.usefixtures("catalog")

RESULT = re.compile(r'<li class="result" data-id="[^"]+" data-name="([^"]+)">')
SAMPLES = {
    "zj-enterprise-credit-sample",
    "sh-medical-institutions-sample",
    "js-public-transit-stops-sample",
    "ah-air-quality-monitoring-sample",
    "js-social-security-card-holders-sample",
}


def results(html: str) -> list[str]:
    """Names of the listed resources, in page order."""
    return RESULT.findall(html)


def section(html: str, start: str, end: str = "</section>") -> str:
    """The part of ``html`` from ``start`` to the next ``end``."""
    i = html.index(start)
    return html[i : html.index(end, i)]


def facet_links(html: str, facet: str) -> dict[str, str]:
    """value -> href of one facet panel."""
    panel = section(html, f'data-facet="{facet}"')
    return {
        v: htmllib.unescape(h)
        for h, v in re.findall(
            r'<a href="([^"]+)" class="facet-link[^"]*"[^>]*data-value="([^"]+)"', panel
        )
    }


def test_catalog_lists_the_samples_with_badges(client: TestClient) -> None:
    resp = client.get("/catalog")
    assert resp.status_code == 200
    html = resp.text
    assert set(results(html)) == SAMPLES
    assert "数据共享目录" in html
    assert html.count('class="badge badge-sample"') == 5
    for code, label in (
        ("unconditional", "无条件共享"),
        ("conditional", "有条件共享"),
        ("not_shared", "不予共享"),
    ):
        assert f'class="badge badge-sharing sharing-{code}" data-sharing="{code}">{label}<' in html
    assert "浙江省市场监督管理局" in html
    assert "经济和金融" in html  # a theme, in Chinese
    assert "企业信用信息（样例）" in html


def test_chinese_search_finds_the_credit_dataset_first(client: TestClient) -> None:
    for q in ("企业 信用", "企业信用", "enterprise credit"):
        html = client.get("/catalog", params={"q": q}).text
        found = results(html)
        assert found, q
        assert found[0] == CREDIT, q
    html = client.get("/catalog", params={"q": "企业 信用"}).text
    assert 'value="企业 信用"' in html
    assert "“企业 信用”的检索结果" in html


def test_english_page_shows_english_titles_and_labels(client: TestClient) -> None:
    html = client.get("/catalog", params={"q": "credit", "lang": "en"}).text
    assert "Enterprise credit information (sample)" in html
    assert "Shared on conditions" in html
    assert "Zhejiang Administration for Market Regulation" in html
    assert "Economy and finance" in html
    assert ">Sample<" in html


def test_facets_count_and_filter(client: TestClient) -> None:
    html = client.get("/catalog").text
    panel = section(html, 'data-facet="sharing_class"')
    counts = dict(
        re.findall(r'data-value="(\w+)">.*?<span class="facet-count">(\d+)<', panel, re.S)
    )
    assert counts == {"conditional": "2", "unconditional": "2", "not_shared": "1"}
    for facet in ("theme", "owner", "jurisdiction", "keyword", "kind"):
        assert f'data-facet="{facet}"' in html
    assert "浙江省" in section(html, 'data-facet="jurisdiction"')

    href = facet_links(html, "sharing_class")["conditional"]
    assert href == "/catalog?sharing_class=conditional"
    filtered = client.get(href).text
    assert set(results(filtered)) == {CREDIT, "ah-air-quality-monitoring-sample"}
    # the chosen value is marked and its link drops it again
    assert facet_links(filtered, "sharing_class")["conditional"] == "/catalog"
    assert 'class="chip chip-active"' in filtered

    # two facets: AND; two values of one facet: OR
    both = client.get("/catalog", params={"sharing_class": "conditional", "theme": "ECON"}).text
    assert results(both) == [CREDIT]
    either = client.get("/catalog?sharing_class=conditional&sharing_class=not_shared").text
    assert len(results(either)) == 3
    # the language switch keeps both values
    assert "sharing_class=conditional&amp;sharing_class=not_shared&amp;lang=en" in either


def test_owner_and_keyword_facets_filter(client: TestClient) -> None:
    html = client.get("/catalog").text
    owner = facet_links(html, "owner")["CN-YRD/GOV/320000/RST"]
    assert results(client.get(owner).text) == ["js-social-security-card-holders-sample"]
    kw = client.get("/catalog", params={"keyword": "公交"}).text
    assert results(kw) == ["js-public-transit-stops-sample"]
    svc = client.get("/catalog", params={"kind": "service"}).text
    assert len(results(svc)) == 1


def test_sorting_and_paging(client: TestClient, session: Session) -> None:
    by_title = results(client.get("/catalog", params={"sort": "title"}).text)
    entries = {e.name: e for e in exchange_service.catalog_entries(session)}
    # the exchange orders titles by their English form (no pinyin collation in the stdlib)
    assert by_title == sorted(by_title, key=lambda n: entries[n].metadata["title_en"].casefold())
    html = client.get("/catalog", params={"sort": "modified"}).text
    assert 'data-sort="modified" aria-current="true"' in html
    # a filter link keeps the sort
    assert "sort=modified" in facet_links(html, "theme")["ECON"]
    # 5 entries fit on one page: no pager; page 2 does not exist
    assert 'class="pager"' not in html
    resp = client.get("/catalog", params={"page": "2"})
    assert resp.status_code == 200
    assert "没有第“2”页" in resp.text
    assert "There is no page “2”" in resp.text
    assert len(results(resp.text)) == 5


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        ({"theme": "NOPE"}, "“NOPE”不是有效的主题", "“NOPE” is not a valid Theme"),
        ({"sharing_class": "secret"}, "不是有效的共享属性", "is not a valid Sharing class"),
        ({"sort": "bogus"}, "无法按“bogus”排序", "Cannot sort by “bogus”"),
        ({"page": "-1"}, "没有第“-1”页", "There is no page “-1”"),
        ({"page": "abc"}, "没有第“abc”页", "There is no page “abc”"),
        ({"q": "信" * 300}, "检索词过长", "The search text is too long"),
    ],
)
def test_bad_catalog_parameters_give_a_notice_not_an_error(
    client: TestClient, params: dict[str, str], zh: str, en: str
) -> None:
    resp = client.get("/catalog", params=params)
    assert resp.status_code == 200
    assert zh in resp.text
    assert en in resp.text


def test_no_match_says_so(client: TestClient) -> None:
    html = client.get("/catalog", params={"q": "zzzzqqqq"}).text
    assert results(html) == []
    assert "没有符合条件的数据资源" in html


def test_resource_page_shows_metadata_schema_and_exports(client: TestClient) -> None:
    resp = client.get(f"/catalog/{CREDIT}")
    assert resp.status_code == 200
    html = resp.text
    assert "<h1>企业信用信息（样例）</h1>" in html
    assert 'data-sharing="conditional">有条件共享<' in html
    assert 'class="badge badge-sample"' in html
    for text in ("信用监督管理处", "每日", "浙江省", "2019-01-01 – 至今", "政务数据共享使用条款"):
        assert text in html, text
    assert 'href="mailto:credit-data@scjgj.zj.sample.invalid"' in html
    schema = section(html, 'class="schema"', "</table>")
    assert schema.count("<tr data-column=") == 8
    assert re.search(
        r'data-column="legal_representative" data-personal="identifier">.*?直接标识符', schema, re.S
    )
    assert 'data-column="credit_code" data-personal="none"' in schema
    assert 'href="/api/3/action/package_show?id=zj-enterprise-credit-sample"' in html
    assert 'href="/api/v1/catalog/dcat.ttl"' in html
    assert "尚未上传数据，暂无质量报告" in html
    # the export links work
    for href in re.findall(r'<li><a href="(/api/[^"]+)"', html):
        assert client.get(htmllib.unescape(href)).status_code == 200, href


def test_not_shared_resource_shows_its_reason(client: TestClient, session: Session) -> None:
    res = exchange_service.get_resource(session, "js-social-security-card-holders-sample")
    assert res.not_shared_reason
    html = client.get("/catalog/js-social-security-card-holders-sample").text
    assert "不予共享理由" in html
    assert htmllib.escape(res.not_shared_reason, quote=False) in html


@pytest.mark.usefixtures("credit_history")
def test_resource_page_shows_versions_and_quality(client: TestClient) -> None:
    html = client.get(f"/catalog/{CREDIT}").text
    versions = section(html, 'id="versions"')
    assert re.findall(r'<tr data-version="(\d+)">', versions) == ["3", "2", "1"]
    assert "zj.steward" in versions
    assert "加入关键词“信用等级”" in versions
    assert "上传数据 4 行（CSV）" in versions
    assert 'href="/catalog/zj-enterprise-credit-sample/diff?from=2&amp;to=3"' in versions
    quality = section(html, 'aria-labelledby="quality-title"')
    assert "4 行 · 数据第 3 版" in quality
    # 8 columns x 4 rows, two cells empty
    assert "93.8%" in quality
    assert re.search(r'data-column="legal_representative">.*?75\.0%', quality, re.S)
    assert 'data-freshness="fresh"' in quality
    assert "每周" in quality
    kpis = section(html, 'class="kpis"')
    assert "v3" in kpis
    assert ">4<" in kpis


@pytest.mark.usefixtures("credit_history")
def test_diff_view_lists_field_old_and_new(client: TestClient) -> None:
    resp = client.get(f"/catalog/{CREDIT}/diff", params={"from": "1", "to": "2"})
    assert resp.status_code == 200
    html = resp.text
    assert "第 1 版 → 第 2 版" in html
    fields = re.findall(r'<tr data-field="(\w+)">', html)
    assert fields == ["frequency", "keywords"]
    row = section(html, 'data-field="frequency"', "</tr>")
    assert "每日" in row
    assert "每周" in row
    assert "新增：信用等级" in section(html, 'data-field="keywords"', "</tr>")
    # default: the last change (data upload, no row keys shown)
    last = client.get(f"/catalog/{CREDIT}/diff").text
    assert re.findall(r'<tr data-field="(\w+)">', last) == ["data"]
    assert "数据第 3 版，4 行" in last
    assert "TEST00000000000001" not in last
    # any order, in English
    back = client.get(f"/catalog/{CREDIT}/diff?from=3&to=1&lang=en").text
    assert "version 3 → version 1" in back
    assert "Update frequency" in back


@pytest.mark.usefixtures("credit_history")
@pytest.mark.parametrize("params", [{"from": "9"}, {"to": "x"}, {"from": "0", "to": "-2"}])
def test_diff_with_bad_versions_gives_a_notice(client: TestClient, params: dict[str, str]) -> None:
    resp = client.get(f"/catalog/{CREDIT}/diff", params=params)
    assert resp.status_code == 200
    assert "没有第“" in resp.text
    assert "There is no version “" in resp.text


def test_diff_of_a_resource_with_one_version(client: TestClient) -> None:
    resp = client.get(f"/catalog/{CREDIT}/diff", params={"from": "1", "to": "2"})
    assert resp.status_code == 200
    assert "只有一个版本" in resp.text


def test_unknown_resource_is_a_bilingual_404(client: TestClient) -> None:
    for ref in ("no-such-resource", "00000000-0000-0000-0000-000000000000", "<b>x<\\b>", "a" * 300):
        for path in (f"/catalog/{ref}", f"/catalog/{ref}/diff"):
            resp = client.get(path)
            assert resp.status_code == 404, path
            assert "页面不存在" in resp.text
            assert "Page not found" in resp.text
            assert "数据共享目录中没有" in resp.text
            assert "The data-sharing catalog has no resource" in resp.text
            assert "<b>x" not in resp.text
            assert 'href="/catalog"' in resp.text


def test_resource_by_id_and_by_name(client: TestClient, session: Session) -> None:
    rid = exchange_service.get_resource(session, CREDIT).id
    assert client.get(f"/catalog/{rid}").status_code == 200
    html = client.get("/catalog").text
    assert f'href="/catalog/{CREDIT}"' in html


def test_catalog_pages_fetch_nothing_from_other_hosts(client: TestClient) -> None:
    for url in ("/catalog", f"/catalog/{CREDIT}", f"/catalog/{CREDIT}/diff", "/catalog/x"):
        html = client.get(url).text
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), url


def test_a_chosen_value_without_matches_stays_listed(client: TestClient) -> None:
    html = client.get("/catalog", params={"owner": "CN-YRD/GOV/999999/NONE"}).text
    assert results(html) == []
    assert 'class="facet-link is-active"' in html  # the chosen owner stays listed to be dropped


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (CREDIT, "提供单位须在 10 个工作日内审核答复"),
        ("sh-medical-institutions-sample", "平台按共享属性立即授权"),
        ("js-social-security-card-holders-sample", "申请将被自动拒绝"),
    ],
)
def test_access_panel_explains_the_sharing_class_and_lists_nothing_private(
    client: TestClient, name: str, text: str
) -> None:
    html = client.get(f"/catalog/{name}").text
    panel = section(html, 'data-panel="access"')
    assert text in panel
    assert "GET /api/v1/exchange/requests" in panel  # the party-only list is elsewhere


def test_access_requests_stay_off_the_public_page(
    client: TestClient, session: Session, clock: Clock
) -> None:
    consumer = "CN-YRD/GOV/310000/SCJG"
    analyst = Principal("sh.analyst", {consumer: frozenset({Role.ANALYST})})
    exchange.request_access(
        session,
        AccessRequestCreate(
            resource=CREDIT,
            consumer_member=consumer,
            purpose_code=PurposeCode.MARKET_REGULATION,
            purpose_zh="跨区域联合惩戒名单比对（测试）",
            legal_basis="《政务数据共享条例》第十四条",
            fields=["credit_code", "credit_grade"],
        ),
        principal=analyst,
        clock=clock,
        policy=AccessPolicy(),
    )
    html = client.get(f"/catalog/{CREDIT}").text
    assert "跨区域联合惩戒名单比对" not in html
    assert "sh.analyst" not in html
