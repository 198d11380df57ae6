"""The root `dyrd` command: help, database upgrade, region commands, errors and `serve` refusals."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from dyrd import bootstrap
from dyrd.cli import main as cli_main
from dyrd.core.cliutil import EXIT_CODES, exit_code_for
from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    NotFoundError,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)
from dyrd.region import bundled

UNREACHABLE_PG = "postgresql+psycopg://x@127.0.0.1:1/none"


def _env(database_url: str, tmp: Path, **extra: str) -> dict[str, str | None]:
    """The environment of one invocation: only our DYRD_ variables, a wide console."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.upper().startswith("DYRD_")}
    env.update(
        DYRD_DATABASE_URL=database_url,
        DYRD_LEDGER_KEY_PATH=str(tmp / "ledger.pem"),  # never write keys into the checkout
        DYRD_LOG_JSON="false",
        COLUMNS="200",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str | None]) -> Result:
    """Invoke `dyrd` in-process; stdout and stderr stay separate."""
    result = CliRunner().invoke(cli_main.app, args, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def flat(text: str) -> str:
    """Text with line wrapping undone, so assertions do not depend on the console width."""
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The root command configures logging on streams CliRunner closes afterwards."""
    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    handlers, level, alembic_level = list(root.handlers), root.level, alembic.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    alembic.setLevel(alembic_level)


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replaces uvicorn.run: records what `serve` would have served instead of serving it."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: object, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(cli_main.uvicorn, "run", fake_run)
    return calls


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    """The environment of a SQLite file upgraded and loaded through the CLI itself."""
    tmp = tmp_path_factory.mktemp("cli")
    env = _env(f"sqlite:///{tmp / 'dyrd.db'}", tmp)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert run(["db", "upgrade"], env).exit_code == 0
        assert run(["region", "load"], env).exit_code == 0
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return env


# --- help ------------------------------------------------------------------------------------


def test_help_is_in_chinese_and_english(tmp_path: Path) -> None:
    result = run(["--help"], _env("not a url", tmp_path))
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert "数字长三角" in text
    assert "Digital YRD" in text
    for command in ("db", "region", "serve"):
        assert command in text


def test_subcommand_help_is_bilingual_and_needs_no_database(tmp_path: Path) -> None:
    result = run(["region", "--help"], _env("not a url", tmp_path))
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert "城市" in text
    assert "cities" in text


# --- db upgrade ------------------------------------------------------------------------------


def test_db_upgrade_creates_a_fresh_sqlite_database_at_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "fresh.db"
    env = _env(f"sqlite:///{path}", tmp_path)
    result = run(["db", "upgrade"], env)
    assert result.exit_code == 0, result.stderr
    head = bootstrap.head_revision()
    assert head in result.stdout
    assert "数据库已升级" in result.stdout
    assert path.is_file()
    again = run(["db", "upgrade", "--json"], env)  # idempotent
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {"revision": head, "database": "sqlite"}


# --- region ----------------------------------------------------------------------------------


def test_region_load_reports_counts_and_is_idempotent(loaded: dict[str, str | None]) -> None:
    result = run(["region", "load", "--json"], loaded)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["provinces"] == 4
    assert report["cities"] == 41
    assert report["statistics"] > 0


def test_region_cities_json_matches_the_bundled_file(loaded: dict[str, str | None]) -> None:
    result = run(["region", "cities", "--json"], loaded)
    assert result.exit_code == 0, result.stderr
    cities = json.loads(result.stdout)
    assert len(cities) == 41
    source = {row["code"]: row for row in bundled.read_cities()}
    assert {c["code"] for c in cities} == set(source)
    for city in cities:
        row = source[city["code"]]
        assert city["population"]["value"] == float(row["pop_resident_2019_10k"])
        assert city["gdp"]["value"] == float(row["gdp_2019_100m_yuan"])


def test_region_cities_of_one_province(loaded: dict[str, str | None]) -> None:
    result = run(["region", "cities", "--province", "340000", "--json"], loaded)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 16


def test_region_cities_table_shows_names_in_both_languages(loaded: dict[str, str | None]) -> None:
    result = run(["region", "cities"], loaded)
    assert result.exit_code == 0, result.stderr
    assert "苏州市" in result.stdout
    assert "Suzhou" in result.stdout


def test_region_show_json_has_the_city_and_its_sourced_statistics(
    loaded: dict[str, str | None],
) -> None:
    result = run(["region", "show", "320500", "--json"], loaded)
    assert result.exit_code == 0, result.stderr
    city = json.loads(result.stdout)
    assert city["code"] == "320500"
    assert city["name_zh"] == "苏州市"
    assert city["province_code"] == "320000"
    assert city["statistics"]
    assert all(s["source"] and s["year"] for s in city["statistics"])
    row = next(r for r in bundled.read_cities() if r["code"] == "320500")
    assert city["gdp"]["value"] == float(row["gdp_2019_100m_yuan"])


def test_region_show_table(loaded: dict[str, str | None]) -> None:
    result = run(["region", "show", "320500"], loaded)
    assert result.exit_code == 0, result.stderr
    assert "苏州市" in result.stdout
    assert "gdp" in result.stdout


def test_unknown_city_exits_4_with_a_bilingual_error(loaded: dict[str, str | None]) -> None:
    result = run(["region", "show", "999999"], loaded)
    assert result.exit_code == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("错误 Error:")
    assert "999999" in lines[0]
    assert "No city with division code '999999'" in flat(result.stderr)
    assert "提示 Hint:" in result.stderr


def test_unknown_province_exits_4(loaded: dict[str, str | None]) -> None:
    result = run(["region", "cities", "--province", "990000"], loaded)
    assert result.exit_code == 4
    assert "990000" in result.stderr


def test_brackets_in_user_input_are_printed_not_read_as_markup(
    loaded: dict[str, str | None],
) -> None:
    result = run(["region", "show", "[/bold]"], loaded)
    assert result.exit_code == 4
    assert "[/bold]" in result.stderr


# --- serve refuses to start on a database it cannot use ---------------------------------------


@pytest.mark.parametrize(
    "url",
    ["not a url", "postgresql://dyrd@db:port/dyrd"],
    ids=["words", "bad-port"],  # not "[postgresql...": the run summary counts those ids
)
def test_serve_refuses_a_malformed_url(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], url: str
) -> None:
    result = run(["serve"], _env(url, tmp_path))
    assert result.exit_code == 8
    text = flat(result.stderr)
    assert "错误 Error:" in text
    assert "DYRD_DATABASE_URL is not a valid database URL" in text
    assert "sqlite:///" in text  # the hint shows what a valid URL looks like
    assert uvicorn_calls == []


def test_serve_refuses_an_unreachable_postgresql_naming_it(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    result = run(["serve"], _env(UNREACHABLE_PG, tmp_path))
    assert result.exit_code == 8
    text = flat(result.stderr)
    assert f"Cannot reach the database at {UNREACHABLE_PG}" in text
    assert "DYRD_DATABASE_URL" in text
    assert uvicorn_calls == []


def test_serve_never_prints_the_database_password(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    result = run(["serve"], _env("postgresql+psycopg://x:s3cret@127.0.0.1:1/none", tmp_path))
    assert result.exit_code == 8
    assert "s3cret" not in result.stderr + result.stdout
    assert "x:***@127.0.0.1" in result.stderr
    assert uvicorn_calls == []


def test_serve_refuses_an_unmigrated_database_with_a_hint(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    result = run(["serve"], _env(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path))
    assert result.exit_code == 8
    text = flat(result.stderr)
    assert "schema none" in text
    assert "dyrd db upgrade" in text
    assert uvicorn_calls == []


def test_serve_starts_uvicorn_on_a_migrated_database(
    loaded: dict[str, str | None], uvicorn_calls: list[dict[str, Any]]
) -> None:
    result = run(["serve", "--port", "8765"], loaded)
    assert result.exit_code == 0, result.stderr
    [call] = uvicorn_calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8765)
    assert "http://127.0.0.1:8765/" in result.stdout


def test_invalid_settings_exit_8_naming_the_variable(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]]
) -> None:
    env = _env(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, DYRD_PORT="eighty")
    result = run(["serve"], env)
    assert result.exit_code == 8
    assert "DYRD_PORT" in result.stderr
    assert uvicorn_calls == []


# --- exit codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (ValidationFailed, 3),
        (NotFoundError, 4),
        (ConflictError, 5),
        (AuthenticationRequired, 6),
        (PermissionDenied, 7),
        (ConfigurationError, 8),
        (ServiceUnavailable, 9),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_each_error_class_has_its_exit_code(cls: type[DyrdError], code: int) -> None:
    assert EXIT_CODES[cls] == code
    assert exit_code_for(cls("x")) == code


def test_errors_outside_the_table_exit_10_and_subclasses_inherit() -> None:
    class Odd(DyrdError):
        pass

    class CityMissing(NotFoundError):
        pass

    assert exit_code_for(Odd("x")) == 10
    assert exit_code_for(CityMissing("x")) == 4
