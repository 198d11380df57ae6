"""Exchange pages over HTTP: the public flow map, sign-in, CSRF, request -> approve -> grant."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.exchange.service.gateway import LEDGER_KIND
from dyrd.trust import service as trust_service
from dyrd.web import auth, flowspage
from tests.web.conftest import CREDIT

SH_WJW = "CN-YRD/GOV/310000/WJW"
ZJ = "CN-YRD/GOV/330000"
ZJ_SCJG = "CN-YRD/GOV/330000/SCJG"
AH_DSJ = "CN-YRD/GOV/340000/DSJ"
JS_DSJ = "CN-YRD/GOV/320000/DSJ"
SECRET_PURPOSE = "核查张三（身份证 330102199001011234）的企业任职情况"


def make_user(session: Session, clock: Clock, username: str, member: str, role: str) -> str:
    """A user with one role and a fresh API token (its secret)."""
    trust_service.create_user(
        session, username=username, member_id=member, role=role, by=Actor.system(), clock=clock
    )
    return trust_service.create_token(
        session, username, days=7, by=Actor.system(), clock=clock
    ).token


def gateway_entry(session: Session, clock: Clock, client: str, provider: str, outcome: str) -> None:
    """One ledger entry as the provider's gateway writes it for an exchange."""
    ledger.append(
        session,
        kind=LEDGER_KIND,
        subject="msg-1",
        actor=Actor(user="someone", member=client[:128]),
        payload={
            "outcome": outcome,
            "status": 200 if outcome == "answered" else 403,
            "reason": "ok" if outcome == "answered" else "no-grant",
            "client": client,
            "provider": provider,
            "user_id": "someone",
        },
        clock=clock,
    )
    session.commit()


def csrf(client: TestClient) -> str:
    """The CSRF value of the browser (set by any page)."""
    value = client.cookies.get(auth.CSRF_COOKIE)
    if value is None:
        client.get("/signin")
        value = client.cookies.get(auth.CSRF_COOKIE)
    assert value
    return value


def sign_in(client: TestClient, token: str) -> None:
    resp = client.post(
        "/signin",
        data={"token": token, "csrf": csrf(client), "next": "/exchange/requests"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/exchange/requests"


def sign_out(client: TestClient) -> None:
    resp = client.post("/signout", data={"csrf": csrf(client)}, follow_redirects=False)
    assert resp.status_code == 303


def table_counts(html: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(consumer, provider) -> (answered, refused, total) from the flows table."""
    out = {}
    for c, p, body in re.findall(
        r'<tr data-consumer="([^"]+)" data-provider="([^"]+)">(.*?)</tr>', html, re.S
    ):
        nums = dict(re.findall(r'data-field="(\w+)">(\d+)<', body))
        out[(c, p)] = (int(nums["answered"]), int(nums["refused"]), int(nums["total"]))
    return out


def arc_counts(html: str) -> dict[tuple[str, str, str], int]:
    return {
        (s, d, o): int(n)
        for s, d, o, n in re.findall(
            r'data-source="(\d+)" data-target="(\d+)" data-outcome="(\w+)" data-count="(\d+)"',
            html,
        )
    }


# --- the public flow map -----------------------------------------------------------------------


def test_no_exchanges_says_so_and_invents_nothing(client: TestClient) -> None:
    resp = client.get("/exchange")
    assert resp.status_code == 200
    html = resp.text
    assert "暂无数据交换" in html
    assert 'class="arc ' not in html
    assert table_counts(html) == {}
    assert html.count('class="flow-regions"') == 1
    assert html.count("<path d=") >= 41  # the dimmed boundaries of the 41 cities
    assert len(re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="6" data-code="', html)) == 4
    assert "No exchanges yet" in client.get("/exchange?lang=en").text


def test_flow_counts_equal_the_gateway_entries_of_the_ledger(
    client: TestClient, session: Session, clock: Clock
) -> None:
    for _ in range(3):
        gateway_entry(session, clock, SH_WJW, ZJ_SCJG, "answered")
    gateway_entry(session, clock, SH_WJW, ZJ_SCJG, "refused")
    gateway_entry(session, clock, AH_DSJ, JS_DSJ, "refused")
    gateway_entry(session, clock, ZJ_SCJG, ZJ, "answered")  # inside one jurisdiction: a loop
    gateway_entry(session, clock, "<b>forged</b>", ZJ_SCJG, "refused")  # never verified
    ledger.append(  # other kinds are not exchanges
        session,
        kind=ledger.EntryKind.CATALOG_CHANGE,
        subject="x",
        actor=Actor.system(),
        payload={"client": SH_WJW, "provider": ZJ_SCJG},
        clock=clock,
    )
    session.commit()
    html = client.get("/exchange").text
    assert "暂无数据交换" not in html
    assert table_counts(html) == {
        (SH_WJW, ZJ_SCJG): (3, 1, 4),
        (AH_DSJ, JS_DSJ): (0, 1, 1),
        (ZJ_SCJG, ZJ): (1, 0, 1),
        ("-", ZJ_SCJG): (0, 1, 1),
    }
    assert arc_counts(html) == {
        ("310000", "330000", "answered"): 3,
        ("310000", "330000", "refused"): 1,
        ("340000", "320000", "refused"): 1,
        ("330000", "330000", "answered"): 1,
    }
    assert "forged" not in html
    assert "未经验证的请求方" in html
    assert "另有 1 次交换无法定位" in html
    # the widest arc is the busiest pair
    widths = dict(re.findall(r'stroke-width="([\d.]+)"[^>]*data-count="(\d+)"', html))
    assert float(max(widths, key=lambda w: int(widths[w]))) == flowspage.MAX_ARC_WIDTH
    # appended later: read incrementally, counted once
    gateway_entry(session, clock, SH_WJW, ZJ_SCJG, "answered")
    html = client.get("/exchange").text
    assert table_counts(html)[(SH_WJW, ZJ_SCJG)] == (4, 1, 5)
    assert arc_counts(html)[("310000", "330000", "answered")] == 4


@pytest.mark.usefixtures("catalog")
def test_the_public_page_shows_request_counts_only(
    client: TestClient, session: Session, clock: Clock
) -> None:
    token = make_user(session, clock, "sh.analyst", SH_WJW, "analyst")
    sign_in(client, token)
    resp = client.post(
        f"/catalog/{CREDIT}/request",
        data={
            "csrf": csrf(client),
            "consumer_member": SH_WJW,
            "purpose_code": "market_regulation",
            "purpose_zh": SECRET_PURPOSE,
            "legal_basis": "《政务数据共享条例》第十四条",
            "fields": ["credit_code", "legal_representative"],
            "duration_days": "30",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    sign_out(client)
    html = client.get("/exchange").text
    counts = dict(
        re.findall(r'<tr data-status="(\w+)"><td>[^<]+</td><td class="num mono">(\d+)<', html)
    )
    assert counts == {"pending": "1", "granted": "0", "refused": "0", "overdue": "0"}
    for private in (SECRET_PURPOSE, "张三", "sh.analyst", "credit_code", "legal_representative"):
        assert private not in html


# --- sign-in, CSRF ------------------------------------------------------------------------------


def test_sign_in_with_a_real_token_sets_a_strict_httponly_cookie(
    client: TestClient, session: Session, clock: Clock
) -> None:
    token = make_user(session, clock, "zj.steward", ZJ, "data_steward")
    form = client.get("/signin").text
    assert 'name="csrf"' in form
    resp = client.post(
        "/signin", data={"token": token, "csrf": csrf(client)}, follow_redirects=False
    )
    assert resp.status_code == 303
    cookie = next(
        h for h in resp.headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http in the test; set over https
    page = client.get("/").text
    assert 'data-user="zj.steward"' in page
    assert 'href="/exchange/requests"' in page
    assert client.get("/exchange/requests").status_code == 200
    sign_out(client)
    assert 'data-signed-in="false"' in client.get("/").text


def test_the_cookie_is_secure_over_https(
    client: TestClient, session: Session, clock: Clock
) -> None:
    token = make_user(session, clock, "zj.steward", ZJ, "data_steward")
    client.base_url = client.base_url.copy_with(scheme="https")
    client.get("/signin")
    resp = client.post(
        "/signin", data={"token": token, "csrf": csrf(client)}, follow_redirects=False
    )
    assert resp.status_code == 303
    cookie = next(
        h for h in resp.headers.get_list("set-cookie") if h.startswith(auth.SESSION_COOKIE)
    )
    assert "Secure" in cookie


def test_a_bad_token_is_refused(client: TestClient) -> None:
    resp = client.post("/signin", data={"token": "dyrd_not-a-real-token", "csrf": csrf(client)})
    assert resp.status_code == 401
    assert "令牌无效、已过期或已被吊销" in resp.text
    assert "The token is unknown, expired or revoked" in resp.text
    assert auth.SESSION_COOKIE not in resp.cookies
    assert 'data-signed-in="false"' in resp.text


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, clock: Clock
) -> None:
    token = make_user(session, clock, "zj.steward", ZJ, "data_steward")
    client.get("/signin")
    for data in ({"token": token}, {"token": token, "csrf": "x" * 43}):
        resp = client.post("/signin", data=data, follow_redirects=False)
        assert resp.status_code == 403
        assert "防伪令牌" in resp.text
        assert "CSRF" in resp.text
    sign_in(client, token)
    resp = client.post("/signout", data={}, follow_redirects=False)
    assert resp.status_code == 403
    assert 'data-user="zj.steward"' in client.get("/").text


def test_request_pages_need_sign_in(client: TestClient) -> None:
    for url in ("/exchange/requests", "/exchange/requests/abc"):
        resp = client.get(url, follow_redirects=False)
        assert resp.status_code == 303
        assert resp.headers["location"].startswith("/signin?next=")
    page = client.get("/exchange/requests").text  # followed
    assert "请先登录" in page
    assert "Please sign in first" in page
    resp = client.post(f"/catalog/{CREDIT}/request", data={}, follow_redirects=False)
    assert resp.status_code == 303


def test_sign_in_returns_only_to_local_pages() -> None:
    assert auth.safe_next("/exchange/requests/1") == "/exchange/requests/1"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", None, "", "x"):
        assert auth.safe_next(bad) == "/exchange/requests"


# --- request -> approve -> grant -----------------------------------------------------------------


def submit_as_consumer(client: TestClient, token: str) -> str:
    """Sign in, fail once, submit the request, check the consumer's view; the request id."""
    resource = client.get(f"/catalog/{CREDIT}").text
    assert 'id="request-form"' not in resource
    assert "登录后可在本页直接提交申请" in resource

    sign_in(client, token)
    resource = client.get(f"/catalog/{CREDIT}").text
    assert 'id="request-form"' in resource
    assert f'<option value="{SH_WJW}">' in resource
    # a request the service refuses (a field the resource does not have) is a notice, not a 500
    bad = client.post(
        f"/catalog/{CREDIT}/request",
        data={
            "csrf": csrf(client),
            "consumer_member": SH_WJW,
            "purpose_code": "market_regulation",
            "purpose_zh": "市场监管执法",
            "legal_basis": "《政务数据共享条例》第十四条",
            "fields": ["no_such_column"],
            "duration_days": "30",
        },
        follow_redirects=False,
    )
    assert bad.status_code == 400
    assert 'class="notice"' in bad.text
    assert "no_such_column" in bad.text
    resp = client.post(
        f"/catalog/{CREDIT}/request",
        data={
            "csrf": csrf(client),
            "consumer_member": SH_WJW,
            "purpose_code": "market_regulation",
            "purpose_zh": "市场监管执法",
            "legal_basis": "《政务数据共享条例》第十四条",
            "fields": ["credit_code", "enterprise_name", "credit_grade"],
            "duration_days": "60",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    detail_url = resp.headers["location"].split("?")[0]
    request_id = detail_url.rsplit("/", 1)[1]
    detail = client.get(resp.headers["location"]).text
    assert "申请已提交" in detail
    assert 'id="approve-form"' not in detail  # the consumer cannot answer
    mine = client.get("/exchange/requests").text
    assert f'data-id="{request_id}" data-status="pending"' in mine
    # the consumer trying to approve is told why, not served an error page
    denied = client.post(
        f"{detail_url}/decision",
        data={"csrf": csrf(client), "decision": "approve", "fields": ["credit_code"]},
    )
    assert denied.status_code == 403
    assert "data_steward" in denied.text
    sign_out(client)
    return request_id


@pytest.mark.usefixtures("catalog")
def test_request_and_approve_through_the_forms_make_a_grant(
    client: TestClient, session: Session, clock: Clock
) -> None:
    consumer = make_user(session, clock, "sh.analyst", SH_WJW, "analyst")
    owner = make_user(session, clock, "zj.steward", ZJ, "data_steward")

    request_id = submit_as_consumer(client, consumer)
    detail_url = f"/exchange/requests/{request_id}"

    sign_in(client, owner)
    theirs = client.get("/exchange/requests").text
    assert 'data-side="owner"' in theirs
    assert f'data-id="{request_id}" data-status="pending"' in theirs
    detail = client.get(detail_url).text
    assert 'id="approve-form"' in detail
    assert detail.count('type="checkbox" name="fields"') == 3
    # refusing needs a reason
    no_reason = client.post(
        f"{detail_url}/decision", data={"csrf": csrf(client), "decision": "refuse", "reason": " "}
    )
    assert no_reason.status_code == 400
    assert "拒绝申请须填写理由" in no_reason.text
    # without the CSRF field nothing happens
    forged = client.post(
        f"{detail_url}/decision", data={"decision": "approve", "fields": ["credit_code"]}
    )
    assert forged.status_code == 403
    approved = client.post(
        f"{detail_url}/decision",
        data={
            "csrf": csrf(client),
            "decision": "approve",
            "fields": ["credit_code", "credit_grade"],
            "duration_days": "30",
        },
        follow_redirects=False,
    )
    assert approved.status_code == 303
    detail = client.get(approved.headers["location"]).text
    assert "已批准" in detail
    assert 'data-status="granted"' in detail
    grant_id = re.search(r'data-grant="([^"]+)"', detail)
    assert grant_id
    listing = client.get("/exchange/requests").text
    assert f'data-id="{request_id}" data-status="granted"' in listing
    grants = listing[listing.index('class="grants"') :]
    assert f'data-id="{grant_id.group(1)}" data-status="active"' in grants
    assert "credit_code" in grants
    assert "enterprise_name" not in grants  # narrowed by the owner
    # answering twice is a notice (409), not an error page
    again = client.post(
        f"{detail_url}/decision",
        data={"csrf": csrf(client), "decision": "refuse", "reason": "晚了"},
    )
    assert again.status_code == 409
    assert 'class="notice"' in again.text


def test_an_unknown_request_is_a_notice(client: TestClient, session: Session, clock: Clock) -> None:
    sign_in(client, make_user(session, clock, "zj.steward", ZJ, "data_steward"))
    resp = client.get("/exchange/requests/00000000-0000-0000-0000-000000000000")
    assert resp.status_code == 404
    assert 'class="notice"' in resp.text
