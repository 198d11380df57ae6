"""Inventory and logistics views (stock, goods in transit, lead times) from the captured events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dyrd.supply.compute.epcis_inventory import EventFacts, Views, derive
from dyrd.supply.epcis_repository import EpcisRepository
from dyrd.supply.epcis_schemas import (
    InventoryRead,
    LeadTimeRead,
    StockLineRead,
    TransitLineRead,
)
from dyrd.supply.errors import InvalidInput


def _facts(session: Session, as_of: datetime | None) -> list[EventFacts]:
    rows = EpcisRepository(session).events_until(as_of)
    by_event = EpcisRepository(session).epcs_of([r.id for r in rows])
    return [
        EventFacts(
            event_id=r.event_id,
            event_type=r.event_type,
            event_time=r.event_time,
            action=r.action,
            disposition=r.disposition,
            biz_location=r.biz_location,
            epcs=tuple(by_event.get(r.id, ())),
            body=r.body,
        )
        for r in rows
    ]


def views(
    session: Session,
    *,
    as_of: datetime | None = None,
    location: str | None = None,
    product: str | None = None,
) -> InventoryRead:
    """Stock per product per location, goods in transit and lead times (filtered if asked)."""
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidInput(
            "as_of needs a time-zone offset (e.g. 2026-11-26T08:00:00+08:00).",
            "as_of 必须带时区偏移（例如 2026-11-26T08:00:00+08:00）。",
        )
    derived: Views = derive(_facts(session, as_of))
    stock = [
        s for s in derived.stock if location in (None, s.location) and product in (None, s.product)
    ]
    transit = [
        t
        for t in derived.in_transit
        if (product is None or t.product == product)
        and (location is None or location in (t.origin, t.destination))
    ]
    lead = [
        x for x in derived.lead_times if location is None or location in (x.origin, x.destination)
    ]
    return InventoryRead(
        as_of=as_of,
        stock=[
            StockLineRead(
                product=s.product,
                location=s.location,
                quantity=s.quantity,
                uom=s.uom,
                instances=list(s.instances),
                events=list(s.events),
            )
            for s in stock
        ],
        in_transit=[
            TransitLineRead(
                epc=t.epc,
                product=t.product,
                origin=t.origin,
                destination=t.destination,
                since=t.since,
                event=t.event,
            )
            for t in transit
        ],
        lead_times=[
            LeadTimeRead(
                origin=x.origin,
                destination=x.destination,
                count=x.count,
                mean_hours=x.mean_hours,
                min_hours=x.min_hours,
                max_hours=x.max_hours,
                events=list(x.events),
            )
            for x in lead
        ],
    )
