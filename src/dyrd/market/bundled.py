"""Data shipped with the market domain: OCDS 1.1.5 schemas, bids extension (data/README.md)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from dyrd.market.compute.ocds_validate import OcdsSchemas, OcdsValidator
from dyrd.market.compute.risk import RiskWeights


def _load(*parts: str) -> Any:
    node = resources.files("dyrd.market").joinpath("data", "ocds", *parts)
    return json.loads(node.read_text(encoding="utf-8"))


def ocds_schemas() -> OcdsSchemas:
    """The bundled core schemas with the bids extension patch."""
    return OcdsSchemas(
        release=_load("release-schema.json"),
        release_package=_load("release-package-schema.json"),
        record_package=_load("record-package-schema.json"),
        extensions=(_load("extension-bids", "release-schema.json"),),
    )


@cache
def ocds_validator() -> OcdsValidator:
    """One validator per process: compiling the schema is the cost, and the data never change."""
    return OcdsValidator(ocds_schemas())


def release_schema() -> dict[str, Any]:
    """The core release schema as shipped (its merge rules drive record compilation)."""
    data: dict[str, Any] = _load("release-schema.json")
    return data


def risk_weights() -> RiskWeights:
    """The neutral default weights shipped with the package (see data/README.md)."""
    node = resources.files("dyrd.market").joinpath("data", "risk_weights.json")
    return RiskWeights.from_mapping(json.loads(node.read_text(encoding="utf-8")))
