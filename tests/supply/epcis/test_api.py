"""EPCIS capture and query over HTTP: the REST binding's capture jobs, the standard query
parameters against an independent filter, signed paging, named queries, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dyrd.supply.service.epcis import CaptureLimits
from tests.supply.epcis.conftest import auth, document, needs_suite, object_event

pytestmark = needs_suite
CBV = "https://ref.gs1.org/cbv/"
A = "urn:epc:id:sgln:0614141.00001.0"
B = "urn:epc:id:sgln:0614141.00002.0"
RP = "urn:epc:id:sgln:0614141.00001.7"
CLASS = "urn:epc:class:lgtin:4012345.012345.998877"


def _events() -> list[dict[str, Any]]:
    """Eight events of every kind, times and places, each with a known eventID."""
    out = [
        object_event(
            epcs=["urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:0614141.107346.2"],
            action="ADD",
            time="2026-11-01T08:00:00+08:00",
            biz_step="commissioning",
            disposition="active",
            location=A,
            read_point=RP,
        ),
        object_event(
            epcs=["urn:epc:id:sgtin:0614141.107346.1"],
            time="2026-11-02T08:00:00+08:00",
            biz_step="shipping",
            disposition="in_transit",
            read_point=RP,
        ),
        object_event(
            epcs=["urn:epc:id:sgtin:0614141.107346.1"],
            time="2026-11-03T20:00:00+08:00",
            biz_step=f"{CBV}BizStep-receiving",
            disposition=f"{CBV}Disp-in_progress",
            location=B,
        ),
        object_event(
            quantities=[{"epcClass": CLASS, "quantity": 200, "uom": "KGM"}],
            action="ADD",
            time="2026-11-04T08:00:00Z",
            biz_step="commissioning",
            location=A,
        ),
        {
            "type": "AggregationEvent",
            "eventTime": "2026-11-05T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "parentID": "urn:epc:id:sscc:0614141.1234567890",
            "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2"],
            "bizStep": "packing",
            "bizLocation": {"id": A},
        },
        {
            "type": "TransformationEvent",
            "eventTime": "2026-11-06T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputQuantityList": [{"epcClass": CLASS, "quantity": 50, "uom": "KGM"}],
            "outputEPCList": ["urn:epc:id:sgtin:4012345.077889.1"],
            "bizLocation": {"id": A},
        },
        object_event(
            epcs=["urn:epc:id:sgtin:4012345.077889.1"],
            time="2026-11-07T08:00:00+08:00",
            action="DELETE",
            biz_step="destroying",
            location=A,
        ),
        object_event(
            epcs=["urn:epc:id:sscc:0614141.1234567890"],
            time="2026-11-08T08:00:00+08:00",
            biz_step="shipping",
            disposition="in_transit",
            read_point=RP,
        ),
    ]
    for i, event in enumerate(out):
        event["eventID"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"
    return out


def _capture(client: TestClient, doc: Any, who: str = "steward") -> Any:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return client.post(
        "/epcis/capture",
        content=raw,
        headers={**auth(who), "Content-Type": "application/ld+json"},
    )


def _ids(client: TestClient, params: dict[str, str]) -> list[str]:
    reply = client.get("/epcis/events", params=params, headers=auth("viewer"))
    assert reply.status_code == 200, reply.text
    events = reply.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"] for e in events]


@pytest.fixture
def loaded(epcis_client: TestClient) -> TestClient:
    reply = _capture(epcis_client, document(_events()))
    assert reply.status_code == 202, reply.text
    return epcis_client


def _t(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00"))


def _cbv(value: str | None, vocab: str) -> str | None:
    return value if value is None or ":" in value else f"{CBV}{vocab}-{value}"


def _all_ids(event: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for f in fields:
        value = event.get(f)
        out |= {value} if isinstance(value, str) else set(value or [])
    return out


def _classes(event: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    return {q["epcClass"] for f in fields for q in event.get(f, [])}


# (query parameters, independent predicate over the event JSON)
CASES: list[tuple[dict[str, str], Callable[[dict[str, Any]], bool]]] = [
    ({"eventType": "AggregationEvent"}, lambda e: e["type"] == "AggregationEvent"),
    (
        {"eventType": "ObjectEvent|TransformationEvent"},
        lambda e: e["type"] in ("ObjectEvent", "TransformationEvent"),
    ),
    (
        {"GE_eventTime": "2026-11-03T00:00:00Z", "LT_eventTime": "2026-11-06T00:00:00Z"},
        lambda e: (
            datetime.fromisoformat("2026-11-03T00:00:00+00:00")
            <= _t(e)
            < datetime.fromisoformat("2026-11-06T00:00:00+00:00")
        ),
    ),
    (
        {"EQ_bizStep": "shipping"},
        lambda e: _cbv(e.get("bizStep"), "BizStep") == f"{CBV}BizStep-shipping",
    ),
    (
        {"EQ_bizStep": f"{CBV}BizStep-receiving"},
        lambda e: _cbv(e.get("bizStep"), "BizStep") == f"{CBV}BizStep-receiving",
    ),
    (
        {"EQ_disposition": "in_progress"},
        lambda e: _cbv(e.get("disposition"), "Disp") == f"{CBV}Disp-in_progress",
    ),
    ({"EQ_readPoint": RP}, lambda e: e.get("readPoint", {}).get("id") == RP),
    ({"EQ_bizLocation": B}, lambda e: e.get("bizLocation", {}).get("id") == B),
    ({"EQ_action": "DELETE"}, lambda e: e.get("action") == "DELETE"),
    (
        {"MATCH_epc": "urn:epc:id:sgtin:0614141.107346.2"},
        lambda e: "urn:epc:id:sgtin:0614141.107346.2" in _all_ids(e, ("epcList", "childEPCs")),
    ),
    (
        {"MATCH_epc": "urn:epc:idpat:sgtin:0614141.107346.*"},
        lambda e: any(
            x.startswith("urn:epc:id:sgtin:0614141.107346.")
            for x in _all_ids(e, ("epcList", "childEPCs"))
        ),
    ),
    (
        {"MATCH_anyEPC": "urn:epc:id:sscc:0614141.1234567890"},
        lambda e: (
            "urn:epc:id:sscc:0614141.1234567890"
            in _all_ids(e, ("epcList", "childEPCs", "parentID", "inputEPCList", "outputEPCList"))
        ),
    ),
    (
        {"MATCH_outputEPC": "urn:epc:id:sgtin:4012345.077889.1"},
        lambda e: "urn:epc:id:sgtin:4012345.077889.1" in _all_ids(e, ("outputEPCList",)),
    ),
    (
        {"MATCH_epcClass": CLASS},
        lambda e: CLASS in _classes(e, ("quantityList", "childQuantityList")),
    ),
    (
        {"MATCH_anyEPCClass": CLASS},
        lambda e: CLASS in _classes(e, ("quantityList", "inputQuantityList", "outputQuantityList")),
    ),
    (
        {"EQ_bizStep": "shipping", "GE_eventTime": "2026-11-05T00:00:00+08:00"},
        lambda e: (
            e.get("bizStep") == "shipping"
            and _t(e) >= datetime.fromisoformat("2026-11-05T00:00:00+08:00")
        ),
    ),
]


def test_query_parameters_select_what_an_independent_filter_selects(loaded: TestClient) -> None:
    for params, predicate in CASES:
        expected = [e["eventID"] for e in _events() if predicate(e)]
        assert expected, f"{params} should select something"
        assert _ids(loaded, params) == expected, params


def test_record_time_ranges_and_capture_job(loaded: TestClient) -> None:
    # FIXED_NOW of the test clock is 2026-11-26T08:00Z: every event was recorded then.
    assert len(_ids(loaded, {"GE_recordTime": "2026-11-26T08:00:00Z"})) == 8
    assert _ids(loaded, {"LT_recordTime": "2026-11-26T08:00:00Z"}) == []


def test_capture_answers_202_with_location_and_limits(epcis_client: TestClient) -> None:
    reply = _capture(epcis_client, document(_events()[:2]))
    assert reply.status_code == 202
    assert reply.headers["Location"].startswith("/epcis/capture/")
    assert reply.headers["GS1-EPCIS-Capture-Limit"].isdigit()
    assert reply.headers["GS1-Capture-Error-Behaviour"] == "rollback"
    job = epcis_client.get(reply.headers["Location"], headers=auth("viewer"))
    assert job.status_code == 200
    body = job.json()
    assert (body["running"], body["success"], body["eventCount"]) == (False, True, 2)
    missing = epcis_client.get("/epcis/capture/nope", headers=auth("viewer"))
    assert missing.status_code == 404


def test_generated_event_id_is_a_content_hash(epcis_client: TestClient) -> None:
    event = object_event(epcs=["urn:epc:id:sgtin:0614141.107346.9"], location=A)
    assert _capture(epcis_client, document([event])).status_code == 202
    assert _capture(epcis_client, document([dict(event)])).status_code == 202
    ids = _ids(epcis_client, {})
    assert len(ids) == 2
    assert ids[0] == ids[1]
    assert ids[0].startswith("ni:///sha-256;")


def test_writes_need_a_token_and_the_steward_role(epcis_client: TestClient) -> None:
    doc = json.dumps(document(_events()[:1])).encode()
    assert epcis_client.post("/epcis/capture", content=doc).status_code == 401
    assert _capture(epcis_client, doc, who="viewer").status_code == 403
    assert epcis_client.get("/epcis/events").status_code == 401
    assert _ids(epcis_client, {}) == []


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (
            lambda d: d["epcisBody"]["eventList"][1].pop("eventTime"),
            "/epcisBody/eventList/1/eventTime",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][4].pop("parentID"),
            "/epcisBody/eventList/4/parentID",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][0].update({"acme:lot": "x"}),
            "/epcisBody/eventList/0/acme:lot",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][3].update(
                {"eventID": d["epcisBody"]["eventList"][0]["eventID"]}
            ),
            "/epcisBody/eventList/3/eventID",
        ),
    ],
)
def test_one_bad_event_refuses_the_whole_document(
    epcis_client: TestClient, mutate: Callable[[dict[str, Any]], Any], pointer: str
) -> None:
    doc = document(_events())
    mutate(doc)
    reply = _capture(epcis_client, doc)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["location"] for e in reply.json()["errors"]]
    assert _ids(epcis_client, {}) == []


def test_malformed_oversized_and_proceed_are_refused(
    epcis_app: FastAPI, epcis_client: TestClient
) -> None:
    bad = _capture(epcis_client, b"{not json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "/"
    proceed = epcis_client.post(
        "/epcis/capture",
        content=json.dumps(document(_events()[:1])),
        headers={**auth("steward"), "GS1-Capture-Error-Behaviour": "proceed"},
    )
    assert proceed.status_code == 422
    epcis_app.state.supply_epcis_limits = CaptureLimits(max_events=3)
    too_many = _capture(epcis_client, document(_events()))
    assert too_many.status_code == 413
    assert _ids(epcis_client, {}) == []


def _next(reply: Any) -> str | None:
    link = reply.headers.get("Link")
    if link is None:
        return None
    url = link.split(";")[0].strip("<>")
    return parse_qs(urlsplit(url).query)["nextPageToken"][0]


def test_paging_walks_every_event_once(loaded: TestClient) -> None:
    by_time = sorted(_events(), key=_t)
    for base, order in (
        ({"perPage": "3"}, _events()),  # capture order
        ({"perPage": "3", "GE_eventTime": "2026-01-01T00:00:00Z"}, by_time),  # event-time order
        ({"perPage": "2", "GE_recordTime": "2026-01-01T00:00:00Z"}, _events()),
    ):
        seen: list[str] = []
        params = dict(base)
        for _ in range(10):
            reply = loaded.get("/epcis/events", params=params, headers=auth("viewer"))
            assert reply.status_code == 200
            page = reply.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            seen += [e["eventID"] for e in page]
            token = _next(reply)
            if token is None:
                break
            params = {**base, "nextPageToken": token}
        assert seen == [e["eventID"] for e in order], base


def test_tampered_or_foreign_tokens_are_refused(loaded: TestClient) -> None:
    first = loaded.get("/epcis/events", params={"perPage": "2"}, headers=auth("viewer"))
    token = _next(first)
    assert token is not None
    payload, mac = token.split(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    for bad in (f"{flipped}.{mac}", f"{payload}.x{mac[1:]}", "garbage"):
        reply = loaded.get(
            "/epcis/events", params={"perPage": "2", "nextPageToken": bad}, headers=auth("viewer")
        )
        assert reply.status_code == 422
        assert reply.json()["errors"][0]["location"] == "nextPageToken"
    other = loaded.get(
        "/epcis/events",
        params={"perPage": "2", "EQ_bizStep": "shipping", "nextPageToken": token},
        headers=auth("viewer"),
    )
    assert other.status_code == 422
    assert "other parameters" in other.json()["detail"]


BAD_PARAMS: list[tuple[dict[str, str], str]] = [
    (
        {"GE_eventTime": "2026-11-05T00:00:00Z", "LT_eventTime": "2026-11-01T00:00:00Z"},
        "LT_eventTime",
    ),
    (
        {"GE_recordTime": "2026-11-05T00:00:00Z", "LT_recordTime": "2026-11-05T00:00:00Z"},
        "LT_recordTime",
    ),
    ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
    ({"GE_eventTime": "2026-11-05T00:00:00"}, "GE_eventTime"),
    ({"EQ_colour": "red"}, "EQ_colour"),
    ({"eventType": "MagicEvent"}, "eventType"),
    ({"perPage": "0"}, "perPage"),
    ({"perPage": "100000"}, "perPage"),
]


def test_bad_query_parameters_are_named(epcis_client: TestClient) -> None:
    for params, param in BAD_PARAMS:
        reply = epcis_client.get("/epcis/events", params=params, headers=auth("viewer"))
        assert reply.status_code == 422, params
        problem = reply.json()
        assert problem["errors"][0]["location"] == param
        assert param in problem["detail"]
        assert problem.get("detail_zh")


def test_named_queries(loaded: TestClient) -> None:
    body = {"name": "shipments", "query": {"EQ_bizStep": "shipping", "perPage": "1"}}
    created = loaded.post("/epcis/queries", json=body, headers=auth("steward"))
    assert created.status_code == 201, created.text
    assert loaded.post("/epcis/queries", json=body, headers=auth("steward")).status_code == 409
    listed = loaded.get("/epcis/queries", headers=auth("viewer")).json()
    assert [q["name"] for q in listed] == ["shipments"]
    first = loaded.get("/epcis/queries/shipments/events", headers=auth("viewer"))
    assert first.status_code == 200
    doc = first.json()
    assert doc["epcisBody"]["queryResults"]["queryName"] == "shipments"
    token = _next(first)
    assert token is not None
    second = loaded.get(
        "/epcis/queries/shipments/events", params={"nextPageToken": token}, headers=auth("viewer")
    )
    ids = [
        e["eventID"]
        for page in (doc, second.json())
        for e in page["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    ]
    assert ids == [e["eventID"] for e in _events() if e.get("bizStep") == "shipping"]
    extra = loaded.get(
        "/epcis/queries/shipments/events", params={"EQ_action": "ADD"}, headers=auth("viewer")
    )
    assert extra.status_code == 422
    assert loaded.get("/epcis/queries/nope/events", headers=auth("viewer")).status_code == 404
    bad = {"name": "broken", "query": {"LT_eventTime": "no"}}
    assert loaded.post("/epcis/queries", json=bad, headers=auth("steward")).status_code == 422


def test_inventory_views_over_http(loaded: TestClient) -> None:
    reply = loaded.get("/epcis/inventory", headers=auth("viewer"))
    assert reply.status_code == 200, reply.text
    views = reply.json()
    stock = {(s["product"], s["location"], s["uom"]): s for s in views["stock"]}
    # sgtin .1 was received at B; .2 stays at A (aggregated into the SSCC, which then shipped:
    # the pallet itself is in transit, its child is still last placed at A).
    at_b = stock[("urn:epc:idpat:sgtin:0614141.107346.*", B, None)]
    assert at_b["quantity"] == 1
    assert at_b["instances"] == ["urn:epc:id:sgtin:0614141.107346.1"]
    assert at_b["events"] == ["urn:uuid:00000000-0000-4000-8000-000000000002"]
    # 200 kg commissioned, 50 kg consumed by the transformation.
    assert stock[(CLASS, A, "KGM")]["quantity"] == 150
    # The transformation output was destroyed: not in stock.
    assert not any(
        s["product"].startswith("urn:epc:idpat:sgtin:4012345.077889") for s in views["stock"]
    )
    assert [t["epc"] for t in views["in_transit"]] == ["urn:epc:id:sscc:0614141.1234567890"]
    (lane,) = views["lead_times"]
    assert (lane["origin"], lane["destination"], lane["count"]) == (A, B, 1)
    assert lane["mean_hours"] == pytest.approx(36.0)
    before = loaded.get(
        "/epcis/inventory", params={"as_of": "2026-11-02T12:00:00+08:00"}, headers=auth("viewer")
    ).json()
    assert [t["epc"] for t in before["in_transit"]] == ["urn:epc:id:sgtin:0614141.107346.1"]
    naive = loaded.get(
        "/epcis/inventory", params={"as_of": "2026-11-02T12:00:00"}, headers=auth("viewer")
    )
    assert naive.status_code == 422
