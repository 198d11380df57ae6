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
from fastapi.testclient import TestClient
from sqlalchemy import update

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine, make_session_factory
from dyrd.core.types import Role
from dyrd.credential.adapters.revocation_client import (
    DirectoryKeys,
    RevocationClient,
    TrustListOwners,
)
from dyrd.credential.compute import hcert
from dyrd.credential.compute import revocation as rc
from dyrd.credential.models import Revocation
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.directory_client import DirectoryClient
from dyrd.trust.adapters.trust_list_client import TrustListClient
from tests.conftest import fixed_clock
from tests.fakes import FakeAuthenticator, InMemoryKeyStore
from tests.trust.test_directory_client import ThreadedServer, free_port

ISSUER = "CN-YRD/GOV/330000"
STEWARD = Principal("zj.steward", {ISSUER: frozenset({Role.DATA_STEWARD})})
OTHER = "CN-YRD/GOV/310000"
SYNC_INTERVAL = 0.2
TARGET_SECONDS = 300.0


@dataclass
class Issuer:
    url: str
    root: dict[str, str]
    server: ThreadedServer
    signer: trust_service.DocumentSigner
    other_kid: bytes
    db_url: str


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
        for member in (ISSUER, OTHER):
            trust_service.issue_certificate(
                session, member, keystore=keystore, by=Actor.system(), clock=fixed_clock
            )
        root = trust_service.root_public_jwk(session)
        signer = trust_service.document_signer(session, ISSUER, keystore=keystore, at=fixed_clock())
        other = trust_service.document_signer(session, OTHER, keystore=keystore, at=fixed_clock())
    settings = Settings(database_url=url, ledger_checkpoint_seconds=0, key_dir=tmp_path / "k")
    app = bootstrap.build_app(settings, engine=engine, clock=fixed_clock)
    app.state.trust_keystore = keystore
    app.state.authenticator = FakeAuthenticator({"steward": STEWARD})
    server = ThreadedServer(app, port)
    server.start()
    try:
        yield Issuer(base, root, server, signer, other.kid, url)
    finally:
        server.stop()
        engine.dispose()


def _credential(issuer: Issuer) -> str:
    """A fresh code signed with the issuer's DSC key (ECDSA: a new signature each time)."""
    claims: dict[int, Any] = {1: "CN", 4: 1_900_000_000, 6: 1_790_000_000, -260: {1: {"ver": "1"}}}
    signer = issuer.signer
    return hcert.encode_hc1(claims, sign=signer.signer.sign, alg=-7, kid=signer.kid)


def _owners(issuer: Issuer, tmp_path: Path, directory: DirectoryClient) -> TrustListOwners:
    """Kid owners from the verifier's own synced copy of the signed trust list."""
    trust_list = TrustListClient(
        f"{issuer.url}/api/v1/trust/trust-list",
        root_public_jwk=issuer.root,
        cache_path=tmp_path / "trust-list.json",
        clock=fixed_clock,
        directory=directory,
    )
    trust_list.refresh()
    trust_list.close()  # the list stays held (and cached) after the pool closes
    return TrustListOwners(trust_list.current)


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
        kid_owners=_owners(issuer, tmp_path, directory),
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
    text = _credential(issuer)
    coords = rc.read_coordinates(text)
    assert coords.kid == issuer.signer.kid
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
    text = _credential(issuer)
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
    second = _credential(issuer)
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
        kid_owners=_owners(issuer, tmp_path, directory),
        cache_dir=tmp_path / "revocation",
        clock=fixed_clock,
    )


def test_a_forged_cross_member_revocation_does_not_revoke(
    issuer: Issuer, tmp_path: Path, closers: list[DirectoryClient]
) -> None:
    """A node that signs a list naming another member's kid (its service refuses; here the
    row is written to its database directly) revokes nothing at the verifier: the trust list
    gives that kid to the other member. Kids the trust list does not know are ignored too."""
    victim = rc.signature_hash(bytes(range(64)), alg=-7)
    engine = create_db_engine(issuer.db_url)
    try:
        with make_session_factory(engine)() as session:
            made = _revoke(issuer, _credential(issuer), ["SIGNATURE"])
            assert made.status_code == 201, made.text
            refused = httpx.post(
                f"{issuer.url}/api/v1/credential/revocations",
                json={
                    "issuer_member": ISSUER,
                    "reason": "not ours",
                    "kid": issuer.other_kid.hex(),
                    "hash_type": "SIGNATURE",
                    "hash": victim.hex(),
                },
                headers={"Authorization": "Bearer steward"},
                timeout=10,
            )
            assert refused.status_code == 403, refused.text
            assert "revocation-kid-not-owned" in refused.json()["type"]
            # The forgery: rows under OTHER's kid and an unknown kid, in ISSUER's signed list.
            own = session.query(Revocation).one()
            for kid in (issuer.other_kid, b"\x00" * 8):
                session.add(
                    Revocation(
                        issuer_member=ISSUER,
                        kid=kid.hex(),
                        hash_type="SIGNATURE",
                        hash=victim.hex(),
                        reason="forged",
                        version=own.version,
                        created_at=own.created_at,
                        created_by="forger",
                        created_for=ISSUER,
                    )
                )
            session.execute(update(Revocation).values(version=own.version))
            session.commit()
    finally:
        engine.dispose()
    _app, client = _verifier(issuer, tmp_path, 60, closers)
    with client:
        status = client.sync()
        assert status.state == "fresh"
        (held,) = status.issuers
        assert held.entries == 3  # the signed document carried all three
        assert held.ignored_foreign == 2
        assert status.ignored_foreign == 2
        assert not client.snapshot().has(issuer.other_kid, rc.HashType.SIGNATURE, victim)
        assert not client.snapshot().has(b"\x00" * 8, rc.HashType.SIGNATURE, victim)
