"""Structured logging: one JSON object per line (or plain text for people)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its ``extra=`` fields as a JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def resolve_logging(
    level: str | None, json_lines: bool | None, *, interactive: bool, server: bool = False
) -> tuple[str, bool]:
    """Level and format when settings leave them unset.

    A person at a terminal running a one-off command wants answers, not INFO records; servers and
    pipes (CI, log shippers) keep INFO, and JSON lines unless a person is reading.
    """
    resolved_level = level or ("INFO" if server or not interactive else "WARNING")
    resolved_json = (not interactive) if json_lines is None else json_lines
    return resolved_level, resolved_json


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Install one stderr handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_dyrd", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._dyrd = True  # type: ignore[attr-defined]  # marks our handler for idempotent reconfiguration
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
