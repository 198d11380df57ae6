"""Catalog data for the data-sharing pages, a live dashboard on 127.0.0.1 (uvicorn in a thread)
and a headless Chromium to drive it."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy.orm import Session

from dyrd import bootstrap, ledger
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.core.types import Role
from dyrd.exchange import ResourceUpdate
from dyrd.exchange import service as exchange_service
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.service.gateway import LEDGER_KIND as GATEWAY_KIND
from dyrd.ledger.adapters.local_keys import Ed25519Signer
from dyrd.region import service as region_service
from dyrd.trust import service as trust_service
from tests.conftest import fixed_clock

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

CREDIT = "zj-enterprise-credit-sample"
CREDIT_OWNER = "CN-YRD/GOV/330000/SCJGJ"
STEWARD = Principal("zj.steward", {CREDIT_OWNER: frozenset({Role.DATA_STEWARD})})
# Made-up rows for the sample entry (not real enterprises): one missing legal representative
# and one missing capital, so completeness is below 100% in a known way.
CREDIT_CSV = (
    "credit_code,enterprise_name,legal_representative,registered_capital,established_on,"
    "credit_grade,abnormal_operation,updated_at\n"
    "TEST00000000000001,样例企业甲,张三,100.5,2019-03-01,A,false,2026-11-25T08:00:00Z\n"
    "TEST00000000000002,样例企业乙,,2000,2020-07-15,B,true,2026-11-25T08:00:00Z\n"
    "TEST00000000000003,样例企业丙,李四,,2021-01-04,A,false,2026-11-25T08:00:00Z\n"
    "TEST00000000000004,样例企业丁,王五,50,2018-12-30,C,false,2026-11-25T08:00:00Z\n"
).encode()


def load_catalog(session: Session, clock: Clock) -> None:
    """The bundled sample entries (what `dyrd catalog load-samples` loads)."""
    exchange_service.load_samples(session, clock=clock)


def give_credit_a_history(session: Session, clock: Clock) -> None:
    """Versions 2 (metadata: keywords, frequency) and 3 (data upload) of the credit sample."""
    exchange_service.update_resource(
        session,
        CREDIT,
        ResourceUpdate(
            keywords=[
                "企业",
                "信用",
                "统一社会信用代码",
                "经营异常",
                "enterprise",
                "credit",
                "信用等级",
            ],
            frequency="WEEKLY",
            change_summary="加入关键词“信用等级”，更新频率改为每周。",
        ),
        principal=STEWARD,
        clock=clock,
    )
    exchange_service.upload_data(
        session, CREDIT, content=CREDIT_CSV, fmt=FileFormat.CSV, principal=STEWARD, clock=clock
    )


def fill_ledger(session: Session, clock: Clock) -> None:
    """A few ledger entries, all but the last two covered by a signed head."""
    actor = Actor(user="zj.steward", member=CREDIT_OWNER)
    for i in range(6):
        ledger.append(
            session,
            kind=ledger.EntryKind.CATALOG_CHANGE if i % 2 else ledger.EntryKind.EXCHANGE_REQUEST,
            subject=f"resource:{CREDIT}",
            actor=actor,
            payload={"i": i},
            clock=clock,
        )
        session.commit()
        if i == 3:
            ledger.sign_pending_head(session, signer=Ed25519Signer.generate(), clock=clock)


# Exchanges for the flow map of the live server: (consumer, provider, outcome, how many).
LIVE_FLOWS = (
    ("CN-YRD/GOV/310000/WJW", "CN-YRD/GOV/330000/SCJG", "answered", 12),
    ("CN-YRD/GOV/310000/WJW", "CN-YRD/GOV/330000/SCJG", "refused", 2),
    ("CN-YRD/GOV/320000/DSJ", "CN-YRD/GOV/310000/WJW", "answered", 5),
    ("CN-YRD/GOV/340000/DSJ", "CN-YRD/GOV/320000/DSJ", "answered", 3),
    ("CN-YRD/GOV/340000/DSJ", "CN-YRD/GOV/330000/DSJ", "refused", 4),
    ("CN-YRD/GOV/330000/WJW", "CN-YRD/GOV/340000/WJW", "answered", 1),
)
# Users of the live server: name -> (member, role); their tokens are on LiveServer.tokens.
LIVE_USERS = {
    "sh.analyst": ("CN-YRD/GOV/310000/WJW", "analyst"),
    "zj.steward": ("CN-YRD/GOV/330000", "data_steward"),
}


class LiveServer(str):
    """Base URL of the live dashboard, with the API tokens of its users."""

    tokens: dict[str, str]


def fill_flows(session: Session, clock: Clock) -> None:
    """Gateway ledger entries, as providers' gateways write them, for the flow map."""
    for client, provider, outcome, n in LIVE_FLOWS:
        for _ in range(n):
            ledger.append(
                session,
                kind=GATEWAY_KIND,
                subject="live",
                actor=Actor(user="-", member=client),
                payload={"outcome": outcome, "client": client, "provider": provider},
                clock=clock,
            )
    session.commit()


def make_live_users(session: Session, clock: Clock) -> dict[str, str]:
    """The live server's users, each with a token."""
    tokens = {}
    for username, (member, role) in LIVE_USERS.items():
        trust_service.create_user(
            session, username=username, member_id=member, role=role, by=Actor.system(), clock=clock
        )
        tokens[username] = trust_service.create_token(
            session, username, days=7, by=Actor.system(), clock=clock
        ).token
    return tokens


@pytest.fixture
def catalog(session: Session, clock: Clock) -> None:
    """The sample entries in the test transaction (rolled back afterwards)."""
    load_catalog(session, clock)


@pytest.fixture
def credit_history(catalog: None, session: Session, clock: Clock) -> None:
    """The samples, and the credit sample with three versions and data."""
    give_credit_a_history(session, clock)


DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium to drive: $DYRD_CHROMIUM, else /usr/bin/chromium; None when absent."""
    wanted = os.environ.get("DYRD_CHROMIUM") or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    return found if found and Path(found).is_file() else None


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Base URL of the whole app served by uvicorn on a free 127.0.0.1 port (own SQLite file)."""
    db = tmp_path_factory.mktemp("live") / "live.db"
    engine = create_db_engine(f"sqlite:///{db}")
    bootstrap.upgrade_database(engine)
    with Session(engine) as session:
        region_service.load_bundled(session, clock=fixed_clock)
        trust_service.load_default_members(session, clock=fixed_clock)
        load_catalog(session, fixed_clock)
        give_credit_a_history(session, fixed_clock)
        fill_ledger(session, fixed_clock)
        fill_flows(session, fixed_clock)
        tokens = make_live_users(session, fixed_clock)
    app = bootstrap.build_app(
        Settings(database_url=str(engine.url)), engine=engine, clock=fixed_clock
    )
    # Bind before starting so the port is ours: no race between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live dashboard server did not start")
        time.sleep(0.05)
    base = LiveServer(f"http://127.0.0.1:{port}")
    base.tokens = tokens
    yield base
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system (never downloaded); skipped when absent, except in CI."""
    path = chromium_path()
    if path is None:
        reason = (
            f"Chromium not found at {os.environ.get('DYRD_CHROMIUM') or DEFAULT_CHROMIUM}: "
            "install it (apt-get install chromium) or set DYRD_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # The sync API drives its own event loop in a greenlet and detaches it between calls, so it
    # neither meets pytest's loop-less main thread nor warns under filterwarnings = error: no
    # filter is needed. Module scope stops it before the next module's tests run.
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- a browser page that may not leave 127.0.0.1 (every browser test uses these) -----------

LOCAL_HOSTS = {"127.0.0.1"}

# A point inside the path (not just inside its bounding box) that the path itself receives,
# in page coordinates: found with isPointInFill on a grid over the path's bounding box.
INSIDE_POINT_JS = """
(code) => {
  const path = document.querySelector(`svg.choropleth path[data-code="${code}"]`);
  const box = path.getBBox();
  const ctm = path.getScreenCTM();
  const svg = path.ownerSVGElement;
  for (let i = 1; i < 24; i++) {
    for (let j = 1; j < 24; j++) {
      const p = svg.createSVGPoint();
      p.x = box.x + box.width * i / 24;
      p.y = box.y + box.height * j / 24;
      if (!path.isPointInFill(p)) continue;
      const s = p.matrixTransform(ctm);
      const hit = document.elementFromPoint(s.x, s.y);
      if (hit === path) return {x: s.x, y: s.y};
    }
  }
  return null;
}
"""


@dataclass
class Traffic:
    """Every URL the browser asked for, and those refused for leaving 127.0.0.1."""

    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [
            u
            for u in self.requested
            if urlsplit(u).scheme not in ("data", "about", "blob")
            and urlsplit(u).hostname not in LOCAL_HOSTS
        ]


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def context(browser: Browser, traffic: Traffic) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")

    def guard(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOCAL_HOSTS or request.url.startswith("data:"):
            route.continue_()
        else:
            traffic.blocked.append(request.url)
            route.abort()

    ctx.route("**/*", guard)
    ctx.on("request", lambda r: traffic.requested.append(r.url))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, traffic: Traffic) -> Page:
    pg = context.new_page()
    pg.on("pageerror", lambda e: traffic.errors.append(str(e)))
    pg.on("console", lambda m: traffic.errors.append(m.text) if m.type == "error" else None)
    return pg


def inside_point(page: Page, code: str) -> tuple[float, float]:
    point = page.evaluate(INSIDE_POINT_JS, code)
    assert point is not None, f"no visible point inside region {code}"
    return point["x"], point["y"]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: a temp folder, or $DYRD_SCREENSHOT_DIR to look at them."""
    # DYRD_SCREENSHOT_DIR lets a person keep the pictures to look at; never committed.
    wanted = os.environ.get("DYRD_SCREENSHOT_DIR")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    return tmp_path_factory.mktemp("screenshots")


def assert_stayed_local(traffic: Traffic) -> None:
    """No script error, and not one request left 127.0.0.1."""
    assert traffic.errors == []
    assert traffic.blocked == []
    assert traffic.foreign() == []
    assert traffic.requested
