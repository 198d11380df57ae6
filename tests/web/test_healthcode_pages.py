"""Health-code dashboard pages over HTTP: colour map, rule browser, checkpoint, trust list."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.credential import HashType
from dyrd.credential.revocation_schemas import RevocationCreate
from dyrd.credential.service import revocation
from dyrd.healthcode import service as hc
from dyrd.healthcode.models import RuleVersion
from dyrd.trust import service as trust_service
from dyrd.web import checkpointpage, healthcodepage
from tests.fakes import InMemoryKeyStore
from tests.web import hc_support
from tests.web.test_pages import regions

ROW = re.compile(r'<tr data-code="(\d{6})">(.*?)</tr>', re.S)
CELL = re.compile(r'data-(?:colour|field)="(\w+)">([^<]*)<')
ZJ = "CN-YRD/GOV/330000"


def count_rows(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """Cells of a colour-count table by row code."""
    start = html.index(f'id="{table_id}"')
    table = html[start : html.index("</table>", start)]
    return {code: dict(CELL.findall(body)) for code, body in ROW.findall(table)}


@pytest.fixture
def keystore(session: Session, clock: Clock, app: FastAPI) -> InMemoryKeyStore:
    """Keys and signed sample rules, the keys also wired into the app."""
    store = hc_support.keys_and_rules(session, clock)
    app.state.trust_keystore = store
    return store


@pytest.fixture
def world(keystore: InMemoryKeyStore, session: Session, clock: Clock) -> hc_support.World:
    return hc_support.residents(session, clock)


# --- colour map ----------------------------------------------------------------------------------


def test_without_residents_the_map_says_so_and_shows_no_numbers(client: TestClient) -> None:
    resp = client.get("/healthcode")
    assert resp.status_code == 200, resp.text
    html = resp.text
    assert "尚无登记居民" in html
    assert 'id="hc-cities"' not in html
    assert 'id="hc-jurisdictions"' not in html
    paths = regions(html)
    assert len(paths) == 41
    assert all(p["data-value"] == "" and p["fill"] == "url(#nodata)" for p in paths.values())
    assert 'class="kpi-value">—<' in html  # residents: none counted, none invented


def test_colours_are_counted_per_city_and_jurisdiction(
    client: TestClient, world: hc_support.World
) -> None:
    html = client.get("/healthcode").text
    assert "尚无登记居民" not in html
    cities = count_rows(html, "hc-cities")
    assert cities == {
        "330100": {"green": "1", "yellow": "1", "red": "1", "total": "3", "share": "66.7%"},
        "310000": {"green": "1", "yellow": "0", "red": "0", "total": "1", "share": "0.0%"},
    }
    juris = count_rows(html, "hc-jurisdictions")
    assert juris["330000"] == cities["330100"]
    assert juris["310000"]["green"] == "2"  # SH-2 has no stay: counted in the jurisdiction only
    assert "另有 1 名居民没有行程记录" in html
    paths = regions(html)
    assert float(paths["330100"]["data-value"]) == pytest.approx(2 / 3)
    assert float(paths["310000"]["data-value"]) == 0.0
    assert paths["320100"]["fill"] == "url(#nodata)"  # Nanjing: nobody placed there
    warm = set(healthcodepage.HEALTH_PALETTE.values())
    assert paths["330100"]["fill"] in warm
    assert paths["310000"]["fill"] in warm
    assert paths["330100"]["fill"] != paths["310000"]["fill"]
    assert '<a href="/healthcode" aria-current="page">健康码</a>' in html


def test_the_map_page_in_english(client: TestClient, world: hc_support.World) -> None:
    html = client.get("/healthcode?lang=en").text
    assert "Health-code colours" in html
    assert "Share of yellow and red codes" in html
    assert "Hangzhou" in html
    assert "1 more residents have no recorded stay" in html


def test_the_map_is_computed_once_per_version_of_its_inputs(
    client: TestClient, app: FastAPI, world: hc_support.World, session: Session, clock: Clock
) -> None:
    first = client.get("/healthcode?lang=en").text
    assert client.get("/healthcode?lang=zh").status_code == 200
    cache = app.state.healthcode_map_cache
    assert cache.computed == 1  # two views (two languages), one computation
    assert count_rows(first, "hc-cities")["310000"]["total"] == "1"
    hc_support._stay(session, clock, world.ids["SH-2"], hc_support.SHANGHAI)  # a new input
    session.commit()
    again = client.get("/healthcode?lang=en").text
    assert cache.computed == 2
    assert count_rows(again, "hc-cities")["310000"]["total"] == "2"


def test_a_rule_that_fails_its_signature_stops_the_map_and_is_flagged(
    client: TestClient, world: hc_support.World, session: Session
) -> None:
    row = session.query(RuleVersion).filter_by(rule_id="ZJ-HC-002", version=1).one()
    row.document = {**row.document, "colour": "green"}
    session.flush()
    html = client.get("/healthcode").text
    assert "验签失败" in html
    assert 'id="hc-cities"' not in html
    rules = client.get("/healthcode/rules").text
    tampered = re.search(r'data-rule="ZJ-HC-002" data-version="1" data-signature="(\w+)"', rules)
    assert tampered is not None
    assert tampered.group(1) == "bad"
    assert 'data-rule="ZJ-HC-001" data-version="1" data-signature="ok"' in rules


# --- rule browser --------------------------------------------------------------------------------


def test_rule_browser_lists_every_version_with_dates_explanations_and_logic(
    client: TestClient, keystore: InMemoryKeyStore
) -> None:
    resp = client.get("/healthcode/rules")
    assert resp.status_code == 200
    html = resp.text
    assert len(re.findall(r'<article class="rule"', html)) == 21
    assert html.count('data-signature="ok"') == 21
    for code in hc_support.JURISDICTIONS:
        assert f'data-jurisdiction="{code}"' in html
    assert 'data-rule="ZJ-HC-003" data-version="1"' in html
    assert 'data-rule="ZJ-HC-003" data-version="2"' in html
    assert "2020-01-20 – 2020-02-01" in html  # ZJ-HC-003 v1 ended
    assert "2020-02-01 – 至今" in html
    assert "示例：被列为密切接触者且未解除为红码。" in html
    assert "Sample: an active close-contact flag gives red." in html
    assert "{contact.since} 起被列为密切接触者" in html
    assert "样例" in html  # every sample rule is labelled as a sample
    # The CertLogic is indented JSON (escaped for HTML).
    assert "{\n  &#34;var&#34;: &#34;contact.flagged&#34;\n}" in html
    assert "现行" in html
    assert "未生效或已失效" in html


def test_rule_browser_filters_by_jurisdiction_and_refuses_nonsense(
    client: TestClient, keystore: InMemoryKeyStore
) -> None:
    html = client.get("/healthcode/rules?jurisdiction=330000").text
    assert len(re.findall(r'<article class="rule"', html)) == 6
    assert 'data-jurisdiction="310000"' not in html
    html = client.get("/healthcode/rules?jurisdiction=999999&lang=en").text
    assert "“999999” is not a YRD jurisdiction" in html
    assert len(re.findall(r'<article class="rule"', html)) == 21


def test_rule_browser_without_rules_says_how_to_load_them(client: TestClient) -> None:
    html = client.get("/healthcode/rules").text
    assert "尚未发布赋码规则" in html
    assert '<article class="rule"' not in html


# --- checkpoint ----------------------------------------------------------------------------------


@pytest.fixture
def officer(
    keystore: InMemoryKeyStore, client: TestClient, session: Session, clock: Clock
) -> TestClient:
    """The client signed in as a Shanghai checkpoint officer (viewer of 310000).

    After ``keystore``: the DSCs exist before the app starts, as the embedded trust list is
    read once and kept for a while.
    """
    token = hc_support.checkpoint_officer(session, clock)
    client.get("/signin")
    resp = client.post(
        "/signin",
        data={"token": token, "csrf": csrf_of(client), "next": checkpointpage.PATH},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return client


def csrf_of(client: TestClient) -> str:
    value = client.cookies.get("dyrd_csrf")
    assert value
    return value


def post_code(
    client: TestClient, *, text: str = "", jurisdiction: str = "310000", png: bytes = b""
) -> Any:  # the test client's response
    files: dict[str, tuple[str | None, str | bytes] | tuple[str, bytes, str]] = {
        "csrf": (None, csrf_of(client)),
        "text": (None, text),
        "jurisdiction": (None, jurisdiction),
    }
    if png:
        files["image"] = ("code.png", png, "image/png")
    return client.post(checkpointpage.PATH, files=files)


def steps_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))


def test_checkpoint_form_has_the_four_jurisdictions_and_a_csrf_field(client: TestClient) -> None:
    resp = client.get(checkpointpage.PATH)
    assert resp.status_code == 200
    html = resp.text
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'name="csrf" value="[A-Za-z0-9_-]{32,}"', html)
    for name in ("上海市", "江苏省", "浙江省", "安徽省"):
        assert name in html
    assert 'name="image" type="file"' in html
    assert 'id="cp-signin"' in html  # verifying needs a sign-in; the page says so up front


def test_checkpoint_refuses_a_post_without_csrf(client: TestClient) -> None:
    resp = client.post(
        checkpointpage.PATH, files={"text": (None, "HC1:X"), "jurisdiction": (None, "310000")}
    )
    assert resp.status_code == 403


def test_checkpoint_needs_a_signed_in_officer(client: TestClient) -> None:
    client.get(checkpointpage.PATH)
    resp = post_code(client, text="HC1:X")
    assert resp.status_code == 401
    assert "核验需以核验地的查看者" in resp.text
    assert 'id="verdict" data-valid' not in resp.text


def test_checkpoint_asks_for_input_and_a_real_jurisdiction(officer: TestClient) -> None:
    resp = post_code(officer, text="  ")
    assert resp.status_code == 422
    assert "请粘贴二维码文本或选择一张图片" in resp.text
    resp = post_code(officer, text="HC1:X", jurisdiction="990000")
    assert resp.status_code == 422
    assert "请选择长三角四省市之一作为核验地" in resp.text


def test_checkpoint_shows_a_failing_step_for_garbage(officer: TestClient) -> None:
    resp = post_code(officer, text="not a health code")
    assert resp.status_code == 200, resp.text
    html = resp.text
    assert 'data-valid="false"' in html
    steps = steps_of(html)
    assert steps["prefix"] == "fail"
    assert steps["signature"] == steps["policy"] == "skip"
    assert "不通过" in html
    assert "data-colour=" not in html


def test_checkpoint_refuses_a_jurisdiction_the_officer_does_not_hold(
    officer: TestClient,
) -> None:
    resp = post_code(officer, text="HC1:X", jurisdiction="330000")
    assert resp.status_code == 403
    assert "核验服务暂不可用" in resp.text
    assert "CN-YRD/GOV/330000" in resp.text


def test_checkpoint_accepts_a_fresh_zhejiang_code_in_shanghai_and_logs_it(
    officer: TestClient,
    world: hc_support.World,
    keystore: InMemoryKeyStore,
    session: Session,
    clock: Clock,
) -> None:
    rid = world.ids["ZJ-1"]
    code = hc_support.issue(session, clock, keystore, rid)
    by_text = post_code(officer, text=code.text)
    by_image = post_code(officer, png=base64.b64decode(code.png_base64))
    for resp in (by_text, by_image):
        assert resp.status_code == 200, resp.text
        html = resp.text
        steps = steps_of(html)
        assert 'data-valid="true"' in html, steps
        # Key usage does not apply to our claim set (no EU DCC type): "–", not a pass.
        assert steps.pop("key_usage") == "skip"
        assert set(steps.values()) == {"pass"}, steps
        assert list(steps)[-2:] == ["revocation", "policy"]
        assert (
            '<span class="badge colour-badge colour-green" data-colour="green">绿码</span>' in html
        )
        assert 'data-field="issuer">浙江省<' in html
        assert re.search(r'data-field="policy">SH-ACC-\d{3} 第 \d+ 版<', html)
        assert "姓名首字母 ZS，出生年份 1985" in html
        assert 'id="cp-logged"' in html
    log = hc.access_log(session, rid, principal=hc_support.STEWARD)
    checks = [a for a in log if a.user == hc_support.OFFICER]
    assert len(checks) == 2
    assert {a.member for a in checks} == {hc_support.OFFICER_MEMBER}


def test_checkpoint_in_english_keeps_both_reasons(
    officer: TestClient,
    world: hc_support.World,
    keystore: InMemoryKeyStore,
    session: Session,
    clock: Clock,
) -> None:
    code = hc_support.issue(session, clock, keystore, world.ids["ZJ-2"])  # red
    officer.get(f"{checkpointpage.PATH}?lang=en")
    html = post_code(officer, text=code.text).text
    assert 'data-valid="false"' in html  # Shanghai's policy refuses a red code
    assert 'data-colour="red">Red<' in html
    assert steps_of(html)["policy"] == "fail"
    primary = re.search(r'class="reason-primary">([^<]+)<', html)
    secondary = re.search(r'reason-secondary" lang="zh-CN">([^<]+)<', html)
    assert primary is not None
    assert secondary is not None
    assert primary.group(1).isascii()
    assert not secondary.group(1).isascii()


# --- trust list and revocation -------------------------------------------------------------------


def test_trust_page_before_any_certificate(client: TestClient) -> None:
    resp = client.get("/healthcode/trust")
    assert resp.status_code == 200
    html = resp.text
    assert 'data-field="version">0<' in html
    assert 'id="csca-none"' in html
    assert 'id="dsc-none"' in html
    assert 'id="rv-none"' in html
    assert 'id="sync-none"' in html  # embedded: no sync of other issuers' lists
    assert 'id="tl-copy-local"' in html  # ... and no synced copy of the trust list


def test_trust_page_lists_csca_dscs_with_kid_and_status_and_revocations(
    client: TestClient, session: Session, clock: Clock, app: FastAPI
) -> None:
    store = InMemoryKeyStore()
    app.state.trust_keystore = store
    trust_service.init_default_keys(session, keystore=store, clock=clock)
    first = trust_service.issue_certificate(
        session, ZJ, keystore=store, by=Actor.system(), clock=clock
    )
    trust_service.rotate_key(
        session, ZJ, algorithm="ES256", keystore=store, by=Actor.system(), clock=clock
    )
    second = trust_service.issue_certificate(
        session, ZJ, keystore=store, by=Actor.system(), clock=clock
    )
    revocation.revoke(
        session,
        RevocationCreate(
            issuer_member=ZJ,
            reason="test",
            kid=base64.b64decode(second.active.kid).hex(),  # only ZJ's own kid may be revoked
            hash_type=HashType.SIGNATURE,
            hash="11" * 16,
        ),
        by=Actor.system(),
        clock=clock,
    )
    html = client.get("/healthcode/trust").text
    info = trust_service.trust_list_info(session)
    assert f'data-field="version">{info.version}<' in html
    assert info.entries_sha256 in html
    assert 'id="cscas"' in html
    for cert, status in ((first.active, "retired"), (second.active, "active")):
        kid = hashlib.sha256(base64.b64decode(cert.der)).digest()[:8].hex()
        assert f'data-status="{status}" data-kid="{kid}"' in html
    assert "浙江省" in html
    row = re.search(r'<tr data-issuer="CN-YRD/GOV/330000">(.*?)</tr>', html, re.S)
    assert row is not None
    assert 'data-field="version">1<' in row.group(1)
    assert 'data-field="standing">1<' in row.group(1)
    assert 'data-field="partitions">1<' in row.group(1)
    assert "test" not in row.group(1)  # reasons stay with the issuer


def test_navigation_links_the_health_code_pages_in_both_languages(client: TestClient) -> None:
    for lang, label in (("zh", "健康码"), ("en", "Health codes")):
        html = client.get(f"/?lang={lang}").text
        assert f'<a href="/healthcode" >{label}</a>' in html
    html = client.get("/healthcode/trust?lang=en").text
    for href in ("/healthcode", "/healthcode/rules", "/healthcode/checkpoint"):
        assert f'href="{href}"' in html
    assert '<a href="/healthcode/trust" aria-current="page">Trust list &amp; revocation</a>' in html


class _Status:
    """A stand-in for a federated node's sync clients: only ``status()``."""

    def __init__(self, value: object) -> None:
        self.value = value

    def status(self) -> object:
        return self.value


def test_trust_page_on_a_federated_node_shows_both_syncs(client: TestClient, app: FastAPI) -> None:
    when = datetime(2026, 11, 26, 7, 55, tzinfo=UTC)
    issuer = SimpleNamespace(
        issuer=ZJ, version=3, entries=2, last_success_at=when, last_error="timed out",
        ignored_foreign=4,
    )  # fmt: skip
    app.state.credential_revocation_client = _Status(
        SimpleNamespace(state="stale", interval=300.0, issuers=(issuer,))
    )
    app.state.healthcode_trust_list = _Status(
        SimpleNamespace(
            state=SimpleNamespace(value="fresh"),
            version=7,
            expires_at=when + timedelta(hours=48),
            last_success_at=when,
            last_error=None,
        )
    )
    html = client.get("/healthcode/trust?lang=en").text
    assert 'data-field="sync-state"' in html
    assert "stale" in html
    assert "Interval (s): 300<" in html
    assert "2026-11-26 15:55:00" in html  # Beijing time
    assert "timed out" in html
    assert 'data-field="copy-state">fresh<' in html
    assert "2026-11-28 15:55:00" in html
    assert 'id="sync-none"' not in html
    assert 'id="tl-copy-local"' not in html
    assert f'data-field="ignored-{ZJ}">4<' in html  # trust-list entries not honoured, and why
    assert "so they are not honoured" in html
    zh = client.get("/healthcode/trust?lang=zh").text
    assert "不予采信" in zh
    issuer.ignored_foreign = 0
    assert 'id="sync-ignored"' not in client.get("/healthcode/trust?lang=en").text
