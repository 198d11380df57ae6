"""Row releases of the provider gateway: ``GET /r1/{member}/{table}/rows``.

A table's stored rows leave with only the granted fields. Grants are only ever given to other
members (the owner's own users read the data API, raw), so every release here leaves the owner:
identifier columns become per-grant pseudonyms, and when quasi-identifier or sensitive columns
are granted the release passes k-anonymity and l-diversity over the whole data version
(``gateway_privacy``), or is refused with 403 ``anonymity-refused``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from dyrd.exchange.compute.anonymity import AnonymityPolicy
from dyrd.exchange.errors import AnonymityRefused
from dyrd.exchange.models import Resource
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.service.gateway_messages import Answer, ExchangeState, Refusal, json_bytes
from dyrd.exchange.service.gateway_privacy import TableCache, anonymity_metadata
from dyrd.exchange.service.privacy import (
    needs_anonymity,
    pseudonymise_rows,
    refuse_unless_anonymous,
)
from dyrd.exchange.types import ColumnSpec, PersonalDataRole

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
"""Rows per answer at most: CKAN's ``rows_max`` (1000), the catalog's page bound too."""


@dataclass(frozen=True, slots=True)
class TableQuery:
    """``fields``, ``limit`` and ``offset`` of a rows request."""

    fields: list[str]
    limit: int
    offset: int


def table_query(query: str) -> TableQuery:
    """``fields=a,b&limit=&offset=`` of a rows request (Refusal 400 when malformed)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise Refusal(
            400, "bad-query", "The query string is malformed.", "查询参数格式错误。"
        ) from exc
    known = {"fields", "limit", "offset"}
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name not in known or name in seen:
            raise Refusal(
                400,
                "bad-query",
                f"Unknown or repeated query parameter {name!r}; use fields, limit, offset.",
                f"未知或重复的查询参数 {name}；可用 fields、limit、offset。",
            )
        seen[name] = value
    fields = [f for f in seen.get("fields", "").split(",") if f]
    if len(fields) != len(set(fields)):
        raise Refusal(400, "bad-query", "A field is listed twice.", "字段重复。")
    try:
        limit = int(seen.get("limit", DEFAULT_LIMIT))
        offset = int(seen.get("offset", 0))
    except ValueError as exc:
        raise Refusal(
            400, "bad-query", "limit and offset are integers.", "limit 与 offset 须为整数。"
        ) from exc
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= 10_000_000:
        raise Refusal(
            400,
            "bad-query",
            f"limit is 1-{MAX_LIMIT}, offset at least 0.",
            f"limit 须为 1-{MAX_LIMIT}。",
        )
    return TableQuery(fields, limit, offset)


Page = tuple[int, int, list[dict[str, Any]]]
"""A stored page of a data version: (version number, its row count, the rows)."""


def load_page(repo: ExchangeRepository, res: Resource, query: TableQuery) -> Page | None:
    """The page ``query`` asks of ``res``'s current data version; None if it has none."""
    assert res.data_version is not None  # noqa: S101  # checked by the caller
    ver = repo.version(res.id, res.data_version)
    if ver is None:
        return None
    rows = repo.rows(ver.id, limit=query.limit, offset=query.offset)
    return ver.version, ver.row_count or 0, rows


class PageCache:
    """Pages of stored rows by (resource, data version, limit, offset), least recently used out.

    Safe to keep: an upload's rows are never changed or deleted (``exchange.models``), and the
    key holds the data version read from the resource on every request, so a new upload is
    seen at once. Who may see a page is decided per request, before the cache is asked.
    """

    def __init__(self, max_pages: int = 256, max_rows: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, int, int, int], Page] = OrderedDict()
        self._max_pages = max_pages
        self._max_rows = max_rows
        self._rows = 0

    def get(self, key: tuple[str, int, int, int], load: Callable[[], Page | None]) -> Page | None:
        """The page under ``key``; ``load`` reads it on a miss (None: no such page)."""
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
                return hit
        page = load()
        if page is None:
            return None
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page
                self._rows += len(page[2])
            while self._pages and (
                len(self._pages) > self._max_pages or self._rows > self._max_rows
            ):
                _, old = self._pages.popitem(last=False)
                self._rows -= len(old[2])
        return page


@dataclass(frozen=True, slots=True)
class RowRelease:
    """What a row release needs besides the exchange: caches, the k/l policy, the secret."""

    pages: PageCache
    tables: TableCache
    policy: AnonymityPolicy
    secret: Callable[[], bytes]


def release_rows(  # noqa: PLR0917  # the parts of one release
    repo: ExchangeRepository,
    ex: ExchangeState,
    res: Resource,
    query: TableQuery,
    allowed: list[str],
    release: RowRelease,
) -> Answer:
    """The granted fields of a page of ``res``'s rows for ``ex`` (``allowed`` already checked)."""
    if res.data_version is None:
        raise Refusal(404, "no-data", f"{res.name!r} has no data yet.", "尚未上传数据。")
    schema = [ColumnSpec.from_dict(c) for c in res.snapshot.get("columns") or []]
    granted = [c for c in schema if c.name in allowed]
    if needs_anonymity(granted):
        return _anonymised_rows(repo, ex, res, query, granted, allowed, release)
    page = release.pages.get(
        (res.id, res.data_version, query.limit, query.offset),
        lambda: load_page(repo, res, query),
    )
    if page is None:  # pragma: no cover  # data_version always names a version
        raise Refusal(404, "no-data", f"{res.name!r} has no data.", "没有数据。")
    version, total, stored = page
    rows, pseudonymised = _released(ex, stored, granted, allowed, release)
    body = {
        "resource_id": res.id,
        "data_version": version,
        "grant_id": ex.grant_id,
        "columns": allowed,
        "pseudonymised": pseudonymised,
        "anonymity": None,
        "total": total,
        "limit": query.limit,
        "offset": query.offset,
        "rows": rows,
    }
    return 200, json_bytes(body), "application/json", {}


def _anonymised_rows(  # noqa: PLR0917  # the parts of one release
    repo: ExchangeRepository,
    ex: ExchangeState,
    res: Resource,
    query: TableQuery,
    granted: list[ColumnSpec],
    allowed: list[str],
    release: RowRelease,
) -> Answer:
    """Rows for another member through k-anonymity / l-diversity over the whole version."""
    policy = release.policy
    outcome = release.tables.anonymised(repo, res, granted, policy)
    try:
        refuse_unless_anonymous(outcome, grant_id=ex.grant_id or "", policy=policy)
    except AnonymityRefused as exc:
        counts = outcome.after.summary()
        ex.privacy = {"anonymity": counts}
        raise Refusal(
            403,
            exc.code,
            exc.message,
            exc.message_zh,
            hint=exc.hint,
            details={"anonymity": counts},
        ) from exc
    meta = anonymity_metadata(outcome, policy)
    ex.privacy = {"anonymity": meta}
    stored = outcome.rows[query.offset : query.offset + query.limit]
    rows, pseudonymised = _released(ex, stored, granted, allowed, release)
    body = {
        "resource_id": res.id,
        "data_version": res.data_version,
        "grant_id": ex.grant_id,
        "columns": allowed,
        "pseudonymised": pseudonymised,
        "anonymity": meta,
        "total": len(outcome.rows),
        "limit": query.limit,
        "offset": query.offset,
        "rows": rows,
    }
    return 200, json_bytes(body), "application/json", {}


def _released(
    ex: ExchangeState,
    stored: list[dict[str, Any]],
    granted: list[ColumnSpec],
    allowed: list[str],
    release: RowRelease,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows cut to ``allowed``, identifiers pseudonymised per grant; and those columns."""
    rows = [{name: row.get(name) for name in allowed} for row in stored]
    pseudonymised = [c.name for c in granted if c.personal_data is PersonalDataRole.IDENTIFIER]
    if pseudonymised:
        rows = pseudonymise_rows(rows, granted, grant_id=ex.grant_id or "", secret=release.secret())
    ex.rows = len(rows)
    return rows, pseudonymised
