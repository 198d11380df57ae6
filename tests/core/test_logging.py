"""Structured logs: one JSON object per line with the record's extra fields."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from dyrd.core.logging import JsonFormatter, configure_logging, resolve_logging


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, restored to its handlers and level after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _record(msg: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("dyrd.test", logging.WARNING, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_json_line_with_the_standard_fields() -> None:
    line = JsonFormatter().format(_record("hello %s", "world"))
    assert "\n" not in line
    payload = json.loads(line)
    assert set(payload) == {"ts", "level", "logger", "msg"}
    assert payload["level"] == "warning"
    assert payload["logger"] == "dyrd.test"
    assert payload["msg"] == "hello world"
    ts = datetime.fromisoformat(payload["ts"])
    assert ts.utcoffset() == timedelta(0)


def test_extra_fields_are_top_level_members() -> None:
    payload = json.loads(
        JsonFormatter().format(_record("imported", path="/api/v1/region", rows=41, ok=True))
    )
    assert payload["path"] == "/api/v1/region"
    assert payload["rows"] == 41
    assert payload["ok"] is True


def test_values_json_cannot_encode_are_written_as_text() -> None:
    payload = json.loads(JsonFormatter().format(_record("x", when=datetime(2026, 11, 26))))  # noqa: DTZ001
    assert payload["when"] == "2026-11-26 00:00:00"


def test_chinese_is_written_as_is() -> None:
    line = JsonFormatter().format(_record("已载入 %d 城市", 41))
    assert "已载入 41 城市" in line


def test_private_attributes_are_left_out() -> None:
    payload = json.loads(JsonFormatter().format(_record("x", _internal="hidden")))
    assert "_internal" not in payload


def _fail() -> None:
    raise RuntimeError("boom")


def test_exceptions_are_included_with_their_traceback() -> None:
    try:
        _fail()
    except RuntimeError:
        record = logging.LogRecord(
            "dyrd.test", logging.ERROR, __file__, 1, "failed", None, exc_info=sys.exc_info()
        )
    payload = json.loads(JsonFormatter().format(record))
    assert payload["msg"] == "failed"
    assert "Traceback" in payload["exc"]
    assert "RuntimeError: boom" in payload["exc"]


def test_configure_logging_writes_json_lines_to_stderr(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json_lines=True)
    logging.getLogger("dyrd.test").info("token %s created", "abc", extra={"user": "admin"})
    logging.getLogger("dyrd.test").debug("not shown")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["msg"] == "token abc created"
    assert payload["user"] == "admin"
    assert payload["level"] == "info"


def test_configure_logging_plain_text_for_people(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("warning", json_lines=False)
    logging.getLogger("dyrd.test").warning("disk almost full")
    assert capsys.readouterr().err.strip() == "WARNING dyrd.test: disk almost full"
    assert root_logger.level == logging.WARNING


def test_configure_logging_twice_installs_one_handler(root_logger: logging.Logger) -> None:
    before = len(root_logger.handlers)
    configure_logging("INFO")
    configure_logging("DEBUG")
    ours = [h for h in root_logger.handlers if getattr(h, "_dyrd", False)]
    assert len(ours) == 1
    assert len(root_logger.handlers) == before + 1
    assert root_logger.level == logging.DEBUG


@pytest.mark.parametrize(
    ("interactive", "server", "expected"),
    [
        (True, False, ("WARNING", False)),  # a person running one command reads answers, not INFO
        (False, False, ("INFO", True)),  # pipes and CI keep the JSON record
        (True, True, ("INFO", False)),  # a server started at a terminal shows its requests
        (False, True, ("INFO", True)),
    ],
)
def test_unset_logging_follows_who_reads_it(
    interactive: bool, server: bool, expected: tuple[str, bool]
) -> None:
    assert resolve_logging(None, None, interactive=interactive, server=server) == expected


def test_explicit_logging_settings_win() -> None:
    assert resolve_logging("DEBUG", True, interactive=True) == ("DEBUG", True)
    assert resolve_logging("ERROR", False, interactive=False, server=True) == ("ERROR", False)
