"""`dyrd key` and `dyrd directory`: the operator's path from no keys to a verified directory."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dyrd.cli.main import app
from dyrd.core.types import REGION_MEMBER_ID

ZJ = "CN-YRD/GOV/330000"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # The root command installs a stderr handler bound to CliRunner's stream, closed afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh database and key directory."""
    return {
        "DYRD_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "DYRD_KEY_DIR": str(tmp_path / "keys"),
        "DYRD_LOG_JSON": "false",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def ok(env: dict[str, str], *args: str) -> Result:
    result = run(env, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def ready(env: dict[str, str]) -> dict[str, str]:
    """Migrated, members loaded, default keys created: what `make run` does before serving."""
    ok(env, "db", "upgrade")
    ok(env, "member", "load")
    ok(env, "key", "init")
    return env


def test_help_is_bilingual() -> None:
    for group in ("key", "directory"):
        result = CliRunner().invoke(app, [group, "--help"])
        assert result.exit_code == 0
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout), group
    assert "Rotate" in CliRunner().invoke(app, ["key", "--help"]).stdout


def test_init_needs_members_then_is_idempotent_with_0600_files(
    env: dict[str, str], tmp_path: Path
) -> None:
    ok(env, "db", "upgrade")
    missing = run(env, "key", "init")
    assert missing.exit_code == 4
    assert "dyrd member load" in missing.output
    ok(env, "member", "load")
    created = json.loads(ok(env, "key", "init", "--json").stdout)
    assert (len(created["created"]), created["existing"]) == (9, 0)
    again = json.loads(ok(env, "key", "init", "--json").stdout)
    assert (again["created"], again["existing"]) == ([], 9)
    files = list((tmp_path / "keys").glob("*.pem"))
    assert len(files) == 9
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_create_rotate_list_revoke(ready: dict[str, str]) -> None:
    conflict = run(ready, "key", "create", ZJ, "--alg", "ES256")
    assert conflict.exit_code == 5
    assert "dyrd key rotate" in conflict.output
    assert run(ready, "key", "create", ZJ, "--alg", "RS256").exit_code == 3
    dept = json.loads(ok(ready, "key", "create", f"{ZJ}/DSJ", "--alg", "EdDSA", "--json").stdout)
    assert (dept["algorithm"], dept["status"]) == ("EdDSA", "active")
    rotated = json.loads(ok(ready, "key", "rotate", ZJ, "--alg", "ES256", "--json").stdout)
    assert rotated["retired"]["status"] == "retired"
    assert rotated["retired"]["not_after"] == rotated["active"]["not_before"]
    listed = json.loads(ok(ready, "key", "list", ZJ, "--json").stdout)
    assert sorted((k["algorithm"], k["status"]) for k in listed) == [
        ("ES256", "active"),
        ("ES256", "retired"),
        ("EdDSA", "active"),
    ]
    assert all("d" not in k["public_jwk"] for k in listed)
    table = ok(ready, "key", "list").stdout
    assert "CN-YRD" in table
    revoked = json.loads(
        ok(ready, "key", "revoke", dept["kid"], "--reason", "test", "--json").stdout
    )
    assert (revoked["status"], revoked["revocation_reason"]) == ("revoked", "test")
    future = run(ready, "key", "revoke", dept["kid"], "--effective", "2999-01-01T00:00:00Z")
    assert future.exit_code == 3
    naive = run(ready, "key", "revoke", dept["kid"], "--effective", "2026-01-01T00:00:00")
    assert naive.exit_code == 3
    assert run(ready, "key", "revoke", "A" * 43).exit_code == 4


def test_publish_show_export_and_verify_offline(ready: dict[str, str], tmp_path: Path) -> None:
    published = json.loads(ok(ready, "directory", "publish", "--json").stdout)
    assert (published["serial"], published["members"], published["keys"]) == (1, 21, 9)
    assert json.loads(ok(ready, "directory", "publish", "--json").stdout)["serial"] == 2
    shown = ok(ready, "directory", "show").stdout
    assert "Zhejiang" in shown
    summary = json.loads(ok(ready, "directory", "show", "--json").stdout)
    assert summary["serial"] == 2
    document = tmp_path / "directory.json"
    document.write_text(ok(ready, "directory", "show", "--raw").stdout.strip())
    root = tmp_path / "root.jwk"
    root.write_text(ok(ready, "directory", "root-key").stdout)
    assert json.loads(root.read_text())["kid"] == summary["signed_by"]
    valid = json.loads(
        ok(ready, "directory", "verify", str(document), "--root-key", str(root), "--json").stdout
    )
    assert (valid["valid"], valid["serial"]) == (True, 2)

    tampered = tmp_path / "tampered.json"
    tampered.write_text(document.read_text().replace("Zhejiang", "Zhejiang!"))
    refused = run(ready, "directory", "verify", str(tampered), "--root-key", str(root))
    assert refused.exit_code == 3
    assert "signature" in refused.output
    expired = run(
        ready,
        "directory",
        "verify",
        str(document),
        "--root-key",
        str(root),
        "--at",
        "2099-01-01T00:00:00Z",
    )
    assert expired.exit_code == 3
    assert "expired" in expired.output

    keys = json.loads(ok(ready, "key", "list", ZJ, "--json").stdout)
    wrong = tmp_path / "wrong.jwk"
    wrong.write_text(json.dumps(keys[0]["public_jwk"]))
    untrusted = run(ready, "directory", "verify", str(document), "--root-key", str(wrong))
    assert untrusted.exit_code == 3
    assert "not the pinned root key" in untrusted.output
    assert (
        run(ready, "directory", "verify", str(document), "--root-key", str(document)).exit_code == 3
    )
    assert (
        run(ready, "directory", "verify", str(tmp_path / "none"), "--root-key", str(root)).exit_code
        == 3
    )


def test_publishing_without_keys_says_what_to_run(env: dict[str, str]) -> None:
    ok(env, "db", "upgrade")
    ok(env, "member", "load")
    result = run(env, "directory", "publish")
    assert result.exit_code == 4
    assert "dyrd key init" in result.output
    assert REGION_MEMBER_ID in result.output
