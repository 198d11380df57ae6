"""`dyrd member|user|token`: bootstrapping the first admin, exit codes, bilingual errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from dyrd import bootstrap
from dyrd.cli.main import app
from dyrd.core.config import Settings

ZJ_DSJ = "CN-YRD/GOV/330000/DSJ"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # The root command installs a stderr handler bound to CliRunner's stream, closed afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def run(url: str, *args: str) -> Result:
    """Invoke `dyrd ARGS` against the database at ``url``."""
    return CliRunner().invoke(
        app, list(args), env={"DYRD_DATABASE_URL": url, "DYRD_LOG_JSON": "false"}
    )


def ok(url: str, *args: str) -> Result:
    result = run(url, *args)
    assert result.exit_code == 0, result.output
    return result


def squashed(text: str) -> str:
    """Text without whitespace: Rich wraps long lines, even inside Chinese phrases."""
    return "".join(text.split())


def prepare(url: str) -> None:
    ok(url, "db", "upgrade")
    ok(url, "member", "load")


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    """A database file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture(scope="module")
def ready_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database with the default members and a region admin `root`."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'ready.db'}"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    prepare(url)
    ok(url, "user", "create", "root", "--member", "CN-YRD", "--role", "admin")
    root.handlers[:] = handlers
    root.setLevel(level)
    return url


def api_get(url: str, path: str, token: str) -> Any:
    web = bootstrap.build_app(Settings(database_url=url))
    try:
        with TestClient(web, raise_server_exceptions=False) as client:
            resp = client.get(path, headers={"Authorization": f"Bearer {token}"})
            return resp.status_code, resp.json()
    finally:
        web.state.engine.dispose()


def test_operator_bootstraps_the_first_admin_whose_token_then_works_over_http(
    fresh_url: str,
) -> None:
    prepare(fresh_url)
    created = json.loads(
        ok(
            fresh_url,
            "user",
            "create",
            "root",
            "--member",
            "CN-YRD",
            "--role",
            "admin",
            "--name",
            "区域管理员",
            "--json",
        ).stdout
    )
    assert (created["created_by"], created["created_for"]) == ("system", "CN-YRD")
    assert [(r["member_id"], r["role"]) for r in created["roles"]] == [("CN-YRD", "admin")]
    issued = ok(fresh_url, "token", "create", "root", "--days", "7", "--name", "bootstrap")
    secret = issued.stdout.strip()
    assert secret.startswith("dyrd_")
    assert len(secret) == 48
    assert "不会再次显示" in issued.stderr
    assert "will not be shown again" in issued.stderr
    status, me = api_get(fresh_url, "/api/v1/trust/me", secret)
    assert status == 200
    assert me["username"] == "root"
    assert [(r["member_id"], r["role"]) for r in me["roles"]] == [("CN-YRD", "admin")]
    listed = ok(fresh_url, "token", "list", "root", "--json")
    assert secret not in listed.stdout
    assert json.loads(listed.stdout)[0]["last_used_at"] is not None


def test_member_load_is_idempotent_and_list_filters(ready_url: str) -> None:
    again = json.loads(ok(ready_url, "member", "load", "--json").stdout)
    assert again == {"created": 0, "existing": 21}
    members = json.loads(ok(ready_url, "member", "list", "--json").stdout)
    assert len(members) == 21
    departments = json.loads(
        ok(ready_url, "member", "list", "--parent", "CN-YRD/GOV/310000", "--json").stdout
    )
    assert {m["id"].rsplit("/", 1)[1] for m in departments} == {"DSJ", "WJW", "SCJG", "FGW"}
    table = ok(ready_url, "member", "list", "--kind", "jurisdiction").stdout
    assert "浙江省" in table
    assert "Zhejiang" in table


def test_json_token_output_carries_the_secret_and_the_warning(ready_url: str) -> None:
    body = json.loads(ok(ready_url, "token", "create", "root", "--json").stdout)
    assert body["token"].startswith("dyrd_")
    assert body["prefix"] == body["token"][:13]
    assert "不会再次显示" in body["warning"]


def test_revoked_token_and_deactivated_user_stop_working_over_http(ready_url: str) -> None:
    ok(ready_url, "user", "create", "clerk", "--member", ZJ_DSJ, "--role", "viewer")
    ok(
        ready_url,
        "user",
        "grant",
        "clerk",
        "--member",
        "CN-YRD/GOV/330000/WJW",
        "--role",
        "analyst",
    )
    shown = json.loads(ok(ready_url, "user", "show", "clerk", "--json").stdout)
    assert {(r["member_id"], r["role"]) for r in shown["roles"]} == {
        (ZJ_DSJ, "viewer"),
        ("CN-YRD/GOV/330000/WJW", "analyst"),
    }
    first = json.loads(ok(ready_url, "token", "create", "clerk", "--json").stdout)
    second = ok(ready_url, "token", "create", "clerk").stdout.strip()
    assert api_get(ready_url, "/api/v1/trust/me", first["token"])[0] == 200
    ok(ready_url, "token", "revoke", str(first["id"]))
    status, body = api_get(ready_url, "/api/v1/trust/me", first["token"])
    assert (status, body["type"]) == (401, "urn:dyrd:problem:authentication-required")
    assert api_get(ready_url, "/api/v1/trust/me", second)[0] == 200
    ok(ready_url, "user", "deactivate", "clerk")
    assert api_get(ready_url, "/api/v1/trust/me", second)[0] == 401
    ok(ready_url, "user", "activate", "clerk")
    assert api_get(ready_url, "/api/v1/trust/me", second)[0] == 200
    ok(ready_url, "user", "revoke", "clerk", "--member", ZJ_DSJ, "--role", "viewer")
    roles = json.loads(ok(ready_url, "user", "show", "clerk", "--json").stdout)["roles"]
    assert [r["member_id"] for r in roles] == ["CN-YRD/GOV/330000/WJW"]


@pytest.mark.parametrize(
    ("args", "code", "english", "chinese"),
    [
        (
            ("user", "create", "Bad!", "--member", "CN-YRD", "--role", "admin"),
            3,
            "username: Use 2-64 lower-case letters",
            "用户名须为",
        ),
        (
            ("user", "create", "newbie", "--member", "CN-YRD", "--role", "boss"),
            3,
            "Unknown role; choose one of viewer, analyst, data_steward, admin",
            "未知角色",
        ),
        (
            ("user", "create", "newbie", "--member", "CN-YRD/GOV/33", "--role", "viewer"),
            3,
            "Not a member identifier",
            "不是合法的成员标识",
        ),
        (
            ("user", "create", "newbie", "--member", f"{ZJ_DSJ}X", "--role", "viewer"),
            4,
            "No member 'CN-YRD/GOV/330000/DSJX'",
            "没有成员",
        ),
        (
            ("user", "grant", "nobody", "--member", "CN-YRD", "--role", "viewer"),
            4,
            "No user 'nobody'",
            "没有用户",
        ),
        (
            ("user", "create", "root", "--member", "CN-YRD", "--role", "admin"),
            5,
            "User 'root' already exists",
            "已存在",
        ),
        (("token", "create", "root", "--days", "0"), 3, "Lifetime must be 1 to 3650", "有效期"),
        (("token", "revoke", "424242"), 4, "No API token with id 424242", "没有编号为"),
        (("member", "list", "--kind", "province"), 3, "Unknown kind", "未知类别"),
        (
            ("member", "create", ZJ_DSJ, "--name-zh", "数据局", "--name-en", "Data"),
            5,
            "already exists",
            "已存在",
        ),
    ],
)
def test_bad_input_exits_with_the_errors_code_and_a_bilingual_message(
    ready_url: str, args: tuple[str, ...], code: int, english: str, chinese: str
) -> None:
    result = run(ready_url, *args)
    assert result.exit_code == code, result.output
    err = squashed(result.stderr)
    assert squashed("错误 Error:") in err
    assert squashed(english) in err
    assert squashed(chinese) in err
    assert result.stdout == ""


def test_help_is_bilingual() -> None:
    result = CliRunner().invoke(app, ["token", "create", "--help"])
    assert result.exit_code == 0
    assert squashed("仅显示一次") in squashed(result.stdout)
    assert squashed("it is shown this once only") in squashed(result.stdout)
