"""EPCIS 2.0 query parameters (section 8.2.7.1, REST binding) and signed page tokens.

Pure (stdlib only): parses the query string into a ``QuerySpec`` (refusing unknown parameters,
unparseable times and backwards ranges, each with the parameter at fault) and signs and checks
``nextPageToken`` values with HMAC-SHA256 so a client cannot forge a position or reuse a token
with other parameters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dyrd.supply.compute.epcis_events import EVENT_TYPES, cbv_uri, parse_time

MAX_PER_PAGE = 1000
"""Largest page we hand out; the REST binding leaves the limit to the server."""
DEFAULT_PER_PAGE = 30
"""Page size when the client gives none (the REST binding's own example value is 30)."""

# MATCH_* parameter -> (fields it looks at, class-level?) per EPCIS 2.0 section 8.2.7.1.
MATCH_ROLES: dict[str, tuple[tuple[str, ...], bool]] = {
    "MATCH_epc": (("epcList", "childEPCs"), False),
    "MATCH_parentID": (("parentID",), False),
    "MATCH_inputEPC": (("inputEPCList",), False),
    "MATCH_outputEPC": (("outputEPCList",), False),
    "MATCH_anyEPC": (("epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID"), False),
    "MATCH_epcClass": (("quantityList", "childQuantityList"), True),
    "MATCH_inputEPCClass": (("inputQuantityList",), True),
    "MATCH_outputEPCClass": (("outputQuantityList",), True),
    "MATCH_anyEPCClass": (
        ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"),
        True,
    ),
}
EQ_FIELDS = {
    "EQ_action": "action",
    "EQ_bizStep": "biz_step",
    "EQ_disposition": "disposition",
    "EQ_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
    "EQ_eventID": "event_id",
}
TIME_FIELDS = {
    "GE_eventTime": ("event_time", ">="),
    "LT_eventTime": ("event_time", "<"),
    "GE_recordTime": ("record_time", ">="),
    "LT_recordTime": ("record_time", "<"),
}
CONTROL = ("perPage", "nextPageToken")
KNOWN = frozenset(("eventType", *MATCH_ROLES, *EQ_FIELDS, *TIME_FIELDS, *CONTROL))


class QueryProblem(ValueError):
    """A query parameter the standard calls a QueryParameterException; ``param`` names it."""

    def __init__(self, param: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """One MATCH_* parameter: exact identifiers and identifier prefixes (from EPC patterns)."""

    roles: tuple[str, ...]
    is_class: bool
    exact: tuple[str, ...]
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """A parsed, checked query."""

    event_types: tuple[str, ...] = ()
    times: tuple[tuple[str, str, datetime], ...] = ()
    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    matches: tuple[MatchSpec, ...] = ()
    per_page: int = DEFAULT_PER_PAGE
    canonical: str = field(default="")
    order: str = "id"
    """Scan order: ``event_time`` or ``record_time`` (then id) when the query bounds that time,
    so the bounding index also gives the order and a page stops after ``per_page`` rows;
    otherwise capture order (id)."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where the next page starts: after this row (and this sort-key time, if any)."""

    after_id: int = 0
    after_time: datetime | None = None


def _values(raw: Sequence[str]) -> list[str]:
    # The REST binding separates several values of one parameter with "|"; repeating it also works.
    return [v for item in raw for v in item.split("|") if v]


def pattern_prefix(value: str) -> str | None:
    """Identifier prefix of an EPC pattern URI (``urn:epc:idpat:sgtin:0614141.*.*``), else None.

    Tag Data Standard 2.0 section 8: a pattern is an id with trailing components replaced by
    ``*``; the ids it matches are those starting with the components before the first ``*``.
    """
    if not value.startswith("urn:epc:idpat:"):
        return None
    scheme, _, body = value.removeprefix("urn:epc:idpat:").partition(":")
    fixed: list[str] = []
    for part in body.split("."):
        if part == "*":
            break
        fixed.append(part)
    head = ".".join(fixed)
    return f"urn:epc:id:{scheme}:{head}." if head else f"urn:epc:id:{scheme}:"


def _times(params: Mapping[str, Sequence[str]]) -> list[tuple[str, str, datetime]]:
    times: list[tuple[str, str, datetime]] = []
    bounds: dict[str, datetime] = {}
    for name, (column, op) in TIME_FIELDS.items():
        raw = _values(params.get(name, ()))
        if not raw:
            continue
        if len(raw) > 1:
            raise QueryProblem(name, f"{name} takes one value", f"{name} 只能有一个值")
        try:
            bounds[name] = parse_time(raw[0])
        except ValueError:
            raise QueryProblem(
                name,
                f"{name} must be an RFC 3339 date-time with offset, got {raw[0]!r}",
                f"{name} 必须是带时区偏移的 RFC 3339 时间",
            ) from None
        times.append((column, op, bounds[name]))
    for kind in ("eventTime", "recordTime"):
        low, high = bounds.get(f"GE_{kind}"), bounds.get(f"LT_{kind}")
        if low is not None and high is not None and low >= high:
            raise QueryProblem(
                f"LT_{kind}",
                f"the time range is empty or backwards: LT_{kind} must be after GE_{kind}",
                f"时间范围为空或颠倒：LT_{kind} 必须晚于 GE_{kind}",
            )
    return times


def _equals(params: Mapping[str, Sequence[str]]) -> list[tuple[str, tuple[str, ...]]]:
    equals: list[tuple[str, tuple[str, ...]]] = []
    for name, column in EQ_FIELDS.items():
        raw = _values(params.get(name, ()))
        if not raw:
            continue
        if name == "EQ_bizStep":
            raw = [str(cbv_uri(v, "BizStep")) for v in raw]
        elif name == "EQ_disposition":
            raw = [str(cbv_uri(v, "Disp")) for v in raw]
        elif name == "EQ_action" and any(v not in ("ADD", "OBSERVE", "DELETE") for v in raw):
            raise QueryProblem(name, "EQ_action takes ADD, OBSERVE or DELETE", "EQ_action 取值无效")
        equals.append((column, tuple(raw)))
    return equals


def _matches(params: Mapping[str, Sequence[str]]) -> list[MatchSpec]:
    matches: list[MatchSpec] = []
    for name, (roles, is_class) in MATCH_ROLES.items():
        raw = _values(params.get(name, ()))
        if raw:
            prefixes = tuple(p for p in map(pattern_prefix, raw) if p is not None)
            exact = tuple(v for v in raw if pattern_prefix(v) is None)
            matches.append(MatchSpec(roles, is_class, exact, prefixes))
    return matches


def _per_page(params: Mapping[str, Sequence[str]]) -> int:
    raw = _values(params.get("perPage", ()))
    if not raw:
        return DEFAULT_PER_PAGE
    if len(raw) > 1 or not raw[0].isdigit() or not 1 <= int(raw[0]) <= MAX_PER_PAGE:
        raise QueryProblem(
            "perPage",
            f"perPage must be an integer from 1 to {MAX_PER_PAGE}",
            f"perPage 须为 1 到 {MAX_PER_PAGE} 的整数",
        )
    return int(raw[0])


def parse_query(params: Mapping[str, Sequence[str]]) -> QuerySpec:
    """Check and parse the query parameters (``QueryProblem`` names the one at fault)."""
    unknown = sorted(k for k in params if k not in KNOWN)
    if unknown:
        raise QueryProblem(
            unknown[0],
            f"unknown query parameter {unknown[0]!r}",
            f"不支持的查询参数 {unknown[0]}",
        )
    event_types = tuple(_values(params.get("eventType", ())))
    for kind in event_types:
        if kind not in EVENT_TYPES:
            raise QueryProblem("eventType", f"unknown event type {kind!r}", f"未知事件类型 {kind}")
    canonical = json.dumps(
        {k: sorted(_values(v)) for k, v in params.items() if k != "nextPageToken"},
        sort_keys=True,
        separators=(",", ":"),
    )
    times = tuple(_times(params))
    columns = {column for column, _, _ in times}
    order = next((c for c in ("event_time", "record_time") if c in columns), "id")
    return QuerySpec(
        order=order,
        event_types=event_types,
        times=times,
        equals=tuple(_equals(params)),
        matches=tuple(_matches(params)),
        per_page=_per_page(params),
        canonical=canonical,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(spec: QuerySpec, after: Position, key: bytes) -> str:
    """A page token: the last row returned, bound to the query's parameters, HMAC-signed."""
    digest = hashlib.sha256(spec.canonical.encode()).hexdigest()[:32]
    when = None if after.after_time is None else after.after_time.isoformat()
    body = {"a": after.after_id, "t": when, "q": digest}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def read_token(token: str, spec: QuerySpec, key: bytes) -> Position:
    """The position a token carries; ``QueryProblem`` if altered or made for other parameters."""
    payload, _, mac = token.partition(".")
    # Compare the encoded text, not decoded bytes: base64's unused low bits in the last
    # character would otherwise let a changed token through.
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac.encode(), expected.encode()):
        raise QueryProblem(
            "nextPageToken",
            "nextPageToken is not one this server issued (altered or expired)",
            "nextPageToken 无效（被篡改或已过期）",
        )
    body = json.loads(_unb64(payload))
    digest = hashlib.sha256(spec.canonical.encode()).hexdigest()[:32]
    if body.get("q") != digest:
        raise QueryProblem(
            "nextPageToken",
            "nextPageToken belongs to a query with other parameters",
            "nextPageToken 属于参数不同的另一查询",
        )
    after, when = body.get("a"), body.get("t")
    if not isinstance(after, int) or not (when is None or isinstance(when, str)):
        raise QueryProblem("nextPageToken", "nextPageToken is malformed", "nextPageToken 格式错误")
    return Position(after, None if when is None else parse_time(when))
