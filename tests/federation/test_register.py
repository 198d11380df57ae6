"""Registering member nodes with the directory, the two member locators, and serve modes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd import bootstrap
from dyrd.cli import main as cli_main
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.core.errors import ConfigurationError, ConflictError, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator, DirectoryMemberLocator
from dyrd.trust import (
    Directory,
    DirectoryStatus,
    KeyAlgorithm,
    KeyRead,
    KeyStatus,
    verify_directory,
)
from dyrd.trust import service as trust_service
from dyrd.trust.compute import jose
from dyrd.trust.service.federation import register_member_node
from tests.conftest import fixed_clock
from tests.fakes import InMemoryKeyStore

SH = "CN-YRD/GOV/310000/DSJ"
ZJ = "CN-YRD/GOV/330000/DSJ"


def export(member: str) -> list[dict[str, Any]]:
    """A key made on the member's own node, exported as `dyrd key list --member M --json`."""
    keystore = InMemoryKeyStore()
    kid = keystore.generate(KeyAlgorithm.ES256)
    jwk = jose.public_jwk(keystore.public_key(kid))
    read = KeyRead(
        kid=kid,
        member_id=member,
        algorithm=KeyAlgorithm.ES256,
        status=KeyStatus.ACTIVE,
        not_before=fixed_clock(),
        not_after=None,
        revoked_at=None,
        revocation_reason=None,
        public_jwk=jose.published_jwk(jwk, algorithm=KeyAlgorithm.ES256),
        created_by="system",
        created_for=member,
        created_at=fixed_clock(),
    )
    return [read.model_dump(mode="json")]


def test_register_records_node_and_public_keys(session: Session, clock: Clock) -> None:
    keys = export(ZJ)
    node = register_member_node(session, ZJ, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    assert node.url == "http://127.0.0.1:8101"
    stored = trust_service.list_keys(session, ZJ)
    assert [k.kid for k in stored] == [keys[0]["kid"]]
    assert stored[0].public_jwk == keys[0]["public_jwk"]
    # Idempotent: a second registration with the same export changes nothing.
    register_member_node(session, ZJ, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    assert len(trust_service.list_keys(session, ZJ)) == 1


def test_register_refuses_a_kid_that_is_not_the_keys_thumbprint(
    session: Session, clock: Clock
) -> None:
    keys = export(ZJ)
    keys[0]["kid"] = export(ZJ)[0]["kid"]
    with pytest.raises(ValidationFailed) as caught:
        register_member_node(session, ZJ, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    assert caught.value.errors[0].location == "keys[0].kid"


def test_register_refuses_another_members_key(session: Session, clock: Clock) -> None:
    keys = export(ZJ)
    with pytest.raises(ValidationFailed):
        register_member_node(session, SH, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    register_member_node(session, ZJ, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    keys[0]["member_id"] = SH
    with pytest.raises(ConflictError):
        register_member_node(session, SH, url="http://127.0.0.1:8102", keys=keys, clock=clock)


class _Source:
    def __init__(self, directory: Directory | None) -> None:
        self._directory = directory

    def status(self) -> DirectoryStatus:  # pragma: no cover  # not used by the locator
        raise NotImplementedError

    def directory(self) -> Directory | None:
        return self._directory


def test_database_and_directory_locators_agree(session: Session, clock: Clock) -> None:
    keystore = InMemoryKeyStore()
    trust_service.create_key(
        session,
        REGION_MEMBER_ID,
        algorithm="ES256",
        keystore=keystore,
        by=Actor.system(),
        clock=clock,
    )
    keys = export(ZJ)
    register_member_node(session, ZJ, url="http://127.0.0.1:8101", keys=keys, clock=clock)
    signed = trust_service.publish_directory(session, keystore=keystore, clock=clock)
    directory = verify_directory(
        signed.document, trust_service.root_public_jwk(session), at=fixed_clock()
    )
    kid = keys[0]["kid"]
    for locator in (DatabaseMemberLocator(), DirectoryMemberLocator(_Source(directory))):
        assert locator.node_url(session, ZJ) == "http://127.0.0.1:8101"
        assert locator.node_url(session, SH) is None
        found = locator.key(session, kid)
        assert found is not None
        assert (found.member_id, found.algorithm) == (ZJ, "ES256")
        assert found.window.covers(fixed_clock())
        assert locator.key(session, "no-such-key") is None
    # No valid copy of the directory: nobody is known.
    empty = DirectoryMemberLocator(_Source(None))
    assert empty.node_url(session, ZJ) is None
    assert empty.key(session, kid) is None


def test_serve_settings() -> None:
    base = Settings(directory_url="http://127.0.0.1:1/api/v1/trust/directory")
    with pytest.raises(ConfigurationError):
        bootstrap.serve_settings(base, member=ZJ, directory=True)
    with pytest.raises(ConfigurationError):
        bootstrap.serve_settings(Settings(), member=ZJ, directory=False)
    assert bootstrap.serve_settings(base, member=None, directory=True).directory_url is None
    node = bootstrap.serve_settings(
        base.model_copy(update={"directory_root_key": "{}"}), member=ZJ, directory=False
    )
    assert node.node_member == ZJ
    assert bootstrap.serve_settings(Settings(), member=None, directory=False) == Settings()


def test_root_key_from_json_or_file(tmp_path: Path) -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert bootstrap.directory_root_key(Settings(directory_root_key=json.dumps(jwk)))["x"]
    path = tmp_path / "root.jwk"
    path.write_text(json.dumps(jwk))
    assert bootstrap.directory_root_key(Settings(directory_root_key=str(path)))["x"] == jwk["x"]
    with pytest.raises(ConfigurationError):
        bootstrap.directory_root_key(Settings(directory_root_key=str(tmp_path / "none")))


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The root command configures logging on streams CliRunner closes afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_directory_register_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    engine = create_db_engine(url)
    bootstrap.upgrade_database(engine)
    with Session(engine) as session:
        trust_service.load_default_members(session, clock=fixed_clock)
        keys = export(ZJ)
    engine.dispose()
    (tmp_path / "keys.json").write_text(json.dumps(keys))
    result = CliRunner().invoke(
        cli_main.app,
        [
            "directory",
            "register",
            ZJ,
            "--url",
            "http://127.0.0.1:8101",
            "--keys",
            str(tmp_path / "keys.json"),
            "--json",
        ],
        env={
            "DYRD_DATABASE_URL": url,
            "DYRD_LOG_JSON": "false",
            "DYRD_LEDGER_KEY_PATH": str(tmp_path / "ledger.pem"),
        },
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"] == "http://127.0.0.1:8101"
    bad = CliRunner().invoke(
        cli_main.app,
        [
            "directory",
            "register",
            ZJ,
            "--url",
            "http://127.0.0.1:8101",
            "--keys",
            str(tmp_path / "missing.json"),
        ],
        env={"DYRD_DATABASE_URL": url, "DYRD_LOG_JSON": "false"},
    )
    assert bad.exit_code != 0
