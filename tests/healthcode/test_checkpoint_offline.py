"""A Shanghai checkpoint verifies a Zhejiang-issued code offline, from its cached trust list.

The region's platform runs on 127.0.0.1 (the real app, a file database); the checkpoint syncs
the signed credential trust list once with the trust domain's ``TrustListClient``, the server
stops, and a fresh client loads the cache file alone: verification needs no network. When the
cached list passes its expiry (48 h), the verdict says so and refuses.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.config import Settings
from dyrd.core.types import Role
from dyrd.healthcode import service
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.checkpoint_schemas import CheckpointVerdictRead
from dyrd.healthcode.schemas import ResidentCreate
from dyrd.trust.adapters.trust_list_client import TrustListClient, trust_list_url
from dyrd.trust.types import DirectoryState
from tests.fakes import FakeAuthenticator
from tests.healthcode.conftest import id_number
from tests.trust.test_trust_list_client import (  # noqa: F401  # fixtures used by name
    Platform,
    clock,
    platform,
)

ZJ = "CN-YRD/GOV/330000"
SH = "CN-YRD/GOV/310000"
ZJ_STEWARD = Principal("zj.steward", {ZJ: frozenset({Role.DATA_STEWARD})})
SH_OFFICER = Actor(user="sh.checkpoint", member=SH)


def _zhejiang_code(platform: Platform) -> str:  # noqa: F811  # the fixture's name
    platform.issue(ZJ)  # Zhejiang's DSC, as `dyrd trust cert issue --member ...` makes it
    codec = HcertCodec()
    with platform.sessions() as session:
        service.load_sample_rules(session, keystore=platform.keystore, clock=platform.clock)
        resident = service.register_resident(
            session,
            ResidentCreate(
                id_number=id_number("33010619850101001"), initials="ZS", jurisdiction="330000"
            ),
            principal=ZJ_STEWARD,
            clock=platform.clock,
            secret=lambda: b"offline-secret" * 3,
        )
        code = service.issue_code(
            session, resident.id, principal=ZJ_STEWARD, clock=platform.clock,
            keystore=platform.keystore, codec=codec,
        )  # fmt: skip
    return code.text


def test_shanghai_verifies_a_zhejiang_code_offline_until_the_list_expires(
    platform: Platform,  # noqa: F811  # the fixture imported above
    tmp_path: Path,
) -> None:
    text = _zhejiang_code(platform)
    cache = tmp_path / "sh-node" / "trust-list.json"
    url = trust_list_url(platform.directory_url)
    with TrustListClient(url, root_public_jwk=platform.root, cache_path=cache,
                         clock=platform.clock) as online:  # fmt: skip
        assert online.refresh().state is DirectoryState.FRESH
    platform.server.stop()  # from here on nothing answers on the network

    offline = TrustListClient(
        url, root_public_jwk=platform.root, cache_path=cache, clock=platform.clock
    )
    assert offline.refresh().last_error is not None  # the server is gone...
    codec = HcertCodec()
    with platform.sessions() as session:
        service.store_sample_policies(session, keystore=platform.keystore, clock=platform.clock)
        book = service.checkpoint_policies(
            session, keystore=platform.keystore, clock=platform.clock, jurisdictions=["310000"]
        )

        def check() -> CheckpointVerdictRead:
            return service.verify_at_checkpoint(
                session, text, checkpoint_jurisdiction="310000", at=None, clock=platform.clock,
                actor=SH_OFFICER, verifier=codec, trust_list=offline, revocation=None,
                policies=book,
            )  # fmt: skip

        verdict = check()  # ...and the cached list answers
        assert verdict.accepted, verdict
        assert verdict.reason_zh == "接受：浙江绿码 (policy SH-ACC-001 v2)"
        assert verdict.trust_list.state == "valid"
        assert verdict.revocation_checked is False
        assert verdict.steps["revocation"] is None

        # 49 hours later, still offline: the 48-hour list has expired; the checkpoint says so.
        platform.clock.advance(hours=49)
        expired = check()
        assert expired.accepted is False
        assert expired.trust_list.state == "expired"
        assert expired.reason.startswith("The credential trust list expired at")
        assert "信任列表已过期" in expired.reason_zh
        offline.close()


def test_a_member_node_checks_against_its_synced_trust_list(
    platform: Platform,  # noqa: F811  # the fixture imported above
    tmp_path: Path,
) -> None:
    """`serve --member`: the node's checkpoint reads the trust list its client synced from the
    region (status at /trustlistz), not its own tables."""
    text = _zhejiang_code(platform)
    engine = platform.sessions.kw["bind"]  # type: ignore[attr-defined]
    settings = Settings(
        database_url=str(engine.url),
        node_member=SH,
        directory_url=platform.directory_url,
        directory_root_key=json.dumps(platform.root),
        directory_cache_path=tmp_path / "sh-node" / "directory.json",
        key_dir=tmp_path / "sh-node" / "keys",
        ledger_checkpoint_seconds=0,
    )
    node = bootstrap.build_app(settings, engine=engine, clock=platform.clock)
    node.state.trust_keystore = platform.keystore
    node.state.authenticator = FakeAuthenticator(
        {"sh": Principal("sh.checkpoint", {SH: frozenset({Role.VIEWER})})}
    )
    with TestClient(node) as client:
        node.state.trust_list_client.refresh()
        status = client.get("/trustlistz").json()
        assert (status["member"], status["state"]) == (SH, "fresh")
        assert (tmp_path / "sh-node" / "trust-list.json").is_file()
        r = client.post(
            "/api/v1/healthcode/checkpoint/verify",
            json={"text": text, "jurisdiction": "310000"},
            headers={"Authorization": "Bearer sh"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] is True, r.json()
        assert r.json()["trust_list"]["version"] == status["version"]
