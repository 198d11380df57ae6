"""EPCIS 2.0 events: the fields the query parameters filter on, the identifiers each event names,
and the event hash id.

Pure (stdlib only). CBV values are stored and compared in their full URI form, so a query for
``shipping`` and one for ``https://ref.gs1.org/cbv/BizStep-shipping`` find the same events
(EPCIS 2.0 section 8.2.7.1 lets a client use either form).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CBV = "https://ref.gs1.org/cbv/"
# Event fields holding instance identifiers, and the MATCH_* parameters that look at them
# (EPCIS 2.0 section 8.2.7.1).
EPC_ROLES = ("epcList", "parentID", "childEPCs", "inputEPCList", "outputEPCList")
QUANTITY_ROLES = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
HASH_VERSION = "dyrd-jcs1"
"""Version tag of our event hash id (see ``event_hash_id``); not the CBV 2.0 pre-hash string."""


@dataclass(frozen=True, slots=True)
class EpcRef:
    """One identifier an event names, with the field it came from."""

    epc: str
    role: str
    is_class: bool
    quantity: float | None = None
    uom: str | None = None


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """The indexed query fields of one event."""

    event_type: str
    event_time: datetime
    event_time_zone_offset: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    epcs: tuple[EpcRef, ...]


def parse_time(value: str) -> datetime:
    """An RFC 3339 date-time with offset, as an aware UTC datetime (ValueError otherwise)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time-zone offset")
    return parsed.astimezone(UTC)


def cbv_uri(value: str | None, vocabulary: str) -> str | None:
    """A CBV value in URI form: bare words get the CBV 2.0 prefix (``BizStep-``, ``Disp-``)."""
    if value is None or ":" in value:
        return value
    return f"{CBV}{vocabulary}-{value}"


def _id_of(node: Any) -> str | None:
    if isinstance(node, Mapping):
        value = node.get("id")
        return value if isinstance(value, str) else None
    return None


def epc_refs(event: Mapping[str, Any]) -> Iterator[EpcRef]:
    """Every identifier of the event, instance-level and class-level."""
    for role in EPC_ROLES:
        value = event.get(role)
        if isinstance(value, str):
            yield EpcRef(value, role, False)
        elif isinstance(value, list):
            for epc in value:
                if isinstance(epc, str):
                    yield EpcRef(epc, role, False)
    for role in QUANTITY_ROLES:
        value = event.get(role)
        for element in value if isinstance(value, list) else []:
            if isinstance(element, Mapping) and isinstance(element.get("epcClass"), str):
                quantity = element.get("quantity")
                uom = element.get("uom")
                yield EpcRef(
                    element["epcClass"],
                    role,
                    True,
                    float(quantity) if isinstance(quantity, int | float) else None,
                    uom if isinstance(uom, str) else None,
                )


def index_event(event: Mapping[str, Any]) -> IndexedEvent:
    """The query fields of a schema-valid event."""
    action = event.get("action")
    return IndexedEvent(
        event_type=str(event["type"]),
        event_time=parse_time(str(event["eventTime"])),
        event_time_zone_offset=str(event["eventTimeZoneOffset"]),
        action=action if isinstance(action, str) else None,
        biz_step=cbv_uri(event.get("bizStep"), "BizStep"),
        disposition=cbv_uri(event.get("disposition"), "Disp"),
        read_point=_id_of(event.get("readPoint")),
        biz_location=_id_of(event.get("bizLocation")),
        epcs=tuple(epc_refs(event)),
    )


def event_hash_id(event: Mapping[str, Any]) -> str:
    """A content hash id for an event captured without ``eventID``.

    SHA-256 of the event's canonical JSON (keys sorted, no whitespace, UTF-8; ``eventID``,
    ``recordTime`` and ``@context`` left out), as an RFC 6920 ``ni`` URI like CBV 2.0 section 8.9
    uses. It is *not* the CBV 2.0 pre-hash string (that one normalises every identifier to its
    canonical GS1 Digital Link form first), so the same event hashed by another EPCIS repository
    gets a different id; the ``ver`` parameter says which algorithm made it.
    """
    core = {k: v for k, v in event.items() if k not in ("eventID", "recordTime", "@context")}
    canonical = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


def product_of(epc: str) -> str:
    """The product (GTIN-level class) of an instance identifier, for stock views.

    SGTIN URNs ``urn:epc:id:sgtin:CP.IR.SER`` become the pattern ``urn:epc:idpat:sgtin:CP.IR.*``
    (EPC Tag Data Standard 2.0 section 8), GS1 Digital Link URIs ``.../01/GTIN/21/SER`` become
    ``.../01/GTIN``; other identifiers (SSCCs, GRAIs, ...) are their own product.
    """
    if epc.startswith("urn:epc:id:sgtin:"):
        body = epc.removeprefix("urn:epc:id:sgtin:")
        parts = body.split(".")
        if len(parts) == 3:
            return f"urn:epc:idpat:sgtin:{parts[0]}.{parts[1]}.*"
    if "/01/" in epc and "/21/" in epc:
        return epc.split("/21/", 1)[0]
    return epc
