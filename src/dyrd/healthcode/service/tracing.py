"""Contact tracing from venue scans, across jurisdictions, with the least data that works.

Identity across nodes: every node keys its residents by its own random pseudonymous id (and
hashes identity numbers with its own secret), so no two nodes share an identifier a third could
join on. A visitor's scan records the pseudonymous id their *home* node gave them, and their
home jurisdiction; the scan is stored where the venue is.

Tracing a confirmed case of jurisdiction A:

1. A searches its own scans: the case's visits to A's venues, and everyone there in an
   overlapping window (``compute.tracing``). Co-visitors who are residents of this node are
   flagged as close contacts here; the others are only counted, by home jurisdiction.
2. For each other jurisdiction B whose co-visitor lookup service A holds a grant for, A calls
   it through the exchange fabric's signed gateway (``ConsumerGateway.fetch``). The request
   carries the case's pseudonymous id (B already holds it: the case's scans at B's venues
   recorded it) and the lookup's parameters, as ``fields`` of the rows request.
3. B (:func:`covisitor_lookup`, behind its gateway) searches its scans the same way, flags its
   own residents itself, and answers with counts plus the pseudonymous ids of A's residents
   only: A learns nothing about B's residents but how many were flagged, nor about third
   jurisdictions' visitors but a count per jurisdiction.
   In the same requests A pushes the pseudonymous ids of B's residents whom step 1 found at
   A's venues (``flag.<id>`` fields, at most ``PUSH_CHUNK`` a request): B flags those of its
   own residents too. So each side learns only its own residents' ids.
4. A flags the returned residents. On their next evaluation the colour rules turn them yellow
   or red (the sample rules: an active close-contact flag gives red).

The lookup is the upstream of a catalog ``service`` resource (conditional sharing class): the
provider gateway has verified the consumer's signature and grant before proxying, so the lookup
itself takes no token and must be served where only the gateway reaches it. The gateway
forwards the verified consumer as ``X-Road-Client`` (as X-Road's security server does), and the
lookup answers only when the ``for.`` jurisdiction is that member's own.

A flag's ``source`` names the trace by a hash of the case's id, so repeating a trace (or a page
of it) never flags anyone twice, and a flagged resident cannot learn who the case was.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange import ConsumerGateway, FetchRequest
from dyrd.healthcode.compute import tracing
from dyrd.healthcode.compute.features import local_date
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.models import ContactFlag, Scan
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.service._common import (
    acting,
    jurisdiction_problem,
    member_of,
    raise_if_any,
    require_resident,
)
from dyrd.healthcode.tracing_repository import TracingRepository
from dyrd.healthcode.tracing_schemas import RemoteLookup, RemoteOutcome, TraceCreate, TraceRead

LOOKBACK = timedelta(days=14)
"""How far back a trace looks by default: the 14-day incubation bound China's close-contact
management used (新型冠状病毒肺炎防控方案, 2020)."""

LOOKUP_COLUMNS = ["kind", "home_jurisdiction", "resident_ref", "count"]
"""Columns of the co-visitor lookup's rows document."""
LOOKUP_PAGE = 1000
"""Rows per lookup page: the gateway's maximum."""

PUSH_CHUNK = 100
"""Pseudonymous ids pushed per lookup request (``flag.<id>`` fields): about 4 KB of query."""

_CASE, _FOR, _MARGIN, _DWELL, _SINCE = "case.", "for.", "margin.", "dwell.", "since."
_FLAG = "flag."


def trace_tag(case_ref: str) -> str:
    """A short, stable name of a trace that does not reveal the case's id."""
    return hashlib.sha256(f"yrd-venue-trace:{case_ref}".encode()).hexdigest()[:16]


def flag_source(case_ref: str) -> str:
    """The ``source`` of every contact flag a trace of this case sets, on every node."""
    return f"场所码追踪 venue trace #{trace_tag(case_ref)}"


@dataclass(frozen=True, slots=True)
class LookupParams:
    """What a trace asks: the case, the asking jurisdiction, the margin, dwell and start."""

    case_ref: str
    for_jurisdiction: str
    margin: timedelta
    dwell: timedelta
    since: datetime
    pushed: tuple[str, ...] = ()
    """Residents of the provider seen at the asker's venues with the case: the provider flags
    them (its own residents only; others are ignored)."""

    def fields(self) -> list[str]:
        """The parameters as ``fields`` of a gateway rows request."""
        return [
            _CASE + self.case_ref,
            _FOR + self.for_jurisdiction,
            _MARGIN + str(int(self.margin.total_seconds() // 60)),
            _DWELL + str(int(self.dwell.total_seconds() // 60)),
            _SINCE + str(int(self.since.timestamp())),
            *(_FLAG + ref for ref in self.pushed),
        ]


@dataclass(slots=True)
class LocalTrace:
    """What one node's search found: visits, co-visitors, and whom it flagged."""

    visits: int = 0
    co_visitors: list[tuple[str, str]] = field(default_factory=list)
    """(pseudonymous id, home jurisdiction) of each co-visitor, once."""
    flagged: list[str] = field(default_factory=list)
    """Residents of this node flagged (now or by an earlier run of the same trace)."""


def _flag(
    session: Session, refs: Sequence[str], *, source: str, on: date, actor: Actor, at: datetime
) -> list[str]:
    """Flag the residents of this node among ``refs`` (once per source); their ids."""
    repo = TracingRepository(session)
    residents = [r.id for r in repo.residents_among(sorted(set(refs)))]
    done = repo.flagged_by(source, residents)
    repo.add_all(
        [
            ContactFlag(
                resident_id=rid,
                flagged_on=on,
                cleared_on=None,
                source=source,
                created_by=actor.user,
                created_for=actor.member,
                created_at=at,
            )
            for rid in residents
            if rid not in done
        ]
    )
    return residents


def search_and_flag(
    session: Session, params: LookupParams, *, actor: Actor, clock: Clock
) -> LocalTrace:
    """Find the case's co-visitors in this node's scans and flag this node's residents (flushes;
    the caller commits)."""
    repo = TracingRepository(session)
    now = clock()
    case_scans = repo.scans_of(params.case_ref, params.since)
    out = LocalTrace(visits=len(case_scans))
    if not case_scans:
        return out
    dwell = params.dwell
    visits = tracing.visits_frame(
        [(s.venue_id, *tracing.window(s.entered_at, s.left_at, dwell)) for s in case_scans]
    )
    # a co-visitor's window may have begun before the case's earliest visit
    earliest = params.since - tracing_lead(params)
    others: list[Scan] = [
        s
        for s in repo.scans_at(sorted({s.venue_id for s in case_scans}), earliest)
        if s.resident_ref != params.case_ref
    ]
    scans = tracing.scans_frame(
        [(s.venue_id, *tracing.window(s.entered_at, s.left_at, dwell)) for s in others]
    )
    hits = tracing.co_visitor_rows(visits, scans, int(params.margin.total_seconds()))
    seen: dict[str, str] = {}
    for i in hits:
        seen.setdefault(others[i].resident_ref, others[i].home_jurisdiction)
    out.co_visitors = sorted(seen.items())
    out.flagged = _flag(
        session,
        list(seen),
        source=flag_source(params.case_ref),
        on=local_date(now),
        actor=actor,
        at=now,
    )
    return out


def tracing_lead(params: LookupParams) -> timedelta:
    """How long before ``since`` a co-visitor's scan may have been entered and still overlap."""
    return timedelta(hours=24) + params.margin


# the provider side: B's lookup service -------------------------------------------------------


def _bad_query(message: str, message_zh: str) -> HealthInputInvalid:
    return HealthInputInvalid(
        f"The co-visitor lookup query is not valid: {message}.",
        f"密接查询参数无效：{message_zh}。",
        hint="fields=case.<id>,for.<jurisdiction>,margin.<min>,dwell.<min>,since.<unix s>",
        errors=[FieldError("query.fields", message, message_zh)],
    )


def parse_lookup_query(query: str) -> tuple[LookupParams, int, int]:
    """The parameters, limit and offset of a lookup request's query string."""
    try:
        pairs = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise _bad_query("the query string is malformed", "查询字符串格式错误") from None
    values: dict[str, str] = {}
    pushed: list[str] = []
    for item in (pairs.get("fields") or "").split(","):
        if item.startswith(_FLAG):
            pushed.append(item[len(_FLAG) :])
        for prefix in (_CASE, _FOR, _MARGIN, _DWELL, _SINCE):
            if item.startswith(prefix):
                values[prefix] = item[len(prefix) :]
    missing = [p.rstrip(".") for p in (_CASE, _FOR, _MARGIN, _DWELL, _SINCE) if p not in values]
    if missing:
        raise _bad_query(f"missing {', '.join(missing)}", f"缺少 {', '.join(missing)}")
    if jurisdiction_problem(values[_FOR]) is not None:
        raise _bad_query("for. is not a YRD jurisdiction", "for. 不是长三角省级行政区")
    try:
        margin, dwell = int(values[_MARGIN]), int(values[_DWELL])
        since = datetime.fromtimestamp(int(values[_SINCE]), tz=UTC)
        limit = int(pairs.get("limit", LOOKUP_PAGE))
        offset = int(pairs.get("offset", 0))
    except (ValueError, OverflowError, OSError):
        raise _bad_query("margin, dwell, since, limit, offset are integers", "须为整数") from None
    case = values[_CASE]
    if not (
        0 <= margin <= 24 * 60
        and 1 <= dwell <= 24 * 60
        and 1 <= limit <= LOOKUP_PAGE
        and offset >= 0
        and all(_is_ref(ref) for ref in (case, *pushed))
        and len(pushed) <= PUSH_CHUNK
    ):
        raise _bad_query("a value is out of range", "取值超出范围")
    params = LookupParams(
        case_ref=case,
        for_jurisdiction=values[_FOR],
        margin=timedelta(minutes=margin),
        dwell=timedelta(minutes=dwell),
        since=since,
        pushed=tuple(pushed),
    )
    return params, limit, offset


def _is_ref(ref: str) -> bool:
    return 1 <= len(ref) <= 36 and all(c.isascii() and (c.isalnum() or c == "-") for c in ref)


def covisitor_lookup(
    session: Session,
    query: str,
    *,
    jurisdiction: str,
    message_id: str,
    client: str,
    clock: Clock,
) -> dict[str, Any]:
    """Jurisdiction B's co-visitor lookup (the upstream of its gateway service): search B's
    scans for the case, flag B's own residents, and answer a rows document with counts and
    the asking jurisdiction's residents' pseudonymous ids only. Commits."""
    params, limit, offset = parse_lookup_query(query)
    asker = member_of(params.for_jurisdiction)
    if client != asker and not client.startswith(asker + "/"):
        # Another member's grant must not fetch (or push flags for) this jurisdiction's view.
        raise _bad_query(
            f"for.{params.for_jurisdiction} is not the calling member {client or '-'}",
            f"for.{params.for_jurisdiction} 与调用成员 {client or '-'} 不符",
        )
    actor = Actor(user=f"gateway:{message_id[:100] or '-'}", member=member_of(jurisdiction))
    found = search_and_flag(session, params, actor=actor, clock=clock)
    now = clock()
    source = flag_source(params.case_ref)
    _flag(session, params.pushed, source=source, on=local_date(now), actor=actor, at=now)
    session.commit()
    here = set(found.flagged)
    rows: list[dict[str, Any]] = [
        {
            "kind": "flagged",
            "home_jurisdiction": jurisdiction,
            "resident_ref": None,
            "count": TracingRepository(session).count_flagged(source),
        }
    ]
    others: Counter[str] = Counter()
    contacts: list[str] = []
    for ref, home in found.co_visitors:
        if ref in here:
            continue
        if home == params.for_jurisdiction:
            contacts.append(ref)
        else:
            others[home] += 1
    rows += [
        {"kind": "other", "home_jurisdiction": home, "resident_ref": None, "count": n}
        for home, n in sorted(others.items())
    ]
    rows += [
        {
            "kind": "contact",
            "home_jurisdiction": params.for_jurisdiction,
            "resident_ref": ref,
            "count": 1,
        }
        for ref in contacts
    ]
    return {
        "resource_id": "covisitor-lookup",
        "data_version": None,
        "columns": LOOKUP_COLUMNS,
        "pseudonymised": [],
        "anonymity": None,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "rows": rows[offset : offset + limit],
    }


# the consumer side: A's trace ---------------------------------------------------------------


def _user_id(actor: Actor) -> str:
    """X-Road-UserId as the exchange API derives it: pseudonymous, stable per user and member."""
    return "CN" + hashlib.sha256(f"{actor.member}:{actor.user}".encode()).hexdigest()[:24]


def trace_case(
    session: Session,
    resident_id: str,
    body: TraceCreate,
    *,
    principal: Principal,
    clock: Clock,
    gateway: ConsumerGateway | None,
) -> TraceRead:
    """Trace a confirmed case of this node: locally, then through each remote lookup."""
    resident = require_resident(HealthcodeRepository(session), resident_id)
    actor = acting(principal, Role.DATA_STEWARD, resident.jurisdiction)
    now = clock()
    if body.since is not None and body.since.tzinfo is None:
        raise_if_any(FieldError("body.since", "Give the time zone.", "请注明时区。"), what="trace")
    params = LookupParams(
        case_ref=resident.id,
        for_jurisdiction=resident.jurisdiction,
        margin=timedelta(minutes=body.margin_minutes),
        dwell=timedelta(minutes=body.dwell_minutes),
        since=body.since or now - LOOKBACK,
    )
    analysts = [principal.acting_for(Role.ANALYST, r.consumer_member) for r in body.remotes]
    if body.remotes and gateway is None:
        raise HealthInputInvalid(
            "No consumer gateway is wired on this node: remote lookups are unavailable.",
            "本节点未配置消费方网关，无法查询其他省市。",
            hint="Build the app with dyrd.bootstrap.build_app, or trace without remotes.",
        )
    found = search_and_flag(session, params, actor=actor, clock=clock)
    session.commit()
    # co-visitors at this node's venues who live elsewhere: pushed to their home's lookup
    pending: dict[str, list[str]] = {}
    flagged = set(found.flagged)
    for ref, home in found.co_visitors:
        if ref not in flagged:
            pending.setdefault(home, []).append(ref)
    outcomes = []
    for remote, analyst in zip(body.remotes, analysts, strict=True):
        assert gateway is not None  # noqa: S101  # checked above
        push = pending.pop(_jurisdiction_of(remote.provider_member), [])
        outcomes.append(_remote(session, params, remote, analyst, gateway, clock, push))
    return TraceRead(
        case_ref=resident.id,
        jurisdiction=resident.jurisdiction,
        flagged_on=local_date(now),
        local_visits=found.visits,
        local_co_visitors=len(found.co_visitors),
        flagged_here=len(found.flagged),
        unresolved={home: len(refs) for home, refs in sorted(pending.items())},
        remotes=outcomes,
    )


def _jurisdiction_of(member: str) -> str:
    """The jurisdiction code in a member id (``CN-YRD/GOV/330000/DSJ`` -> ``330000``)."""
    parts = member.split("/")
    return parts[2] if len(parts) > 2 and jurisdiction_problem(parts[2]) is None else ""


def _remote(  # noqa: PLR0917  # one remote lookup and what it needs
    session: Session,
    params: LookupParams,
    remote: RemoteLookup,
    analyst: Actor,
    gateway: ConsumerGateway,
    clock: Clock,
    push: list[str],
) -> RemoteOutcome:
    """One remote lookup, page by page, pushing ``push`` in chunks; flags the returned
    residents of this node."""

    def fetch(pushed: list[str], offset: int, limit: int) -> Any:
        return gateway.fetch(
            session,
            FetchRequest(
                consumer_member=remote.consumer_member,
                provider_member=remote.provider_member,
                resource_id=remote.resource_id,
                grant_id=remote.grant_id,
                fields=replace(params, pushed=tuple(pushed)).fields(),
                user_id=_user_id(analyst),
                issue=f"venue trace #{trace_tag(params.case_ref)}",
                limit=limit,
                offset=offset,
            ),
        )

    chunks = [push[i : i + PUSH_CHUNK] for i in range(0, len(push), PUSH_CHUNK)] or [[]]
    rows: list[dict[str, Any]] = []
    flagged_there = 0
    for extra in chunks[1:]:  # the rest of the pushed ids first: the last answer counts all
        answer = fetch(extra, 0, 1)
        flagged_there = max(flagged_there, _flagged_count(answer.rows))
    offset, message_id = 0, ""
    while True:
        result = fetch(chunks[0], offset, LOOKUP_PAGE)
        message_id = message_id or result.message_id
        rows += result.rows
        offset += LOOKUP_PAGE
        if offset >= result.total or not result.rows:
            break
    flagged_there = max(flagged_there, _flagged_count(rows))
    others = {
        str(r.get("home_jurisdiction")): int(r.get("count") or 0)
        for r in rows
        if r.get("kind") == "other"
    }
    refs = [
        str(r["resident_ref"])
        for r in rows
        if r.get("kind") == "contact"
        and r.get("home_jurisdiction") == params.for_jurisdiction
        and isinstance(r.get("resident_ref"), str)
    ]
    now = clock()
    actor = Actor(user=analyst.user, member=member_of(params.for_jurisdiction))
    flagged = _flag(
        session, refs, source=flag_source(params.case_ref), on=local_date(now), actor=actor, at=now
    )
    session.commit()
    return RemoteOutcome(
        provider_member=remote.provider_member,
        message_id=message_id,
        flagged_there=flagged_there,
        pushed=len(push),
        returned=len(refs),
        flagged_here=len(flagged),
        other_jurisdictions=others,
    )


def _flagged_count(rows: list[dict[str, Any]]) -> int:
    """The provider's count of its residents carrying this trace's flag."""
    return max((int(r.get("count") or 0) for r in rows if r.get("kind") == "flagged"), default=0)
