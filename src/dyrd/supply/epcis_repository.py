"""Queries of EPCIS capture jobs and events. Flushes only; the service commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from dyrd.supply.compute.epcis_events import IndexedEvent
from dyrd.supply.compute.epcis_query import Position, QuerySpec
from dyrd.supply.epcis_models import EpcisCapture, EpcisEvent, EpcisEventEpc, EpcisNamedQuery


def event_row(  # noqa: PLR0917  # one argument per stored part
    capture_id: str,
    seq: int,
    event_id: str,
    indexed: IndexedEvent,
    record_time: datetime,
    body: Any,
) -> dict[str, Any]:
    """The ``supply_epcis_event`` row of one event (without its EPC rows)."""
    return {
        "capture_id": capture_id,
        "seq": seq,
        "event_id": event_id,
        "event_type": indexed.event_type,
        "event_time": indexed.event_time,
        "event_time_zone_offset": indexed.event_time_zone_offset,
        "record_time": record_time,
        "action": indexed.action,
        "biz_step": indexed.biz_step,
        "disposition": indexed.disposition,
        "read_point": indexed.read_point,
        "biz_location": indexed.biz_location,
        "body": body,
    }


def epc_rows(event_pk: int, indexed: IndexedEvent) -> list[dict[str, Any]]:
    """The ``supply_epcis_event_epc`` rows of one stored event."""
    return [
        {
            "event_pk": event_pk,
            "epc": ref.epc,
            "role": ref.role,
            "is_class": ref.is_class,
            "quantity": ref.quantity,
            "uom": ref.uom,
        }
        for ref in indexed.epcs
    ]


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class EpcisRepository:
    """Capture jobs, events and named queries."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_capture(self, capture: EpcisCapture) -> None:
        """Stage a capture job."""
        self.session.add(capture)
        self.session.flush()

    def capture(self, capture_id: str) -> EpcisCapture | None:
        """A capture job by id."""
        return self.session.get(EpcisCapture, capture_id)

    def insert_events(
        self, rows: Sequence[dict[str, Any]], indexed: Sequence[IndexedEvent]
    ) -> list[int]:
        """Bulk-insert events and their EPC rows (one executemany each); the new primary keys."""
        if not rows:
            return []
        stmt = insert(EpcisEvent).returning(EpcisEvent.seq, EpcisEvent.id)
        by_seq = {row.seq: row.id for row in self.session.execute(stmt, list(rows))}
        pks = [by_seq[row["seq"]] for row in rows]
        children = [row for pk, ix in zip(pks, indexed, strict=True) for row in epc_rows(pk, ix)]
        if children:
            self.session.execute(insert(EpcisEventEpc), children)
        return pks

    def query(self, spec: QuerySpec, after: Position, limit: int) -> list[EpcisEvent]:
        """Events matching ``spec`` after ``after`` in ``spec.order``, at most ``limit``."""
        stmt = select(EpcisEvent).where(*self._filters(spec))
        if spec.order == "id":
            stmt = stmt.where(EpcisEvent.id > after.after_id).order_by(EpcisEvent.id)
        else:
            column = getattr(EpcisEvent, spec.order)
            if after.after_time is not None:
                stmt = stmt.where(
                    tuple_(column, EpcisEvent.id) > tuple_(after.after_time, after.after_id)
                )
            stmt = stmt.order_by(column, EpcisEvent.id)
        return list(self.session.scalars(stmt.limit(limit)))

    @staticmethod
    def _filters(spec: QuerySpec) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if spec.event_types:
            out.append(EpcisEvent.event_type.in_(spec.event_types))
        for column, op, value in spec.times:
            col = getattr(EpcisEvent, column)
            out.append(col >= value if op == ">=" else col < value)
        for column, values in spec.equals:
            out.append(getattr(EpcisEvent, column).in_(values))
        for match in spec.matches:
            alternatives: list[ColumnElement[bool]] = []
            if match.exact:
                alternatives.append(EpcisEventEpc.epc.in_(match.exact))
            # A prefix as a range (prefix <= epc < next prefix) so both backends use the EPC
            # index; LIKE 'p%' cannot (SQLite's LIKE ignores case, PostgreSQL's needs C collation).
            alternatives.extend(
                and_(EpcisEventEpc.epc >= p, EpcisEventEpc.epc < _after_prefix(p))
                for p in match.prefixes
            )
            # IN (subquery) rather than EXISTS: the planner then starts from the EPC index and
            # probes events by primary key, instead of scanning events and probing EPCs.
            holders = select(EpcisEventEpc.event_pk).where(
                EpcisEventEpc.role.in_(match.roles), or_(*alternatives)
            )
            out.append(EpcisEvent.id.in_(holders))
        return out

    def contexts(self, capture_ids: Sequence[str]) -> dict[str, Any]:
        """The @context of each named capture job."""
        rows = self.session.execute(
            select(EpcisCapture.id, EpcisCapture.context).where(EpcisCapture.id.in_(capture_ids))
        )
        return {row.id: row.context for row in rows}

    def events_until(self, as_of: datetime | None) -> list[EpcisEvent]:
        """All events up to an event time (all when None), in event-time order, for the views."""
        stmt = select(EpcisEvent)
        if as_of is not None:
            stmt = stmt.where(and_(EpcisEvent.event_time <= as_of))
        return list(self.session.scalars(stmt.order_by(EpcisEvent.event_time, EpcisEvent.id)))

    def epcs_of(
        self, event_pks: Sequence[int]
    ) -> dict[int, list[tuple[str, str, bool, float | None, str | None]]]:
        """The EPC rows of these events: (epc, role, is_class, quantity, uom) per event pk."""
        out: dict[int, list[tuple[str, str, bool, float | None, str | None]]] = {}
        # In chunks, to stay under the backends' bind-parameter limits.
        for start in range(0, len(event_pks), 5000):
            chunk = event_pks[start : start + 5000]
            stmt = select(EpcisEventEpc).where(EpcisEventEpc.event_pk.in_(chunk))
            for epc in self.session.scalars(stmt.order_by(EpcisEventEpc.id)):
                out.setdefault(epc.event_pk, []).append(
                    (epc.epc, epc.role, epc.is_class, epc.quantity, epc.uom)
                )
        return out

    def named_query(self, name: str) -> EpcisNamedQuery | None:
        """A named query by name."""
        return self.session.get(EpcisNamedQuery, name)

    def add_named_query(self, query: EpcisNamedQuery) -> None:
        """Stage a named query."""
        self.session.add(query)
        self.session.flush()

    def named_queries(self) -> list[EpcisNamedQuery]:
        """Every named query, by name."""
        return list(self.session.scalars(select(EpcisNamedQuery).order_by(EpcisNamedQuery.name)))
