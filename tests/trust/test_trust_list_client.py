"""A verifier's trust-list client against the real application served on 127.0.0.1.

The server stops and starts; a fake clock shared by server and client reaches expiry without
waiting. Certificates are issued through the service on the server's database, as the
region's operator would with `dyrd trust cert issue`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.trust import service
from dyrd.trust.adapters.directory_client import DirectoryClient
from dyrd.trust.adapters.trust_list_client import TrustListClient, trust_list_url
from dyrd.trust.compute.x509 import read_certificate
from dyrd.trust.types import DirectoryState
from tests.fakes import InMemoryKeyStore
from tests.trust.test_directory_client import HOST, FakeClock, ThreadedServer, free_port

ZJ = "CN-YRD/GOV/330000"
JS = "CN-YRD/GOV/320000"


@dataclass
class Platform:
    server: ThreadedServer
    root: dict[str, str]
    sessions: Callable[[], Session]
    keystore: InMemoryKeyStore
    clock: FakeClock

    @property
    def directory_url(self) -> str:
        return f"http://{HOST}:{self.server.port}/api/v1/trust/directory"

    def issue(self, member: str) -> tuple[bytes, str]:
        """A new DSC for ``member``: (kid bytes, fingerprint)."""
        with self.sessions() as session:
            made = service.issue_certificate(
                session, member, keystore=self.keystore, by=Actor.system(), clock=self.clock
            )
        return base64.b64decode(made.active.kid), made.active.fingerprint

    def revoke(self, fingerprint: str) -> None:
        with self.sessions() as session:
            service.revoke_certificate(session, fingerprint, by=Actor.system(), clock=self.clock)


@pytest.fixture
def clock() -> FakeClock:  # shadows the frozen clock: these tests move time
    return FakeClock()


@pytest.fixture
def platform(tmp_path: Path, clock: FakeClock) -> Iterator[Platform]:
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
        yield Platform(server, root, factory, keystore, clock)
    finally:
        server.stop()
        engine.dispose()


def client_for(platform: Platform, cache: Path, **kwargs: object) -> TrustListClient:
    return TrustListClient(
        trust_list_url(platform.directory_url),
        root_public_jwk=platform.root,
        cache_path=cache,
        clock=platform.clock,
        **kwargs,  # type: ignore[arg-type]
    )


def test_full_then_deltas_then_offline_from_the_cache_until_expiry(
    platform: Platform, tmp_path: Path
) -> None:
    clock = platform.clock
    cache = tmp_path / "node" / "trust-list.json"
    zj_kid, zj = platform.issue(ZJ)
    with client_for(platform, cache, interval=60) as client:
        assert client.status().state is DirectoryState.EXPIRED  # nothing held yet
        assert client.certificates_for(zj_kid) == ()
        first = client.refresh()
        assert (first.state, first.version, first.last_error) == (DirectoryState.FRESH, 2, None)
        (der,) = client.certificates_for(zj_kid)
        assert read_certificate(der).fingerprint == zj
        assert len(json.loads(cache.read_bytes())["documents"]) == 1

        js_kid, _ = platform.issue(JS)
        clock.advance(minutes=1)
        assert client.refresh().version == 3  # one delta: JS added
        assert client.certificates_for(js_kid)
        # A revocation reaches the verifier with the next poll (here: the next refresh).
        platform.revoke(zj)
        clock.advance(minutes=1)
        assert client.refresh().version == 4
        assert client.certificates_for(zj_kid) == ()
        documents = json.loads(cache.read_bytes())["documents"]
        assert [json.loads(d)["trust_list"]["since"] for d in documents] == [None, 2, 3]
        clock.advance(minutes=1)
        client.refresh()  # nothing changed: an empty delta renews the validity only once
        client.refresh()
        assert len(json.loads(cache.read_bytes())["documents"]) == 4

        platform.server.stop()
        clock.advance(hours=1)
        down = client.refresh()
        assert down.state is DirectoryState.STALE_BUT_VALID
        assert down.last_error is not None
        assert "unreachable" in down.last_error
        assert client.certificates_for(js_kid)

    # A verifier restarted while the server is down works from its cache, offline.
    with client_for(platform, cache) as offline:
        held = offline.trust_list()
        assert held is not None
        assert (held.version, bool(held.certificates_for(js_kid))) == (4, True)
        assert held.certificates_for(zj_kid) == ()
        clock.advance(hours=48)
        expired = offline.refresh()  # past the list's expiry: reported, not raised
        assert (expired.state, expired.version) == (DirectoryState.EXPIRED, 4)
        assert offline.trust_list() is None
        assert offline.certificates_for(js_kid)  # still answers; the status says expired

        platform.server.start()
        back = offline.refresh()
        assert (back.state, back.version, back.last_error) == (DirectoryState.FRESH, 4, None)


def test_a_tampered_cache_is_refused_and_replaced(platform: Platform, tmp_path: Path) -> None:
    cache = tmp_path / "trust-list.json"
    kid, _ = platform.issue(ZJ)
    with client_for(platform, cache) as client:
        client.refresh()
    stored = json.loads(cache.read_bytes())
    body = json.loads(stored["documents"][0])
    body["trust_list"]["entries"] = body["trust_list"]["entries"][:1]  # drop the DSC
    stored["documents"][0] = json.dumps(body)
    cache.write_text(json.dumps(stored))
    with client_for(platform, cache) as reloaded:
        status = reloaded.status()
        assert status.state is DirectoryState.EXPIRED
        assert status.last_error is not None
        assert "bad-signature" in status.last_error
        assert reloaded.certificates_for(kid) == ()
        assert reloaded.refresh().state is DirectoryState.FRESH
        assert reloaded.certificates_for(kid)
    cache.write_text("not json")
    with client_for(platform, cache) as garbage:
        assert garbage.status().last_error is not None
        assert garbage.refresh().version == 2


def test_the_directory_tells_a_verifier_it_is_behind(platform: Platform, tmp_path: Path) -> None:
    clock = platform.clock
    platform.issue(ZJ)
    with (
        DirectoryClient(
            platform.directory_url,
            root_public_jwk=platform.root,
            cache_path=tmp_path / "directory.json",
            clock=clock,
        ) as directory,
        client_for(platform, tmp_path / "trust-list.json", directory=directory) as client,
    ):
        directory.refresh()
        client.refresh()
        assert client.status().state is DirectoryState.FRESH
        assert client.status().directory_version == 2
        platform.issue(JS)
        clock.advance(minutes=1)
        directory.refresh()
        behind = client.status()
        assert (behind.state, behind.version, behind.directory_version) == (
            DirectoryState.STALE_BUT_VALID,
            2,
            3,
        )
        assert client.refresh().state is DirectoryState.FRESH
