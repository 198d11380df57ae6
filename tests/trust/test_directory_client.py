"""The node's directory client against real HTTP servers on 127.0.0.1 that stop and restart.

Two servers: the real application (a temporary SQLite database, default members and keys), and
a small Starlette app that serves whatever bytes a test hands it (tampered, old, wrongly signed).
Time is a fake clock shared by server and client, so expiry is reached without waiting.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dyrd import bootstrap
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust import service
from dyrd.trust.adapters.directory_client import DirectoryClient
from dyrd.trust.compute import directory as doc
from dyrd.trust.compute import jose
from dyrd.trust.types import DirectoryState, KeyAlgorithm, MemberKind
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore

HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0


@dataclass
class FakeClock:
    """A clock that moves only when told to."""

    now: datetime = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """uvicorn serving ``app`` on 127.0.0.1:``port`` in a thread; stop and start again at will."""

    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host=HOST,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            loop="asyncio",
            http="h11",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {HOST}:{self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(START_TIMEOUT_S)
            assert not self._thread.is_alive()
        self._server = self._thread = None


@pytest.fixture
def clock() -> FakeClock:  # shadows the frozen clock: these tests move time
    return FakeClock()


# --- against the real application --------------------------------------------------------------


@pytest.fixture
def platform(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[ThreadedServer, dict[str, str]]]:
    """The whole app on a fresh SQLite database with default keys, served over loopback."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = create_db_engine(url)
    bootstrap.upgrade_database(engine)
    keystore = InMemoryKeyStore()
    factory = make_session_factory(engine)
    with factory() as session:
        service.load_default_members(session, clock=clock)
        service.init_default_keys(session, keystore=keystore, clock=clock)
        root = service.root_public_jwk(session)
    settings = Settings(database_url=url, ledger_checkpoint_seconds=0, key_dir=tmp_path / "k")
    app = bootstrap.build_app(settings, engine=engine, clock=clock)
    app.state.trust_keystore = keystore
    server = ThreadedServer(app, free_port())
    server.start()
    try:
        yield server, root
    finally:
        server.stop()
        engine.dispose()


def test_a_node_rides_out_an_outage_on_its_cache_until_expiry(
    platform: tuple[ThreadedServer, dict[str, str]], clock: FakeClock, tmp_path: Path
) -> None:
    server, root = platform
    cache = tmp_path / "node" / "directory.json"
    url = f"http://{HOST}:{server.port}/api/v1/trust/directory"
    with DirectoryClient(url, root_public_jwk=root, cache_path=cache, clock=clock) as client:
        assert client.status().state is DirectoryState.EXPIRED  # nothing yet
        assert client.directory() is None
        fresh = client.refresh()
        assert (fresh.state, fresh.serial, fresh.last_error) == (DirectoryState.FRESH, 1, None)
        assert (
            cache.read_bytes()
            == doc.verify_directory(cache.read_bytes(), root, at=clock()).document
        )
        directory = client.directory()
        assert directory is not None
        assert len(directory.members) == 21
        clock.advance(minutes=1)
        assert client.refresh().state is DirectoryState.FRESH  # 304: same serial, still fresh

        server.stop()
        clock.advance(hours=1)
        down = client.refresh()
        assert down.state is DirectoryState.STALE_BUT_VALID
        assert down.serial == 1
        assert down.last_error is not None
        assert "unreachable" in down.last_error
        assert client.directory() is not None  # still usable

    # A node restarted during the outage starts from its disk cache.
    with DirectoryClient(url, root_public_jwk=root, cache_path=cache, clock=clock) as restarted:
        assert restarted.status().state is DirectoryState.STALE_BUT_VALID
        assert restarted.refresh().state is DirectoryState.STALE_BUT_VALID
        clock.advance(hours=23)  # 24 h after issue
        expired = restarted.refresh()
        assert (expired.state, expired.serial) == (DirectoryState.EXPIRED, 1)
        assert restarted.directory() is None

        server.start()  # the central directory is back and signs a new one for "now"
        back = restarted.refresh()
        assert (back.state, back.serial, back.last_error) == (DirectoryState.FRESH, 2, None)
        assert json.loads(cache.read_bytes())["directory"]["serial"] == 2


# --- against a server that says what the test wants ----------------------------------------------


@dataclass
class Script:
    """What the scripted server answers next."""

    status: int = 200
    body: bytes = b""
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def scripted() -> Iterator[tuple[ThreadedServer, Script]]:
    script = Script()

    async def directory(request: Request) -> Response:
        script.requests.append(dict(request.headers))
        return Response(script.body, status_code=script.status, media_type="application/json")

    server = ThreadedServer(Starlette(routes=[Route("/directory", directory)]), free_port())
    server.start()
    try:
        yield server, script
    finally:
        server.stop()


@dataclass
class Issuer:
    """Signs directories the way the central server does, with any key it is given."""

    keystore: InMemoryKeyStore = field(default_factory=InMemoryKeyStore)

    def __post_init__(self) -> None:
        self.root = self.keystore.generate(KeyAlgorithm.ES256)
        self.other = self.keystore.generate(KeyAlgorithm.ES256)

    def jwk(self, kid: str | None = None) -> dict[str, str]:
        return jose.public_jwk(self.keystore.public_key(kid or self.root))

    def sign(
        self,
        serial: int,
        issued_at: datetime,
        *,
        hours: float = 24,
        kid: str | None = None,
        name: str = "Yangtze River Delta region",
    ) -> bytes:
        kid = kid or self.root
        member = doc.member_entry(
            member_id=REGION_MEMBER_ID,
            name_zh="长江三角洲区域",
            name_en=name,
            kind=MemberKind.REGION,
            parent_id=None,
            node_url=None,
            services=[],
            keys=[],
        )
        body = doc.payload(
            region=REGION_MEMBER_ID,
            serial=serial,
            issued_at=issued_at,
            expires_at=issued_at + timedelta(hours=hours),
            members=[member],
        )
        return doc.sign_directory(
            body,
            key_id=kid,
            algorithm=KeyAlgorithm.ES256,
            sign=lambda data: self.keystore.sign(kid, data),
        )


def test_bad_documents_are_refused_and_the_good_cache_kept(
    scripted: tuple[ThreadedServer, Script], clock: FakeClock, tmp_path: Path
) -> None:
    server, script = scripted
    issuer = Issuer()
    cache = tmp_path / "directory.json"
    url = f"http://{HOST}:{server.port}/directory"
    with DirectoryClient(
        url, root_public_jwk=issuer.jwk(), cache_path=cache, clock=clock
    ) as client:
        script.body = issuer.sign(2, clock())
        assert client.refresh().serial == 2
        good = cache.read_bytes()

        cases = {
            "bad-signature": script.body.replace(b"Delta", b"delta"),
            "untrusted-key": issuer.sign(3, clock(), kid=issuer.other),
            "expired": issuer.sign(3, clock() - timedelta(hours=30)),
            "not-yet-valid": issuer.sign(3, clock() + timedelta(hours=2)),
            "rollback": issuer.sign(1, clock()),
            "forked": issuer.sign(2, clock(), name="Another region"),
            "malformed": b"<html>maintenance</html>",
        }
        for reason, body in cases.items():
            script.body = body
            status = client.refresh()
            assert status.state is DirectoryState.STALE_BUT_VALID, reason
            assert status.serial == 2, reason
            assert status.last_error is not None
            assert f"({reason})" in status.last_error, status.last_error
            assert cache.read_bytes() == good, reason

        script.status = 503
        assert client.refresh().last_error == f"HTTP 503 from {url}"
        script.status = 200
        script.body = issuer.sign(3, clock())
        assert client.refresh().state is DirectoryState.FRESH
        assert script.requests[-1].get("if-none-match") is None  # the scripted server sends no ETag


def test_rollback_protection_survives_a_restart_even_after_expiry(
    scripted: tuple[ThreadedServer, Script], clock: FakeClock, tmp_path: Path
) -> None:
    server, script = scripted
    issuer = Issuer()
    cache = tmp_path / "directory.json"
    url = f"http://{HOST}:{server.port}/directory"
    script.body = issuer.sign(5, clock())
    with DirectoryClient(
        url, root_public_jwk=issuer.jwk(), cache_path=cache, clock=clock
    ) as client:
        assert client.refresh().serial == 5
    clock.advance(hours=48)
    with DirectoryClient(
        url, root_public_jwk=issuer.jwk(), cache_path=cache, clock=clock
    ) as client:
        assert client.status().state is DirectoryState.EXPIRED
        script.body = issuer.sign(4, clock())  # valid now, but older than what was seen
        refused = client.refresh()
        assert refused.state is DirectoryState.EXPIRED
        assert refused.last_error is not None
        assert "(rollback)" in refused.last_error
        script.body = issuer.sign(6, clock())
        assert client.refresh().state is DirectoryState.FRESH


def test_a_tampered_cache_is_ignored_and_replaced(
    scripted: tuple[ThreadedServer, Script], clock: FakeClock, tmp_path: Path
) -> None:
    server, script = scripted
    issuer = Issuer()
    cache = tmp_path / "directory.json"
    cache.write_bytes(issuer.sign(9, clock()).replace(b"Delta", b"Deltx"))
    url = f"http://{HOST}:{server.port}/directory"
    with DirectoryClient(
        url, root_public_jwk=issuer.jwk(), cache_path=cache, clock=clock
    ) as client:
        status = client.status()
        assert (status.state, status.serial) == (DirectoryState.EXPIRED, None)
        assert status.last_error is not None
        assert "cache refused (bad-signature)" in status.last_error
        script.body = issuer.sign(1, clock())
        assert client.refresh().serial == 1  # the forged serial 9 set no floor
    assert json.loads(cache.read_bytes())["directory"]["serial"] == 1
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_fresh_turns_stale_when_fetches_stop_and_the_poller_refreshes_by_itself(
    scripted: tuple[ThreadedServer, Script], clock: FakeClock, tmp_path: Path
) -> None:
    server, script = scripted
    issuer = Issuer()
    script.body = issuer.sign(1, clock())
    url = f"http://{HOST}:{server.port}/directory"
    client = DirectoryClient(
        url,
        root_public_jwk=issuer.jwk(),
        cache_path=tmp_path / "d.json",
        clock=clock,
        interval=0.05,
    )
    try:
        client.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while client.status().state is not DirectoryState.FRESH:
            assert time.monotonic() < deadline, client.status()
            time.sleep(0.02)
        requests_before = len(script.requests)
        while len(script.requests) < requests_before + 2:  # it keeps polling
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        client.close()
    assert client.status().state is DirectoryState.FRESH
    clock.advance(seconds=1)  # more than two intervals without a fetch
    assert client.status().state is DirectoryState.STALE_BUT_VALID
