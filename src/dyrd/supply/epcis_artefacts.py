"""The GS1 EPCIS 2.0 artefacts (JSON Schema, JSON-LD context), read from a local directory.

GS1 publishes them (ref.gs1.org/standards/epcis/artefacts) without an open-source licence, so
they are not bundled: the operator downloads them once and points ``DYRD_EPCIS_ARTEFACTS_DIR``
at the directory. Both the upstream repository layout (files at the top) and a
``schema/`` + ``context/`` layout are accepted. Nothing is ever fetched over the network.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from dyrd.core.errors import ConfigurationError
from dyrd.supply.compute.epcis_validate import SchemaHolder

SCHEMA_FILE = "EPCIS-JSON-Schema.json"
CONTEXT_FILE = "epcis-context.jsonld"
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
"""Where the examples (and clients) reference the GS1 context; mapped to the local copy."""


def _find(directory: Path, name: str, sub: str) -> Path:
    for candidate in (directory / name, directory / sub / name):
        if candidate.is_file():
            return candidate
    raise ConfigurationError(
        f"EPCIS artefact {name} not found in {directory}.",
        f"在 {directory} 中找不到 EPCIS 文件 {name}。",
        hint="Download the EPCIS 2.0 artefacts from https://ref.gs1.org/standards/epcis/artefacts "
        "and set DYRD_EPCIS_ARTEFACTS_DIR to their directory.",
    )


@lru_cache(maxsize=4)
def _load(directory: Path) -> tuple[SchemaHolder, dict[str, Any]]:
    try:
        schema = json.loads(_find(directory, SCHEMA_FILE, "schema").read_text("utf-8"))
        context = json.loads(_find(directory, CONTEXT_FILE, "context").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"Cannot read the EPCIS artefacts in {directory}: {exc}",
            f"无法读取 {directory} 中的 EPCIS 文件。",
        ) from exc
    return SchemaHolder(schema, context), context


def load(directory: Path | None) -> SchemaHolder:
    """The compiled schema and context prefixes (cached per directory)."""
    if directory is None:
        raise ConfigurationError(
            "EPCIS artefacts are not configured.",
            "未配置 EPCIS 标准文件目录。",
            hint="Download the EPCIS 2.0 artefacts from "
            "https://ref.gs1.org/standards/epcis/artefacts and set DYRD_EPCIS_ARTEFACTS_DIR "
            "(or pass --artefacts).",
        )
    return _load(directory.resolve())[0]


def context(directory: Path) -> dict[str, Any]:
    """The GS1 JSON-LD context document (for local JSON-LD processing)."""
    return _load(directory.resolve())[1]
