"""Member keys: defaults, create/rotate/revoke rules, the key file store, no key material leaks."""

from __future__ import annotations

import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url
from dyrd.core.clock import Clock
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust import service
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.compute import jose
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.repository import TrustRepository
from dyrd.trust.types import KeyAlgorithm, KeyStatus
from tests.conftest import FIXED_NOW
from tests.fakes import InMemoryKeyStore
from tests.trust.conftest import JS, ZJ, ZJ_DSJ

SYSTEM = Actor.system()
ES256, EDDSA = KeyAlgorithm.ES256.value, KeyAlgorithm.EDDSA.value


def at(minutes: float) -> Clock:
    """A clock frozen ``minutes`` after FIXED_NOW."""
    return lambda: FIXED_NOW + timedelta(minutes=minutes)


# --- service rules -----------------------------------------------------------------------------


def test_init_creates_the_root_and_two_keys_per_jurisdiction_once(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    first = service.init_default_keys(session, keystore=keystore, clock=clock)
    assert (len(first.created), first.existing) == (9, 0)
    owners = sorted((k.member_id, k.algorithm.value) for k in first.created)
    assert owners[0] == (REGION_MEMBER_ID, ES256)
    assert {m for m, _ in owners[1:]} == {
        f"CN-YRD/GOV/{c}" for c in (310000, 320000, 330000, 340000)
    }
    assert all(k.status is KeyStatus.ACTIVE and k.not_after is None for k in first.created)
    again = service.init_default_keys(session, keystore=keystore, clock=clock)
    assert (again.created, again.existing) == ([], 9)
    assert all(k.kid in keystore for k in first.created)


def test_key_ids_are_rfc7638_thumbprints_of_the_stored_public_keys(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    for key in service.list_keys(session):
        assert jose.thumbprint(key.public_jwk) == key.kid == key.public_jwk["kid"]
        assert key.public_jwk["alg"] == key.algorithm.value
        assert jose.public_jwk(keyed.public_key(key.kid)) == {
            k: v for k, v in key.public_jwk.items() if k not in {"kid", "alg", "use"}
        }
        assert "d" not in key.public_jwk


def test_create_refuses_a_second_active_key_and_checks_input(
    session: Session, clock: Clock, keyed: InMemoryKeyStore
) -> None:
    with pytest.raises(ConflictError) as conflict:
        service.create_key(session, ZJ, algorithm=ES256, keystore=keyed, by=SYSTEM, clock=clock)
    assert "dyrd key rotate" in conflict.value.hint
    with pytest.raises(ValidationFailed) as bad:
        service.create_key(session, ZJ, algorithm="RS256", keystore=keyed, by=SYSTEM, clock=clock)
    assert [e.location for e in bad.value.errors] == ["algorithm"]
    with pytest.raises(NotFoundError):
        service.create_key(
            session, f"{ZJ}/XYZ", algorithm=ES256, keystore=keyed, by=SYSTEM, clock=clock
        )
    created = service.create_key(
        session, ZJ_DSJ, algorithm=EDDSA, keystore=keyed, by=SYSTEM, clock=clock
    )
    assert (created.member_id, created.algorithm, created.created_by) == (ZJ_DSJ, "EdDSA", "system")


def test_only_an_admin_of_the_member_manages_its_keys(
    session: Session, clock: Clock, keyed: InMemoryKeyStore
) -> None:
    js_admin = Principal("js-admin", {JS: frozenset({Role.ADMIN})})
    zj_admin = Principal("zj-admin", {ZJ: frozenset({Role.ADMIN})})
    with pytest.raises(PermissionDenied):
        service.rotate_key(session, ZJ, algorithm=ES256, keystore=keyed, by=js_admin, clock=clock)
    rotated = service.rotate_key(
        session, ZJ_DSJ, algorithm=ES256, keystore=keyed, by=zj_admin, clock=clock
    )
    assert (rotated.active.created_by, rotated.active.created_for) == ("zj-admin", ZJ_DSJ)
    with pytest.raises(PermissionDenied):
        service.revoke_key(session, rotated.active.kid, by=js_admin, clock=clock)


def test_rotation_retires_the_old_key_at_the_moment_the_new_one_starts(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    before = {k.kid for k in service.list_keys(session, ZJ)}
    result = service.rotate_key(
        session, ZJ, algorithm=ES256, keystore=keyed, by=SYSTEM, clock=at(30)
    )
    assert result.retired is not None
    assert result.retired.kid in before
    assert result.retired.status is KeyStatus.RETIRED
    assert result.retired.not_after == result.active.not_before == FIXED_NOW + timedelta(minutes=30)
    assert result.active.status is KeyStatus.ACTIVE
    listed = {k.kid: k.status for k in service.list_keys(session, ZJ)}
    assert listed[result.retired.kid] is KeyStatus.RETIRED
    assert sum(s is KeyStatus.ACTIVE for s in listed.values()) == 2  # ES256 new + EdDSA


def test_rotating_a_member_without_a_key_just_creates_one(
    session: Session, clock: Clock, keystore: InMemoryKeyStore
) -> None:
    result = service.rotate_key(
        session, ZJ_DSJ, algorithm=EDDSA, keystore=keystore, by=SYSTEM, clock=clock
    )
    assert result.retired is None
    assert result.active.status is KeyStatus.ACTIVE


def test_revocation_time_may_move_earlier_never_later_or_into_the_future(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    kid = service.list_keys(session, JS)[0].kid
    with pytest.raises(ValidationFailed):
        service.revoke_key(
            session, kid, effective_at=FIXED_NOW + timedelta(hours=2), by=SYSTEM, clock=at(60)
        )
    with pytest.raises(ValidationFailed):
        service.revoke_key(
            session, kid, effective_at=FIXED_NOW - timedelta(days=1), by=SYSTEM, clock=at(60)
        )
    first = service.revoke_key(session, kid, reason="lost laptop", by=SYSTEM, clock=at(60))
    assert (first.status, first.revoked_at) == (KeyStatus.REVOKED, FIXED_NOW + timedelta(hours=1))
    assert first.revocation_reason == "lost laptop"
    later = service.revoke_key(session, kid, by=SYSTEM, clock=at(90))
    assert later.revoked_at == first.revoked_at
    earlier = service.revoke_key(
        session, kid, effective_at=FIXED_NOW + timedelta(minutes=10), by=SYSTEM, clock=at(90)
    )
    assert earlier.revoked_at == FIXED_NOW + timedelta(minutes=10)
    with pytest.raises(NotFoundError):
        service.revoke_key(session, "x" * 43, by=SYSTEM, clock=at(90))


def test_the_database_allows_one_active_key_per_member_and_algorithm(
    session: Session, keyed: InMemoryKeyStore
) -> None:
    repo = TrustRepository(session)
    extra = keyed.generate(KeyAlgorithm.ES256)
    jwk = jose.public_jwk(keyed.public_key(extra))
    with pytest.raises(IntegrityError), session.begin_nested():
        repo.add_key(extra, ZJ, ES256, jwk, actor=SYSTEM, at=FIXED_NOW)


def test_migration_0005_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    tables = {"trust_key", "trust_node", "trust_directory"}
    try:
        config = bootstrap.alembic_config(engine)
        command.upgrade(config, "0005_trust_keys")
        assert set(inspect(engine).get_table_names()) >= tables
        command.downgrade(config, "0004_exchange")
        assert not tables & set(inspect(engine).get_table_names())
        command.upgrade(config, "0005_trust_keys")
        assert set(inspect(engine).get_table_names()) >= tables
    finally:
        engine.dispose()


# --- the file key store ------------------------------------------------------------------------


def test_key_files_are_0600_in_a_0700_directory_and_survive_a_restart(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    kids = [store.generate(KeyAlgorithm.ES256), store.generate(KeyAlgorithm.EDDSA)]
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for kid in kids:
        path = store.path(kid)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == sorted(f"{k}.pem" for k in kids)
    restarted = FileKeyStore(tmp_path / "keys")
    for kid in kids:
        assert kid in restarted
        spki = restarted.public_key(kid)
        assert jose.key_id(spki) == kid
        alg = jose.algorithm_of(jose.public_jwk(spki))
        assert jose.verify_jwk(alg, jose.public_jwk(spki), b"x", restarted.sign(kid, b"x"))


def test_a_passphrase_encrypts_key_files_and_is_needed_to_use_them(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, passphrase=b"correct horse")
    kid = store.generate(KeyAlgorithm.ES256)
    assert store.path(kid).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(store.path(kid).stat().st_mode) == 0o600
    assert len(FileKeyStore(tmp_path, passphrase=b"correct horse").sign(kid, b"m")) == 64
    with pytest.raises(KeyStoreError) as wrong:
        FileKeyStore(tmp_path, passphrase=b"battery staple").sign(kid, b"m")
    assert "wrong passphrase" in wrong.value.message
    with pytest.raises(KeyStoreError) as missing:
        FileKeyStore(tmp_path).sign(kid, b"m")
    assert "DYRD_KEY_PASSPHRASE" in missing.value.hint


def test_the_store_refuses_readable_renamed_missing_and_ill_named_keys(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    kid = store.generate(KeyAlgorithm.EDDSA)
    os.chmod(store.path(kid), 0o640)
    with pytest.raises(KeyStoreError) as readable:
        FileKeyStore(tmp_path).sign(kid, b"m")
    assert "chmod 600" in readable.value.hint
    os.chmod(store.path(kid), 0o600)
    other = store.generate(KeyAlgorithm.EDDSA)
    store.path(other).unlink()
    store.path(kid).rename(store.path(other))
    with pytest.raises(KeyStoreError) as renamed:
        FileKeyStore(tmp_path).sign(other, b"m")
    assert "different key" in renamed.value.message
    with pytest.raises(KeyStoreError, match="not in the key store"):
        FileKeyStore(tmp_path).sign(kid, b"m")
    with pytest.raises(KeyStoreError, match="not a key id"):
        store.sign("../../etc/passwd", b"m")
    assert "../../etc/passwd" not in store


def test_bootstrap_builds_the_store_from_settings(tmp_path: Path) -> None:
    store = bootstrap.trust_keystore(
        Settings(key_dir=tmp_path / "k", key_passphrase="s3cret")  # type: ignore[arg-type]
    )
    assert isinstance(store, FileKeyStore)
    assert store.encrypted
    assert store.directory == tmp_path / "k"
    assert not (tmp_path / "k").exists()  # nothing is created until a key is


# --- no key material anywhere --------------------------------------------------------------------


def _private_material(path: Path) -> list[str]:
    """Every spelling of the private key in ``path`` that a leak could take."""
    pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if isinstance(key, Ed25519PrivateKey):
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        raw = key.private_numbers().private_value.to_bytes(32, "big")
    body = [line for line in pem.decode().splitlines() if not line.startswith("-----")]
    return [b64url(raw), raw.hex(), str(int.from_bytes(raw, "big")), *body]


def test_private_keys_never_reach_logs_reprs_errors_or_responses(
    *,
    tmp_path: Path,
    session: Session,
    clock: Clock,
    app: FastAPI,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FileKeyStore(tmp_path / "keys")
    app.state.trust_keystore = store
    caplog.set_level(logging.DEBUG)
    init = service.init_default_keys(session, keystore=store, clock=clock)
    rotated = service.rotate_key(
        session, ZJ, algorithm=ES256, keystore=store, by=SYSTEM, clock=at(1)
    )
    signer = service.member_signer(session, ZJ, keystore=store, algorithm=EDDSA)
    signer.sign(b"payload")
    service.publish_directory(session, keystore=store, clock=at(2))
    errors = []
    for bad in ("../x", "A" * 43):
        try:
            store.sign(bad, b"m")
        except KeyStoreError as exc:
            errors.append(f"{exc} {exc.message_zh} {exc.hint} {exc!r}")
    outputs = [
        caplog.text,
        *(str(vars(record)) for record in caplog.records),
        repr(store),
        repr(signer),
        repr(service.key_verifier(lambda: session)),
        repr(Settings(key_passphrase="s3cret")),  # type: ignore[arg-type]
        repr(init),
        repr(rotated),
        *errors,
        client.get("/api/v1/trust/keys").text,
        client.get("/api/v1/trust/directory").text,
        client.get("/api/v1/trust/directory/root-key").text,
    ]
    assert "rotated to" in caplog.text
    haystack = "\n".join(outputs)
    assert "s3cret" not in haystack
    assert "PRIVATE KEY" not in haystack
    files = sorted((tmp_path / "keys").glob("*.pem"))
    assert len(files) == 10
    for path in files:
        for secret in _private_material(path):
            assert secret not in haystack, path.name
