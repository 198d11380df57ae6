"""Inventory and logistics views derived from EPCIS events: stock per product per location, goods
in transit, and lead times between locations, each number with the events behind it.

Pure (stdlib only). The rules, applied to events in event-time order:

* An identifier (EPC) is *at* the business location of the latest event naming it in ``epcList``,
  ``childEPCs``, ``parentID`` or ``outputEPCList`` (EPCIS 2.0 section 7.3.4: bizLocation is where
  the objects are expected to be after the event). An event without a bizLocation leaves it where
  it was.
* It is *in transit* after an event whose disposition is ``in_transit`` (CBV 2.0 section 7.2),
  from its previous location (or the event's ``location`` source) to the ``location``
  destination, until a later event places it somewhere.
* It leaves inventory on action ``DELETE``, as the input of a TransformationEvent, or with a
  disposition saying it no longer exists there (``destroyed``, ``disposed``, ``stolen``,
  ``retail_sold``, ``dispensed``: CBV 2.0 section 7.2).
* Class-level quantities (``quantityList``) add up per class, location and unit: ``ADD`` adds at
  the bizLocation, ``DELETE`` subtracts, TransformationEvent inputs subtract and outputs add. A
  quantity observed in transit cannot be tied to one later receipt, so quantities are not
  followed in transit (an ``OBSERVE`` does not change quantity stock).
* A lead time is the time from the event that put an identifier in transit to the event that
  next placed it at a location, per (origin, destination) lane.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dyrd.supply.compute.epcis_events import CBV, product_of

IN_TRANSIT = f"{CBV}Disp-in_transit"
GONE = frozenset(
    f"{CBV}Disp-{word}" for word in ("destroyed", "disposed", "stolen", "retail_sold", "dispensed")
)
_PLACED_ROLES = ("epcList", "childEPCs", "parentID", "outputEPCList")
_TRANSFORM_SIGN = {"inputQuantityList": -1.0, "outputQuantityList": 1.0}
_Trip = tuple[str | None, str, float, str, str]


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the views need of one event."""

    event_id: str
    event_type: str
    event_time: datetime
    action: str | None
    disposition: str | None
    biz_location: str | None
    epcs: tuple[tuple[str, str, bool, float | None, str | None], ...]
    """(identifier, role, is_class, quantity, uom) per identifier."""
    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StockLine:
    """Stock of one product at one location."""

    product: str
    location: str
    quantity: float
    uom: str | None
    instances: tuple[str, ...]
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TransitLine:
    """An identifier on its way."""

    epc: str
    product: str
    origin: str | None
    destination: str | None
    since: datetime
    event: str


@dataclass(frozen=True, slots=True)
class LeadTime:
    """Lead times on one lane (origin -> destination)."""

    origin: str | None
    destination: str
    count: int
    mean_hours: float
    min_hours: float
    max_hours: float
    events: tuple[tuple[str, str], ...]
    """(shipping event, receiving event) per trip."""


@dataclass(frozen=True, slots=True)
class Views:
    """All three views at once (one pass over the events)."""

    stock: tuple[StockLine, ...]
    in_transit: tuple[TransitLine, ...]
    lead_times: tuple[LeadTime, ...]


@dataclass(slots=True)
class _State:
    location: str | None
    transit: TransitLine | None
    event: str


def _sdt_location(body: Mapping[str, Any], field: str, key: str) -> str | None:
    for item in body.get(field) or []:
        if isinstance(item, Mapping) and str(item.get("type", "")).endswith("location"):
            value = item.get(key)
            if isinstance(value, str):
                return value
    return None


def _apply_quantities(
    facts: EventFacts, quantities: dict[tuple[str, str, str | None], list[Any]]
) -> None:
    location = facts.biz_location
    if location is None:
        return
    for epc, role, is_class, quantity, uom in facts.epcs:
        if not is_class or quantity is None:
            continue
        sign = 0.0
        if facts.event_type == "TransformationEvent":
            sign = _TRANSFORM_SIGN.get(role, 0.0)
        elif facts.action == "ADD":
            sign = 1.0
        elif facts.action == "DELETE":
            sign = -1.0
        if sign:
            entry = quantities.setdefault((epc, location, uom), [0.0, []])
            entry[0] += sign * quantity
            entry[1].append(facts.event_id)


def _apply_instances(facts: EventFacts, states: dict[str, _State], trips: list[_Trip]) -> None:
    for epc, role, is_class, _, _ in facts.epcs:
        if is_class:
            continue
        removed = (
            facts.action == "DELETE"
            or role == "inputEPCList"
            or (facts.disposition in GONE and role in _PLACED_ROLES)
        )
        if removed:
            states.pop(epc, None)
            continue
        if role not in _PLACED_ROLES:
            continue
        previous = states.get(epc)
        if facts.disposition == IN_TRANSIT:
            origin = _sdt_location(facts.body, "sourceList", "source") or (
                previous.location if previous else None
            )
            destination = _sdt_location(facts.body, "destinationList", "destination")
            transit = TransitLine(
                epc, product_of(epc), origin, destination, facts.event_time, facts.event_id
            )
            states[epc] = _State(None, transit, facts.event_id)
        elif facts.biz_location is not None:
            if previous is not None and previous.transit is not None:
                hours = (facts.event_time - previous.transit.since).total_seconds() / 3600
                trips.append(
                    (
                        previous.transit.origin,
                        facts.biz_location,
                        hours,
                        previous.transit.event,
                        facts.event_id,
                    )
                )
            states[epc] = _State(facts.biz_location, None, facts.event_id)
        elif previous is None:
            states[epc] = _State(None, None, facts.event_id)


def derive(events: Iterable[EventFacts]) -> Views:
    """Stock, goods in transit and lead times from events (any order; sorted by event time)."""
    states: dict[str, _State] = {}
    quantities: dict[tuple[str, str, str | None], list[Any]] = {}
    trips: list[_Trip] = []
    for facts in sorted(events, key=lambda f: f.event_time):
        _apply_instances(facts, states, trips)
        _apply_quantities(facts, quantities)
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for epc, state in states.items():
        if state.location is not None and state.transit is None:
            grouped[(product_of(epc), state.location)].append((epc, state.event))
    stock = [
        StockLine(
            product,
            location,
            float(len(items)),
            None,
            tuple(sorted(e for e, _ in items)),
            tuple(sorted({ev for _, ev in items})),
        )
        for (product, location), items in grouped.items()
    ]
    stock.extend(
        StockLine(cls, location, round(total, 9), uom, (), tuple(dict.fromkeys(evs)))
        for (cls, location, uom), (total, evs) in quantities.items()
    )
    transit = sorted(
        (s.transit for s in states.values() if s.transit is not None),
        key=lambda t: (t.since, t.epc),
    )
    lanes: dict[tuple[str | None, str], list[tuple[float, str, str]]] = defaultdict(list)
    for origin, destination, hours, shipped, received in trips:
        lanes[(origin, destination)].append((hours, shipped, received))
    lead = [
        LeadTime(
            origin,
            destination,
            len(items),
            sum(h for h, _, _ in items) / len(items),
            min(h for h, _, _ in items),
            max(h for h, _, _ in items),
            tuple((s, r) for _, s, r in items),
        )
        for (origin, destination), items in lanes.items()
    ]
    return Views(
        tuple(sorted(stock, key=lambda s: (s.location, s.product, s.uom or ""))),
        tuple(transit),
        tuple(sorted(lead, key=lambda x: (x.origin or "", x.destination))),
    )
