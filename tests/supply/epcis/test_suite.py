"""The GS1 EPCIS 2.0 example suite through the HTTP API: every valid example is captured and read
back unchanged (as JSON and as an RDF graph), every invalid one is refused with a pointer to the
failing part and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_validate import validate
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


def _all_events(client: TestClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    reply = client.get("/epcis/events", params={"perPage": "1000"}, headers=auth("viewer"))
    assert reply.status_code == 200, reply.text
    doc = reply.json()
    return doc, _events_of(doc)


def test_the_suite_is_complete() -> None:
    assert len(VALID) == 31
    assert len(INVALID) == 3


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph and warns about its deprecation.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("path", VALID)
def test_valid_example_round_trips(epcis_client: TestClient, path: str) -> None:
    raw = example(path).read_bytes()
    original = json.loads(raw)
    reply = epcis_client.post(
        "/epcis/capture",
        content=raw,
        headers={**auth("steward"), "Content-Type": "application/ld+json"},
    )
    assert reply.status_code == 202, reply.text
    job = epcis_client.get(reply.headers["Location"], headers=auth("viewer")).json()
    assert job["running"] is False
    assert job["success"] is True
    sent = _events_of(original)
    assert job["eventCount"] == len(sent)

    doc, back = _all_events(epcis_client)
    # The query answer is itself a valid EPCISQueryDocument.
    assert validate(doc, epcis_artefacts.load(EPCIS_DIR)) == []
    assert len(back) == len(sent)
    for mine, theirs in zip(sent, back, strict=True):
        assert theirs["recordTime"] == "2026-11-26T08:00:00.000Z"  # set by us at capture
        if "eventID" not in mine:
            assert theirs.pop("eventID").startswith("ni:///sha-256;")
        assert {k: v for k, v in theirs.items() if k != "recordTime"} == {
            k: v for k, v in mine.items() if k != "recordTime"
        }
    # Unchanged as RDF: the same graph up to blank-node renaming (recordTime aside).
    strip = [{k: v for k, v in e.items() if k != "recordTime"} for e in sent]
    back_strip = [{k: v for k, v in e.items() if k != "recordTime"} for e in back]
    before = graph_of(original["@context"], strip)
    after = graph_of(doc["@context"], back_strip)
    assert len(before) > len(sent)
    assert isomorphic(before, after)


@pytest.mark.parametrize("path", INVALID)
def test_invalid_example_is_refused_and_nothing_written(
    epcis_client: TestClient, path: str
) -> None:
    raw = example(path).read_bytes()
    reply = epcis_client.post(
        "/epcis/capture",
        content=raw,
        headers={**auth("steward"), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422
    problem = reply.json()
    assert problem["type"] == "urn:dyrd:problem:epcis-invalid"
    pointers = [e["location"] for e in problem["errors"]]
    assert all(p.startswith("/") for p in pointers)
    expected = {
        "event_with_identical_hash_id_7.json": "/epcisBody/eventList/0/bizStep",
        "simple-context__Example-TransactionEvents-2020_07_03y.jsonld": (
            "/epcisBody/eventList/1/sourceList"
        ),
        "simple-context__SensorDataExample12.jsonld": "/schemaVersion",
    }[path.rsplit("/", 1)[1]]
    assert expected in pointers
    _, back = _all_events(epcis_client)
    assert back == []
