"""Settings come from DYRD_-prefixed environment variables and refuse invalid values."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from dyrd.core.config import Settings, load_settings
from dyrd.core.errors import ConfigurationError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DYRD_ variable of the developer's shell leaks into these tests."""
    for name in list(os.environ):
        if name.upper().startswith("DYRD_"):
            monkeypatch.delenv(name)


def test_defaults_describe_the_embedded_setup() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///var/dyrd.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert (settings.log_level, settings.log_json) == (None, None)  # resolved by the edge
    assert settings.default_language == "zh"


def test_every_field_reads_its_dyrd_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYRD_DATABASE_URL", "postgresql+psycopg://dyrd@db:5432/dyrd")
    monkeypatch.setenv("DYRD_HOST", "10.0.0.5")
    monkeypatch.setenv("DYRD_PORT", "9000")
    monkeypatch.setenv("DYRD_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DYRD_LOG_JSON", "false")
    monkeypatch.setenv("DYRD_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("DYRD_TOKEN_DEFAULT_DAYS", "30")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://dyrd@db:5432/dyrd"
    assert (settings.host, settings.port) == ("10.0.0.5", 9000)
    assert (settings.log_level, settings.log_json) == ("DEBUG", False)
    assert settings.default_language == "en"
    assert settings.token_default_days == 30


def test_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("dyrd_port", "8123")
    assert Settings().port == 8123


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    monkeypatch.setenv("PORT", "1")
    settings = Settings()
    assert settings.database_url == "sqlite:///var/dyrd.db"
    assert settings.port == 8000


def test_unknown_dyrd_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # DYRD_TEST_DATABASE_URL belongs to the test suite, not to the settings.
    monkeypatch.setenv("DYRD_TEST_DATABASE_URL", "postgresql+psycopg://x@y/z")
    monkeypatch.setenv("DYRD_NO_SUCH_SETTING", "1")
    assert Settings().database_url == "sqlite:///var/dyrd.db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DYRD_PORT", "0"),
        ("DYRD_PORT", "65536"),
        ("DYRD_PORT", "eighty"),
        ("DYRD_DEFAULT_LANGUAGE", "fr"),
        ("DYRD_TOKEN_DEFAULT_DAYS", "0"),
        ("DYRD_LOG_JSON", "maybe"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as exc:
        Settings()
    field = name.removeprefix("DYRD_").lower()
    assert [e["loc"] for e in exc.value.errors()] == [(field,)]


def test_explicit_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYRD_DATABASE_URL", "sqlite:///from-env.db")
    assert Settings(database_url="sqlite:///explicit.db").database_url == "sqlite:///explicit.db"


def test_load_settings_turns_invalid_values_into_one_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DYRD_PORT", "eighty")
    monkeypatch.setenv("DYRD_DEFAULT_LANGUAGE", "fr")
    with pytest.raises(ConfigurationError) as exc:
        load_settings()
    assert {e.location for e in exc.value.errors} == {"DYRD_PORT", "DYRD_DEFAULT_LANGUAGE"}
    assert exc.value.message_zh
    assert exc.value.hint
    # Values are not repeated: other settings may hold passwords.
    assert all(e.value is None for e in exc.value.errors)
    assert "eighty" not in str(exc.value)


def test_load_settings_returns_the_settings_when_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYRD_PORT", "8080")
    assert load_settings().port == 8080
