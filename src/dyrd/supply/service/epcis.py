"""EPCIS 2.0 use cases: validate, capture (as a capture job), query with signed paging, and
named queries.

Capture is all-or-nothing (the REST binding's ``rollback`` error behaviour, its default): a
document that fails the schema or the standard's rules is refused with the pointers of the
failing parts and nothing is written; an accepted one is stored with its capture job in one
transaction. The job therefore finishes within the request; ``GET /epcis/capture/{id}`` reports
it as the binding describes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.supply.compute.epcis_events import event_hash_id, index_event
from dyrd.supply.compute.epcis_query import (
    Position,
    QueryProblem,
    QuerySpec,
    parse_query,
    read_token,
    sign_token,
)
from dyrd.supply.compute.epcis_validate import SchemaHolder, Violation, event_lists, validate
from dyrd.supply.epcis_artefacts import CONTEXT_URL
from dyrd.supply.epcis_models import EpcisCapture, EpcisEvent, EpcisNamedQuery
from dyrd.supply.epcis_repository import EpcisRepository, event_row
from dyrd.supply.epcis_schemas import CaptureJobRead, NamedQueryCreate, NamedQueryRead
from dyrd.supply.errors import (
    EpcisInvalid,
    EpcisQueryInvalid,
    EpcisTooLarge,
    SupplyConflict,
    SupplyNotFound,
)


@dataclass(frozen=True, slots=True)
class CaptureLimits:
    """Server limits announced in the GS1-EPCIS-Capture-Limit / -File-Size-Limit headers.

    The REST binding leaves the values to the server; these are this platform's policy: large
    enough for a day's events of a mid-size site in one document, small enough to validate in
    a request.
    """

    max_events: int = 10_000
    max_bytes: int = 20 * 1024 * 1024


def _invalid(violations: Sequence[Violation]) -> EpcisInvalid:
    first = violations[0]
    return EpcisInvalid(
        f"The EPCIS document is invalid at {first.pointer or '/'}: {first.message}",
        f"EPCIS 文档在 {first.pointer or '/'} 处无效：{first.message_zh}",
        hint="Fix the parts named in errors (JSON pointers) and capture again.",
        errors=[FieldError(v.pointer or "/", v.message, v.message_zh) for v in violations[:100]],
    )


def parse_document(raw: bytes) -> Any:
    """The JSON of a submitted document (``EpcisInvalid`` when it is not JSON)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        violation = Violation("", f"not JSON: {exc}", "不是合法的 JSON")
        raise _invalid([violation]) from None


def check_document(document: Any, holder: SchemaHolder) -> list[Violation]:
    """Violations of a parsed document (empty when valid): for the CLI's offline validation."""
    found = validate(document, holder)
    if (
        not found
        and isinstance(document, Mapping)
        and document.get("type")
        not in (
            "EPCISDocument",
            "EPCISQueryDocument",
        )
    ):
        found = [
            Violation(
                "/type",
                "capture takes an EPCISDocument (or EPCISQueryDocument), not a bare event",
                "捕获接口只接受 EPCISDocument（或 EPCISQueryDocument）",
            )
        ]
    return found


def _job(capture: EpcisCapture) -> CaptureJobRead:
    return CaptureJobRead(
        captureID=capture.id,
        createdAt=capture.created_at,
        finishedAt=capture.finished_at,
        running=capture.status == "running",
        success=capture.status == "success",
        errors=capture.errors,
        eventCount=capture.event_count,
    )


def capture(
    session: Session,
    raw: bytes,
    *,
    holder: SchemaHolder,
    principal: Principal,
    clock: Clock,
    limits: CaptureLimits = CaptureLimits(),
) -> CaptureJobRead:
    """Validate and store one document (all or nothing); the finished capture job."""
    actor = principal.acting_for(Role.DATA_STEWARD)
    if len(raw) > limits.max_bytes:
        raise EpcisTooLarge(
            f"The document has {len(raw)} bytes; the limit is {limits.max_bytes}.",
            f"文档大小 {len(raw)} 字节，超过上限 {limits.max_bytes}。",
            hint="Split the events over several documents.",
        )
    document = parse_document(raw)
    violations = check_document(document, holder)
    if violations:
        raise _invalid(violations)
    events = [e for _, found in event_lists(document) for e in found]
    if len(events) > limits.max_events:
        raise EpcisTooLarge(
            f"The document has {len(events)} events; the limit is {limits.max_events}.",
            f"文档含 {len(events)} 个事件，超过上限 {limits.max_events}。",
            hint="Split the events over several documents.",
        )
    now = clock()
    job = EpcisCapture(
        id=str(uuid.uuid4()),
        status="success",
        context=document.get("@context", []),
        event_count=len(events),
        errors=[],
        finished_at=now,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo = EpcisRepository(session)
    repo.add_capture(job)
    indexed = [index_event(e) for e in events]
    rows = [
        event_row(job.id, seq, e.get("eventID") or event_hash_id(e), ix, now, e)
        for seq, (e, ix) in enumerate(zip(events, indexed, strict=True))
    ]
    repo.insert_events(rows, indexed)
    session.commit()
    return _job(job)


def capture_job(session: Session, capture_id: str) -> CaptureJobRead:
    """A capture job by id."""
    job = EpcisRepository(session).capture(capture_id)
    if job is None:
        raise SupplyNotFound(f"No capture job {capture_id!r}.", f"捕获任务 {capture_id} 不存在。")
    return _job(job)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _context_items(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


def _readback(
    rows: Sequence[EpcisEvent], contexts: Mapping[str, Any]
) -> tuple[list[Any], list[Any]]:
    """Events as captured (plus recordTime and a generated eventID), and the merged @context.

    Extension prefixes of all capture jobs go into one document-level context; an event whose
    job maps a prefix differently gets its own ``@context`` so its graph is unchanged.
    """
    merged: dict[str, Any] = {}
    remote: list[str] = [CONTEXT_URL]
    per_capture: dict[str, dict[str, Any]] = {}
    for capture_id, context in contexts.items():
        local: dict[str, Any] = {}
        for item in _context_items(context):
            if isinstance(item, str) and item not in remote:
                remote.append(item)
            elif isinstance(item, Mapping):
                local.update(item)
        per_capture[capture_id] = local
    conflicted: set[str] = set()
    for capture_id, local in per_capture.items():
        if any(k in merged and merged[k] != v for k, v in local.items()):
            conflicted.add(capture_id)
        else:
            merged.update(local)
    events: list[Any] = []
    for row in rows:
        body = dict(row.body)
        body.setdefault("eventID", row.event_id)
        body["recordTime"] = _iso(row.record_time)
        if row.capture_id in conflicted and "@context" not in body:
            body = {"@context": per_capture[row.capture_id], **body}
        events.append(body)
    return events, [*remote, merged] if merged else remote


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One page of a query: the EPCISQueryDocument and the token of the next page, if any."""

    document: dict[str, Any]
    next_token: str | None


def _spec(params: Mapping[str, Sequence[str]]) -> QuerySpec:
    try:
        return parse_query(params)
    except QueryProblem as exc:
        raise EpcisQueryInvalid(
            f"{exc.param}: {exc.message}",
            f"{exc.param}：{exc.message_zh}",
            errors=[FieldError(exc.param, exc.message, exc.message_zh)],
        ) from None


def query_events(
    session: Session,
    params: Mapping[str, Sequence[str]],
    *,
    page_key: bytes,
    clock: Clock,
    query_name: str = "SimpleEventQuery",
) -> QueryPage:
    """Events matching the standard query parameters, one page, as an EPCISQueryDocument."""
    spec = _spec(params)
    after = Position()
    tokens = params.get("nextPageToken", ())
    if tokens:
        try:
            after = read_token(tokens[0], spec, page_key)
        except QueryProblem as exc:
            raise EpcisQueryInvalid(
                exc.message,
                exc.message_zh,
                errors=[FieldError(exc.param, exc.message, exc.message_zh)],
            ) from None
    repo = EpcisRepository(session)
    rows = repo.query(spec, after, spec.per_page + 1)
    more = len(rows) > spec.per_page
    rows = rows[: spec.per_page]
    events, context = _readback(rows, repo.contexts(sorted({r.capture_id for r in rows})))
    document = {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(clock()),
        "epcisBody": {
            "queryResults": {"queryName": query_name, "resultsBody": {"eventList": events}}
        },
    }
    token = None
    if more and rows:
        last = rows[-1]
        when = None if spec.order == "id" else getattr(last, spec.order)
        token = sign_token(spec, Position(last.id, when), page_key)
    return QueryPage(document, token)


def _as_lists(query: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}


def create_named_query(
    session: Session, body: NamedQueryCreate, *, principal: Principal, clock: Clock
) -> NamedQueryRead:
    """Store a named query (its parameters are checked now, not at first use)."""
    actor = principal.acting_for(Role.ANALYST)
    params = _as_lists(body.query)
    if "nextPageToken" in params:
        raise EpcisQueryInvalid(
            "A named query cannot hold a nextPageToken.", "命名查询不能包含 nextPageToken。"
        )
    _spec(params)
    repo = EpcisRepository(session)
    if repo.named_query(body.name) is not None:
        raise SupplyConflict(f"Named query {body.name!r} exists.", f"命名查询 {body.name} 已存在。")
    now = clock()
    row = EpcisNamedQuery(
        name=body.name,
        params=params,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add_named_query(row)
    session.commit()
    return NamedQueryRead(name=row.name, query=params, createdAt=now)


def named_queries(session: Session) -> list[NamedQueryRead]:
    """Every named query."""
    return [
        NamedQueryRead(name=q.name, query=q.params, createdAt=q.created_at)
        for q in EpcisRepository(session).named_queries()
    ]


def run_named_query(
    session: Session,
    name: str,
    paging: Mapping[str, Sequence[str]],
    *,
    page_key: bytes,
    clock: Clock,
) -> QueryPage:
    """Run a named query (``paging`` may carry perPage and nextPageToken)."""
    row = EpcisRepository(session).named_query(name)
    if row is None:
        raise SupplyNotFound(f"No named query {name!r}.", f"命名查询 {name} 不存在。")
    extra = {k: list(v) for k, v in paging.items()}
    unknown = sorted(set(extra) - {"perPage", "nextPageToken"})
    if unknown:
        raise EpcisQueryInvalid(
            f"A named query takes only perPage and nextPageToken, not {unknown[0]!r}.",
            f"命名查询只接受 perPage 与 nextPageToken 参数，不接受 {unknown[0]}。",
        )
    return query_events(
        session, {**row.params, **extra}, page_key=page_key, clock=clock, query_name=name
    )
