"""Tables of EPCIS 2.0 capture and query (supply domain).

Each event keeps its original JSON (``body``) so a query returns the captured document
unchanged; the columns next to it repeat the fields the standard query parameters filter on, each
indexed, and the identifiers an event names (EPCs, parent ids, EPC classes) live in a child table
so ``MATCH_*`` queries are an index lookup instead of a JSON scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, CreatedStamp, UtcDateTime

_CAPTURE = "supply_epcis_capture"
_EVENT = "supply_epcis_event"


class EpcisCapture(CreatedStamp, Base):
    """A capture job (EPCIS 2.0 REST binding, section 12.5): one submitted document."""

    __tablename__ = _CAPTURE

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # running / success / failed: the job states of the REST binding's CaptureJob.
    status: Mapped[str] = mapped_column(String(8))
    # The document's @context: a query hands events back with the namespaces they were written in.
    context: Mapped[Any] = mapped_column(JSON)
    event_count: Mapped[int] = mapped_column(Integer)
    errors: Mapped[Any] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class EpcisEvent(Base):
    """One captured event: the original JSON plus the indexed query fields."""

    __tablename__ = _EVENT
    __table_args__ = (
        Index("ix_supply_epcis_event_type_time", "event_type", "event_time"),
        Index("ix_supply_epcis_event_location_time", "biz_location", "event_time"),
        # (time, id): a time-bounded query reads its rows in page order straight off the index.
        Index("ix_supply_epcis_event_time_id", "event_time", "id"),
        Index("ix_supply_epcis_event_record_id", "record_time", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey(f"{_CAPTURE}.id"), index=True)
    # Position in the captured document: maps inserted rows back to their events in one batched
    # INSERT ... RETURNING (row-at-a-time otherwise on SQLite) and keeps document order.
    seq: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(400), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[datetime] = mapped_column(UtcDateTime)
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str | None] = mapped_column(String(8), nullable=True)
    biz_step: Mapped[str | None] = mapped_column(String(400), nullable=True, index=True)
    disposition: Mapped[str | None] = mapped_column(String(400), nullable=True, index=True)
    read_point: Mapped[str | None] = mapped_column(String(400), nullable=True, index=True)
    biz_location: Mapped[str | None] = mapped_column(String(400), nullable=True)
    body: Mapped[Any] = mapped_column(JSON)


class EpcisEventEpc(Base):
    """An identifier an event names: an EPC (instance) or an EPC class with a quantity."""

    __tablename__ = "supply_epcis_event_epc"
    __table_args__ = (Index("ix_supply_epcis_event_epc_epc_event", "epc", "event_pk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey(f"{_EVENT}.id"), index=True)
    epc: Mapped[str] = mapped_column(String(400))
    # epcList, parentID, childEPCs, inputEPCList, outputEPCList, quantityList, childQuantityList,
    # inputQuantityList, outputQuantityList: the field of the event the identifier came from.
    role: Mapped[str] = mapped_column(String(20))
    is_class: Mapped[bool] = mapped_column(Boolean)
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    uom: Mapped[str | None] = mapped_column(String(8), nullable=True)


class EpcisNamedQuery(CreatedStamp, Base):
    """A named query (REST binding ``/queries``): a stored set of query parameters."""

    __tablename__ = "supply_epcis_named_query"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    params: Mapped[Any] = mapped_column(JSON)
