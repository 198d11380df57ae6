"""EPCIS capture and query speed: the full validating capture path against a raw bulk insert of
the same rows, and query latency with a large store (one million events by default).

* Capture: synthetic EPCISDocuments (``--batch`` events each) go through
  ``dyrd.supply.service.epcis.capture``: JSON parsing, the official JSON Schema, the standard's
  extra rules, indexing, event hash ids, insert and commit.
* Baseline: the same event and EPC rows, prepared beforehand, inserted with two executemany
  statements per batch into an empty store (no parsing, no validation), same backend, same run.
* Query: the store is filled to ``--events`` with the bulk path, then each standard query
  (event type + time window, bizStep, bizLocation, readPoint, disposition, MATCH_epc exact and
  by pattern, MATCH_anyEPC, record-time window, a second page via nextPageToken) runs
  ``--repeats`` times through ``dyrd.supply.service.epcis.query_events``; p95 over all of them.

Needs the GS1 EPCIS 2.0 artefacts (``--artefacts`` or DYRD_EPCIS_ARTEFACTS_DIR; default: the
shared test-data copy next to the repository). SQLite in a temporary file by default;
``--database-url`` (or DYRD_TEST_DATABASE_URL) for PostgreSQL, whose tables are emptied.

    python bench/supply.py [--events 1000000] [--capture-events 20000] [--batch 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if not __package__:  # run as `python bench/supply.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.auth import Principal
from dyrd.core.db import Base, create_db_engine
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_events import event_hash_id, index_event
from dyrd.supply.epcis_models import EpcisCapture, EpcisEvent, EpcisEventEpc, EpcisNamedQuery
from dyrd.supply.epcis_repository import epc_rows, event_row
from dyrd.supply.service import epcis

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ARTEFACTS = REPO.parent / "shared" / "testdata" / "epcis"
START = datetime(2026, 1, 1, tzinfo=UTC)
STEPS = ("commissioning", "packing", "shipping", "receiving", "storing", "picking")
DISPOSITIONS = ("active", "in_progress", "in_transit", "sellable_accessible", "container_closed")
OPERATOR = Principal("bench", {REGION_MEMBER_ID: frozenset({Role.ADMIN})})
PAGE_KEY = b"bench-page-key"


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Figures of one run (the first four are the issue's keys)."""

    capture_events_per_s: float
    bulk_insert_rows_per_s: float
    ratio: float
    query_p95_ms_at_1m: float
    backend: str
    stored_events: int
    capture_events: int
    query_p50_ms: float
    queries: int
    slowest_query: str
    slowest_query_p95_ms: float


def synthetic_events(n: int, *, seed: int, offset: int = 0) -> Iterator[dict[str, Any]]:
    """ObjectEvents with two SGTINs each over a year, 100 locations and 200 read points."""
    rng = random.Random(seed)  # noqa: S311  # synthetic benchmark data, not secrets
    for i in range(offset, offset + n):
        when = START + timedelta(seconds=i * 31 + rng.randrange(30))
        item = rng.randrange(500)
        yield {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{i:08x}-0000-4000-8000-{seed:012x}",
            "eventTime": when.isoformat().replace("+00:00", "Z"),
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "epcList": [
                f"urn:epc:id:sgtin:0614141.{item:06d}.{i * 2}",
                f"urn:epc:id:sgtin:0614141.{item:06d}.{i * 2 + 1}",
            ],
            "bizStep": STEPS[rng.randrange(len(STEPS))],
            "disposition": DISPOSITIONS[rng.randrange(len(DISPOSITIONS))],
            "readPoint": {"id": f"urn:epc:id:sgln:0614141.{rng.randrange(200):05d}.0"},
            "bizLocation": {"id": f"urn:epc:id:sgln:0614141.{rng.randrange(100):05d}.1"},
        }


def _document(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "@context": [epcis_artefacts.CONTEXT_URL],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-11-26T00:00:00Z",
            "epcisBody": {"eventList": events},
        }
    ).encode()


def _empty(engine: Engine) -> None:
    with Session(engine) as session:
        for model in (EpcisEventEpc, EpcisEvent, EpcisCapture, EpcisNamedQuery):
            session.execute(delete(model))
        session.commit()


def _bulk(engine: Engine, batches: list[list[dict[str, Any]]], now: datetime) -> float:
    """Seconds to insert prepared rows of every batch (timed part only)."""
    prepared = []
    for events in batches:
        capture_id = str(uuid.uuid4())
        indexed = [index_event(e) for e in events]
        rows = [
            event_row(capture_id, seq, e.get("eventID") or event_hash_id(e), ix, now, e)
            for seq, (e, ix) in enumerate(zip(events, indexed, strict=True))
        ]
        prepared.append((capture_id, rows, indexed))
    tables = Base.metadata.tables
    events_table = tables[EpcisEvent.__tablename__]
    epcs_table = tables[EpcisEventEpc.__tablename__]
    start = time.perf_counter()
    with engine.begin() as conn:
        for capture_id, rows, indexed in prepared:
            conn.execute(
                tables[EpcisCapture.__tablename__].insert(),
                {
                    "id": capture_id,
                    "status": "success",
                    "context": [epcis_artefacts.CONTEXT_URL],
                    "event_count": len(rows),
                    "errors": [],
                    "finished_at": now,
                    "created_by": "bench",
                    "created_for": REGION_MEMBER_ID,
                    "created_at": now,
                },
            )
            inserted = conn.execute(
                events_table.insert().returning(events_table.c.seq, events_table.c.id), rows
            )
            by_seq = {row.seq: row.id for row in inserted}
            children = [
                child
                for row, ix in zip(rows, indexed, strict=True)
                for child in epc_rows(by_seq[row["seq"]], ix)
            ]
            conn.execute(epcs_table.insert(), children)
    return time.perf_counter() - start


def _fill(engine: Engine, total: int, batch: int, seed: int, log: Callable[[str], object]) -> None:
    """Bulk-load ``total`` events (setup for the query figures, not timed)."""
    done = 0
    now = START + timedelta(days=400)
    while done < total:
        size = min(batch * 10, total - done)
        events = list(synthetic_events(size, seed=seed, offset=done))
        _bulk(engine, [events[i : i + batch] for i in range(0, size, batch)], now)
        done += size
        if done % 100_000 < batch * 10:
            log(f"  stored {done} events")


def _queries(total: int) -> list[dict[str, list[str]]]:
    middle = START + timedelta(seconds=total * 31 // 2)
    day = timedelta(days=1)
    serial = total  # an SGTIN serial that exists (event total/2, first EPC)
    return [
        {
            "eventType": ["ObjectEvent"],
            "GE_eventTime": [middle.isoformat()],
            "LT_eventTime": [(middle + day).isoformat()],
        },
        {"EQ_bizStep": ["receiving"]},
        {"EQ_bizLocation": ["urn:epc:id:sgln:0614141.00042.1"]},
        {"EQ_readPoint": ["urn:epc:id:sgln:0614141.00117.0"], "EQ_disposition": ["in_transit"]},
        {"MATCH_epc": [f"urn:epc:id:sgtin:0614141.{0:06d}.{serial}"]},
        {"MATCH_anyEPC": [f"urn:epc:id:sgtin:0614141.{0:06d}.{serial}"]},
        {"MATCH_epc": ["urn:epc:idpat:sgtin:0614141.000123.*"]},
        {"GE_recordTime": [(START + timedelta(days=399)).isoformat()], "perPage": ["100"]},
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def measure(  # one knob per option
    *,
    events: int = 1_000_000,
    capture_events: int = 20_000,
    batch: int = 1000,
    repeats: int = 20,
    artefacts: Path = DEFAULT_ARTEFACTS,
    database_url: str | None = None,
    seed: int = 7,
    log: Callable[[str], object] = lambda _: None,
) -> BenchResult:
    """Run the three measurements on one store."""
    holder = epcis_artefacts.load(artefacts)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_db_engine(url)
        if engine.dialect.name == "postgresql" and database_url:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        bootstrap.upgrade_database(engine)
        sample = list(synthetic_events(capture_events, seed=seed + 1))
        batches = [sample[i : i + batch] for i in range(0, len(sample), batch)]
        docs = [_document(b) for b in batches]
        now = START + timedelta(days=500)

        log("capture (validating path)")
        start = time.perf_counter()
        with Session(engine) as session:
            for raw in docs:
                epcis.capture(session, raw, holder=holder, principal=OPERATOR, clock=lambda: now)
        capture_s = time.perf_counter() - start
        _empty(engine)
        log("bulk insert (same rows)")
        bulk_s = _bulk(engine, batches, now)
        _empty(engine)

        log(f"filling to {events} events")
        _fill(engine, events, batch, seed, log)
        # Fresh planner statistics after the bulk load, as an operator would keep them
        # (PostgreSQL's autovacuum does it by itself; SQLite only on ANALYZE / PRAGMA optimize).
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        timings: list[float] = []
        per_query: dict[str, list[float]] = {}
        queries = _queries(events)
        with Session(engine) as session:
            for _ in range(repeats):
                for params in queries:
                    t0 = time.perf_counter()
                    page = epcis.query_events(session, params, page_key=PAGE_KEY, clock=lambda: now)
                    timings.append(time.perf_counter() - t0)
                    per_query.setdefault(json.dumps(params), []).append(timings[-1])
                    if page.next_token:  # the second page, as a client following Link would
                        t0 = time.perf_counter()
                        epcis.query_events(
                            session,
                            {**params, "nextPageToken": [page.next_token]},
                            page_key=PAGE_KEY,
                            clock=lambda: now,
                        )
                        timings.append(time.perf_counter() - t0)
                session.rollback()
        slowest = max(per_query, key=lambda k: _percentile(per_query[k], 0.95))
        backend = engine.dialect.name
        engine.dispose()
    capture_rate = capture_events / capture_s
    bulk_rate = capture_events / bulk_s
    return BenchResult(
        capture_events_per_s=round(capture_rate, 1),
        bulk_insert_rows_per_s=round(bulk_rate, 1),
        ratio=round(capture_rate / bulk_rate, 4),
        query_p95_ms_at_1m=round(_percentile(timings, 0.95) * 1000, 2),
        backend=backend,
        stored_events=events,
        capture_events=capture_events,
        query_p50_ms=round(_percentile(timings, 0.5) * 1000, 2),
        queries=len(timings),
        slowest_query=slowest,
        slowest_query_p95_ms=round(_percentile(per_query[slowest], 0.95) * 1000, 2),
    )


def render(r: BenchResult) -> str:
    """A small report for people."""
    return "\n".join(
        [
            f"backend {r.backend}; capture of {r.capture_events} events; "
            f"{r.stored_events} events stored for queries",
            f"capture (validating)  {r.capture_events_per_s:12.1f} events/s",
            f"bulk insert (raw)     {r.bulk_insert_rows_per_s:12.1f} rows/s",
            f"capture / bulk        {r.ratio:12.4f}",
            f"query p50 / p95       {r.query_p50_ms:8.2f} / {r.query_p95_ms_at_1m:.2f} ms "
            f"({r.queries} queries)",
            f"slowest (p95 {r.slowest_query_p95_ms:.2f} ms): {r.slowest_query}",
        ]
    )


def main(argv: list[str] | None = None, out: Callable[[str], object] = print) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--capture-events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--artefacts",
        type=Path,
        default=Path(os.environ.get("DYRD_EPCIS_ARTEFACTS_DIR") or DEFAULT_ARTEFACTS),
    )
    parser.add_argument("--database-url", default=os.environ.get("DYRD_TEST_DATABASE_URL") or None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(
        events=args.events,
        capture_events=args.capture_events,
        batch=args.batch,
        repeats=args.repeats,
        artefacts=args.artefacts,
        database_url=args.database_url,
        log=lambda m: print(m, file=sys.stderr),
    )
    out(json.dumps(asdict(result)) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
