"""The GS1 EPCIS 2.0 example suite through the HTTP API: every valid example is captured and read
back unchanged (as JSON and as an RDF graph), every invalid one is refused with a pointer to the
failing part and nothing is written."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_validate import validate
from tests.conftest import FIXED_NOW
from tests.supply.epcis.conftest import (
    EPCIS_DIR,
    auth,
    example,
    graph_of,
    manifest,
    needs_suite,
)

pytestmark = needs_suite
ROWS = manifest()
VALID = [r["local_path"] for r in ROWS if r["expected_json_schema"] == "valid"]
INVALID = [r["local_path"] for r in ROWS if r["expected_json_schema"] == "invalid"]


def _events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    body = doc["epcisBody"]
    if "eventList" in body:
        return list(body["eventList"])
    return list(body["queryResults"]["resultsBody"]["eventList"])


def _events_recorded_at(client: TestClient, at: datetime) -> tuple[dict[str, Any], list[Any]]:
    """The query answer holding exactly the events recorded at ``at`` (one capture)."""
    params = {
        "GE_recordTime": at.isoformat(),
        "LT_recordTime": (at + timedelta(seconds=1)).isoformat(),
        "perPage": "1000",
    }
    reply = client.get("/epcis/events", params=params, headers=auth("viewer"))
    assert reply.status_code == 200, reply.text
    doc = reply.json()
    return doc, _events_of(doc)


def test_the_suite_is_complete() -> None:
    assert len(VALID) == 31
    assert len(INVALID) == 3


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph and warns about its deprecation.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_every_valid_example_round_trips(epcis_app: FastAPI, epcis_client: TestClient) -> None:
    """All 31 captured into one store, each read back (by its record time) unchanged."""
    holder = epcis_artefacts.load(EPCIS_DIR)
    for i, path in enumerate(VALID):
        at = FIXED_NOW + timedelta(seconds=i)
        epcis_app.state.clock = lambda at=at: at
        raw = example(path).read_bytes()
        original = json.loads(raw)
        reply = epcis_client.post(
            "/epcis/capture",
            content=raw,
            headers={**auth("steward"), "Content-Type": "application/ld+json"},
        )
        assert reply.status_code == 202, (path, reply.text)
        job = epcis_client.get(reply.headers["Location"], headers=auth("viewer")).json()
        sent = _events_of(original)
        assert (job["running"], job["success"], job["eventCount"]) == (False, True, len(sent))

        doc, back = _events_recorded_at(epcis_client, at)
        # The query answer is itself a valid EPCISQueryDocument.
        assert validate(doc, holder) == [], path
        assert len(back) == len(sent), path
        stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for mine, theirs in zip(sent, back, strict=True):
            assert theirs["recordTime"] == stamp  # set by the repository at capture
            if "eventID" not in mine:
                assert theirs.pop("eventID").startswith("ni:///sha-256;")
            assert _without_record_time(theirs) == _without_record_time(mine), path
        # Unchanged as RDF: the same graph up to blank-node renaming (recordTime aside).
        before = graph_of(original["@context"], [_without_record_time(e) for e in sent])
        after = graph_of(doc["@context"], [_without_record_time(e) for e in back])
        assert len(before) > len(sent), path
        assert isomorphic(before, after), path


def _without_record_time(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "recordTime"}


def test_every_invalid_example_is_refused_and_nothing_written(epcis_client: TestClient) -> None:
    expected = {
        "event_with_identical_hash_id_7.json": "/epcisBody/eventList/0/bizStep",
        "simple-context__Example-TransactionEvents-2020_07_03y.jsonld": (
            "/epcisBody/eventList/1/sourceList"
        ),
        "simple-context__SensorDataExample12.jsonld": "/schemaVersion",
    }
    for path in INVALID:
        reply = epcis_client.post(
            "/epcis/capture",
            content=example(path).read_bytes(),
            headers={**auth("steward"), "Content-Type": "application/json"},
        )
        assert reply.status_code == 422, path
        problem = reply.json()
        assert problem["type"] == "urn:dyrd:problem:epcis-invalid"
        pointers = [e["location"] for e in problem["errors"]]
        assert expected[path.rsplit("/", 1)[1]] in pointers
    assert _events_recorded_at(epcis_client, FIXED_NOW)[1] == []
