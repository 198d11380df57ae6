"""Shared pieces of the EPCIS tests: the GS1 suite location, principals, an app, documents.

The GS1 EPCIS artefacts have no open-source licence (only GS1's disclaimer), so they are not
copied into the repository: the tests read them from the shared test-data directory and skip
when it is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph

from dyrd.core.auth import Principal
from dyrd.core.types import Role
from dyrd.supply import epcis_artefacts
from tests.conftest import SHARED
from tests.fakes import FakeAuthenticator

EPCIS_DIR = SHARED / "testdata" / "epcis"
HAVE_SUITE = (EPCIS_DIR / "MANIFEST.tsv").is_file()
needs_suite = pytest.mark.skipif(
    not HAVE_SUITE, reason="GS1 EPCIS suite not present (shared testdata/epcis)"
)

SH = "CN-YRD/GOV/310000"
TOKENS = {
    "steward": Principal("sh.steward", {SH: frozenset({Role.DATA_STEWARD})}),
    "viewer": Principal("sh.viewer", {SH: frozenset({Role.VIEWER})}),
}
CONTEXT_URL = epcis_artefacts.CONTEXT_URL


def auth(token: str) -> dict[str, str]:
    """Authorization header of one of TOKENS."""
    return {"Authorization": f"Bearer {token}"}


def manifest() -> list[dict[str, str]]:
    """Rows of the suite's MANIFEST.tsv (empty when the suite is absent)."""
    if not HAVE_SUITE:
        return []
    with (EPCIS_DIR / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def example(path: str) -> Path:
    """A file of the suite by its MANIFEST path."""
    return EPCIS_DIR / path


def document(
    events: list[dict[str, Any]], *, extra: dict[str, str] | None = None
) -> dict[str, Any]:
    """A minimal EPCISDocument around ``events``."""
    return {
        "@context": [CONTEXT_URL, extra or {"example": "http://ns.example.com/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-20T08:00:00Z",
        "epcisBody": {"eventList": events},
    }


def object_event(  # a test builder: every field optional
    *,
    epcs: list[str] | None = None,
    time: str = "2026-11-20T09:00:00+08:00",
    action: str = "OBSERVE",
    biz_step: str | None = None,
    disposition: str | None = None,
    location: str | None = None,
    read_point: str | None = None,
    quantities: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An ObjectEvent with the given fields."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": time[-6:] if time[-6] in "+-" else "+00:00",
        "action": action,
    }
    if epcs is not None:
        event["epcList"] = epcs
    if quantities is not None:
        event["quantityList"] = quantities
    if biz_step:
        event["bizStep"] = biz_step
    if disposition:
        event["disposition"] = disposition
    if location:
        event["bizLocation"] = {"id": location}
    if read_point:
        event["readPoint"] = {"id": read_point}
    event.update(extra)
    return event


def local_context(context: Any) -> Any:
    """A document's @context with the GS1 URL replaced by the local copy (no network)."""
    gs1 = epcis_artefacts.context(EPCIS_DIR)["@context"]
    items = context if isinstance(context, list) else [context]
    return [gs1 if item == CONTEXT_URL else item for item in items]


def graph_of(context: Any, events: list[dict[str, Any]]) -> Graph:
    """The RDF graph of events under a context, parsed as JSON-LD by rdflib."""
    data = {"@context": local_context(context), "@graph": events}
    return Graph().parse(data=json.dumps(data), format="json-ld")


@pytest.fixture
def epcis_app(app: FastAPI) -> FastAPI:
    """The app with fake tokens and the shared GS1 artefacts."""
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    app.state.supply_epcis_artefacts = EPCIS_DIR
    return app


@pytest.fixture
def epcis_client(epcis_app: FastAPI) -> Any:
    """An HTTP client of ``epcis_app``."""
    with TestClient(epcis_app, raise_server_exceptions=False) as c:
        yield c
