"""Pure EPCIS pieces: JSON pointers, query parsing, page tokens, hash ids, inventory rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.supply.compute.epcis_events import cbv_uri, event_hash_id, product_of
from dyrd.supply.compute.epcis_inventory import IN_TRANSIT, EventFacts, derive
from dyrd.supply.compute.epcis_query import (
    Position,
    QueryProblem,
    parse_query,
    pattern_prefix,
    read_token,
    sign_token,
)
from dyrd.supply.compute.epcis_validate import pointer

KEY = b"k" * 32


def test_pointer_escapes_tilde_and_slash() -> None:
    assert pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
    assert pointer([]) == ""


def test_cbv_words_become_uris_and_uris_stay() -> None:
    assert cbv_uri("shipping", "BizStep") == "https://ref.gs1.org/cbv/BizStep-shipping"
    assert cbv_uri("urn:x:y", "BizStep") == "urn:x:y"
    assert cbv_uri(None, "Disp") is None


def test_epc_patterns_and_products() -> None:
    assert (
        pattern_prefix("urn:epc:idpat:sgtin:0614141.107346.*") == "urn:epc:id:sgtin:0614141.107346."
    )
    assert pattern_prefix("urn:epc:idpat:sgtin:0614141.*.*") == "urn:epc:id:sgtin:0614141."
    assert pattern_prefix("urn:epc:id:sgtin:0614141.107346.1") is None
    assert (
        product_of("urn:epc:id:sgtin:0614141.107346.2017") == "urn:epc:idpat:sgtin:0614141.107346.*"
    )
    assert (
        product_of("https://id.gs1.org/01/09521234543213/21/abc")
        == "https://id.gs1.org/01/09521234543213"
    )
    assert product_of("urn:epc:id:sscc:0614141.1234567890") == "urn:epc:id:sscc:0614141.1234567890"


def test_hash_id_ignores_record_time_and_key_order() -> None:
    a = {"type": "ObjectEvent", "eventTime": "2026-01-01T00:00:00Z", "recordTime": "x"}
    b = {"eventTime": "2026-01-01T00:00:00Z", "type": "ObjectEvent"}
    assert event_hash_id(a) == event_hash_id(b)
    assert event_hash_id(a) != event_hash_id({**b, "action": "ADD"})


@settings(max_examples=40, deadline=None)
@given(
    after=st.integers(min_value=0, max_value=2**40), step=st.sampled_from(["shipping", "receiving"])
)
def test_tokens_round_trip_and_any_change_is_refused(after: int, step: str) -> None:
    spec = parse_query({"EQ_bizStep": [step], "perPage": ["5"]})
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=after % 10**8)
    for position in (Position(after), Position(after, when)):
        assert read_token(sign_token(spec, position, KEY), spec, KEY) == position
    token = sign_token(spec, Position(after, when), KEY)
    for i in range(len(token)):
        if token[i] == ".":
            continue
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        with pytest.raises(QueryProblem):
            read_token(changed, spec, KEY)
    with pytest.raises(QueryProblem):
        read_token(token, spec, b"other-key")
    other = parse_query({"EQ_bizStep": ["packing"], "perPage": ["5"]})
    with pytest.raises(QueryProblem, match="other parameters"):
        read_token(token, other, KEY)


def test_equal_bounds_and_backwards_ranges_are_refused() -> None:
    with pytest.raises(QueryProblem) as caught:
        parse_query(
            {"GE_eventTime": ["2026-01-02T00:00:00Z"], "LT_eventTime": ["2026-01-01T00:00:00Z"]}
        )
    assert caught.value.param == "LT_eventTime"
    spec = parse_query(
        {"GE_eventTime": ["2026-01-01T00:00:00+08:00"], "LT_eventTime": ["2026-01-01T00:00:00Z"]}
    )
    assert [op for _, op, _ in spec.times] == [">=", "<"]
    assert spec.order == "event_time"
    assert parse_query({"GE_recordTime": ["2026-01-01T00:00:00Z"]}).order == "record_time"
    assert parse_query({"EQ_bizStep": ["shipping"]}).order == "id"


def _facts(i: int, epcs: list[str], role: str = "epcList", **kw: object) -> EventFacts:
    fields: dict[str, object] = {
        "event_id": f"e{i}",
        "event_type": "ObjectEvent",
        "event_time": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
        "action": "OBSERVE",
        "disposition": None,
        "biz_location": None,
        "epcs": tuple((e, role, False, None, None) for e in epcs),
        "body": {},
    }
    fields.update(kw)
    return EventFacts(**fields)  # type: ignore[arg-type]


def test_inventory_follows_shipments_and_counts_lead_times() -> None:
    x = "urn:epc:id:sgtin:1.2.3"
    events = [
        _facts(0, [x], action="ADD", biz_location="A"),
        _facts(
            5,
            [x],
            disposition=IN_TRANSIT,
            body={"destinationList": [{"type": "location", "destination": "B"}]},
        ),
        _facts(29, [x], biz_location="B"),
    ]
    # Any order in, event-time order applied.
    views = derive(reversed(events))
    assert [(s.location, s.quantity, s.events) for s in views.stock] == [("B", 1.0, ("e29",))]
    assert views.in_transit == ()
    (lane,) = views.lead_times
    assert (lane.origin, lane.destination, lane.count, lane.mean_hours) == ("A", "B", 1, 24.0)
    assert lane.events == (("e5", "e29"),)
    halfway = derive(events[:2])
    assert [(t.origin, t.destination, t.event) for t in halfway.in_transit] == [("A", "B", "e5")]
    assert halfway.stock == ()


def test_deleted_and_consumed_items_leave_stock() -> None:
    x, y = "urn:epc:id:sgtin:1.2.3", "urn:epc:id:sgtin:1.2.4"
    events = [
        _facts(0, [x, y], action="ADD", biz_location="A"),
        _facts(1, [x], action="DELETE", biz_location="A"),
        _facts(
            2,
            [y],
            role="inputEPCList",
            event_type="TransformationEvent",
            action=None,
            biz_location="A",
        ),
    ]
    assert derive(events).stock == ()
