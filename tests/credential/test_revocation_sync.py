"""A revocation on the issuer's node reaches a verifier over real loopback HTTP, within minutes.

The issuer: the whole application on its own SQLite database, served by uvicorn on 127.0.0.1,
which also serves the signed regional directory (where the verifier finds the issuer's node and
key). The verifier: a second application instance on its own database with a revocation client
syncing every 0.2 s. A steward revokes a real HC1 credential by its text through the issuer's
API; the test measures how long until the verifier's snapshot says it is revoked (the target is
5 minutes; EU DCC verifiers pull every 30 minutes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.core.types import Role
from dyrd.credential.adapters.revocation_client import DirectoryKeys, RevocationClient
from dyrd.credential.compute import hcert
from dyrd.credential.compute import revocation as rc
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.directory_client import DirectoryClient
from dyrd.trust.compute import jose
from tests.conftest import fixed_clock
from tests.fakes import FakeAuthenticator, InMemoryKeyStore
from tests.trust.test_directory_client import ThreadedServer, free_port

ISSUER = "CN-YRD/GOV/330000"
STEWARD = Principal("zj.steward", {ISSUER: frozenset({Role.DATA_STEWARD})})
DSC_KID = bytes.fromhex("a1b2c3d4e5f60718")
SYNC_INTERVAL = 0.2
TARGET_SECONDS = 300.0


@dataclass
class Issuer:
    url: str
    root: dict[str, str]
    server: ThreadedServer


@pytest.fixture
def closers() -> Iterator[list[DirectoryClient]]:
    """Directory clients the test opened, closed at its end."""
    opened: list[DirectoryClient] = []
    yield opened
    for client in opened:
        client.close()


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Issuer]:
    url = f"sqlite:///{tmp_path / 'issuer.db'}"
    engine = create_db_engine(url)
    bootstrap.upgrade_database(engine)
    keystore = InMemoryKeyStore()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with make_session_factory(engine)() as session:
        trust_service.load_default_members(session, clock=fixed_clock)
        trust_service.init_default_keys(session, keystore=keystore, clock=fixed_clock)
        trust_service.set_node(
            session, ISSUER, url=base, services=[], by=Actor.system(), clock=fixed_clock
        )
        root = trust_service.root_public_jwk(session)
    settings = Settings(database_url=url, ledger_checkpoint_seconds=0, key_dir=tmp_path / "k")
    app = bootstrap.build_app(settings, engine=engine, clock=fixed_clock)
    app.state.trust_keystore = keystore
    app.state.authenticator = FakeAuthenticator({"steward": STEWARD})
    server = ThreadedServer(app, port)
    server.start()
    try:
        yield Issuer(base, root, server)
    finally:
        server.stop()
        engine.dispose()


def _credential() -> str:
    key = ec.generate_private_key(ec.SECP256R1())

    def sign(data: bytes) -> bytes:
        return jose.es256_raw_from_der(key.sign(data, ec.ECDSA(hashes.SHA256())))

    claims: dict[int, Any] = {1: "CN", 4: 1_900_000_000, 6: 1_790_000_000, -260: {1: {"ver": "1"}}}
    return hcert.encode_hc1(claims, sign=sign, alg=-7, kid=DSC_KID)


def _verifier(
    issuer: Issuer, tmp_path: Path, interval: float, closers: list[DirectoryClient]
) -> tuple[Any, RevocationClient]:
    """A second application instance whose revocation client syncs from the issuer's node."""
    url = f"sqlite:///{tmp_path / 'verifier.db'}"
    engine = create_db_engine(url)
    bootstrap.upgrade_database(engine)
    settings = Settings(database_url=url, ledger_checkpoint_seconds=0, key_dir=tmp_path / "vk")
    app = bootstrap.build_app(settings, engine=engine, clock=fixed_clock)
    directory = DirectoryClient(
        f"{issuer.url}/api/v1/trust/directory",
        root_public_jwk=issuer.root,
        cache_path=tmp_path / "directory.json",
        clock=fixed_clock,
        interval=60,
    )
    closers.append(directory)
    assert directory.refresh().last_error is None
    keys = DirectoryKeys(directory, fixed_clock)
    client = RevocationClient(
        keys.issuers,
        node_url=keys.node_url,
        keys=keys,
        cache_dir=tmp_path / "revocation",
        clock=fixed_clock,
        interval=interval,
    )
    app.state.credential_revocation_client = client
    return app, client


def _revoke(issuer: Issuer, text: str, hash_types: list[str]) -> httpx.Response:
    return httpx.post(
        f"{issuer.url}/api/v1/credential/revocations",
        json={
            "issuer_member": ISSUER,
            "reason": "issued to the wrong person",
            "credential": text,
            "hash_types": hash_types,
        },
        headers={"Authorization": "Bearer steward"},
        timeout=10,
    )


def test_a_revocation_reaches_the_verifier_within_the_sync_interval(
    issuer: Issuer,
    tmp_path: Path,
    closers: list[DirectoryClient],
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _credential()
    coords = rc.read_coordinates(text)
    assert coords.kid == DSC_KID
    app, client = _verifier(issuer, tmp_path, SYNC_INTERVAL, closers)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while client.status().state != "fresh":
            assert time.monotonic() < deadline, client.status()
            time.sleep(0.02)
        assert not client.is_revoked(coords.kid, coords.signature, alg=coords.alg)

        started = time.monotonic()
        made = _revoke(issuer, text, ["SIGNATURE"])
        assert made.status_code == 201, made.text
        while not client.is_revoked(coords.kid, coords.signature, alg=coords.alg):
            assert time.monotonic() - started < 30, client.status()
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        with TestClient(app) as http:
            sync = http.get("/api/v1/credential/revocation/sync").json()
    finally:
        client.close()
    with capsys.disabled():
        print(  # the measured figure is the point of this test
            f"\nrevocation propagation over loopback: {elapsed * 1000:.0f} ms "
            f"(sync interval {SYNC_INTERVAL * 1000:.0f} ms, target {TARGET_SECONDS:.0f} s)"
        )
    assert elapsed < TARGET_SECONDS
    assert sync["issuers"][0]["issuer_member"] == ISSUER
    assert sync["issuers"][0]["entries"] == 1


def test_the_verifier_works_offline_from_its_cache_and_catches_up(
    issuer: Issuer, tmp_path: Path, closers: list[DirectoryClient]
) -> None:
    text = _credential()
    coords = rc.read_coordinates(text)
    assert _revoke(issuer, text, ["SIGNATURE"]).status_code == 201
    _app, client = _verifier(issuer, tmp_path, 60, closers)
    with client:
        assert client.sync().state == "fresh"
        assert client.is_revoked(coords.kid, coords.signature)
    # The issuer's node goes away; a restarted verifier still knows from its disk cache.
    issuer.server.stop()
    offline = _verifier_offline(issuer, tmp_path, closers)
    with offline:
        assert offline.is_revoked(coords.kid, coords.signature)
        status = offline.sync()
        assert status.state == "stale"
        assert status.issuers[0].last_error is not None
        assert offline.is_revoked(coords.kid, coords.signature)  # still answers
    # Back online: the next sync catches up with a delta, not the whole list.
    issuer.server.start()
    second = _credential()
    assert _revoke(issuer, second, ["SIGNATURE"]).status_code == 201
    back = _verifier_offline(issuer, tmp_path, closers)
    with back:
        status = back.sync()
        assert status.state == "fresh"
        two = rc.read_coordinates(second)
        assert back.is_revoked(two.kid, two.signature)
        assert status.issuers[0].version == 2


def _verifier_offline(
    issuer: Issuer, tmp_path: Path, closers: list[DirectoryClient]
) -> RevocationClient:
    """A verifier restarted from its caches (directory and revocation) only."""
    directory = DirectoryClient(
        f"{issuer.url}/api/v1/trust/directory",
        root_public_jwk=issuer.root,
        cache_path=tmp_path / "directory.json",
        clock=fixed_clock,
    )
    closers.append(directory)
    keys = DirectoryKeys(directory, fixed_clock)
    return RevocationClient(
        [ISSUER],
        node_url=keys.node_url,
        keys=keys,
        cache_dir=tmp_path / "revocation",
        clock=fixed_clock,
    )
