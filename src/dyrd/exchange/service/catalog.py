"""Catalog use cases: create, change and withdraw entries; versions and diffs; search.

Every change writes a new immutable version (metadata snapshot + diff). The helpers at the top
(loading, version writing, read models) are shared with the data and publishing use cases.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.core.types import Role
from dyrd.exchange.compute import catalog as rules
from dyrd.exchange.compute.ckan import facet_labels
from dyrd.exchange.compute.diff import diff, diff_rows, summarise
from dyrd.exchange.compute.quality import quality_report
from dyrd.exchange.compute.search import Filter, SearchIndex, Sort, search
from dyrd.exchange.compute.tabular import check_table, stored_as_table
from dyrd.exchange.errors import (
    DataInvalid,
    MetadataInvalid,
    NameTaken,
    ResourceNotFound,
    ResourceWithdrawn,
    VersionConflict,
    VersionNotFound,
)
from dyrd.exchange.models import Resource, ResourceVersion
from dyrd.exchange.repository import ACTIVE, WITHDRAWN, ExchangeRepository
from dyrd.exchange.schemas import (
    ColumnRead,
    DataInfoRead,
    FacetItem,
    ResourceCreate,
    ResourceRead,
    ResourceSummary,
    ResourceUpdate,
    RowDiffRead,
    SearchPage,
    VersionDiff,
    VersionRead,
    VersionSummary,
)
from dyrd.exchange.types import (
    LICENCES,
    METADATA_FIELDS,
    CatalogEntry,
    CellProblem,
    ColumnSpec,
    DataInfo,
    ResourceKind,
    Theme,
)

MAX_REPORTED_PROBLEMS = 1000
"""Problems listed in one error; the count of the rest is given in a last item."""

SEARCH_FACETS = ("owner", "jurisdiction", "theme", "sharing_class", "keyword", "format", "kind")


# ---------------------------------------------------------------------------------------------
# Shared helpers (also used by dyrd.exchange.publishing)


def load(repo: ExchangeRepository, ref: str) -> Resource:
    """The resource named by id or name, or ResourceNotFound."""
    res = repo.resource(ref)
    if res is None:
        raise ResourceNotFound(
            f"No catalog resource with id or name {ref!r}.",
            f"没有 ID 或名称为 {ref} 的数据资源。",
            hint="Search the catalog with GET /api/v1/catalog/resources?q=... or `dyrd catalog "
            "search`.",
        )
    return res


def load_version(repo: ExchangeRepository, res: Resource, number: int) -> ResourceVersion:
    """Version ``number`` of ``res``, or VersionNotFound."""
    ver = repo.version(res.id, number)
    if ver is None:
        raise VersionNotFound(
            f"Resource {res.name!r} has no version {number}; it has 1 to {res.current_version}.",
            f"数据资源 {res.name} 没有第 {number} 版（共 {res.current_version} 版）。",
            hint=f"List versions with GET /api/v1/catalog/resources/{res.name}/versions.",
        )
    return ver


def writable(res: Resource) -> None:
    """Refuse changes to a withdrawn resource."""
    if res.status == WITHDRAWN:
        raise ResourceWithdrawn(
            f"Resource {res.name!r} was withdrawn and cannot change.",
            f"数据资源 {res.name} 已撤回，不能再修改。",
            hint="Create a new resource instead; the withdrawn one keeps its history.",
        )


def problems_error(
    problems: Sequence[CellProblem], message: str, message_zh: str, hint: str
) -> DataInvalid:
    """A DataInvalid listing each problem with its row and column."""
    errors = [
        FieldError(
            location=(
                f"header, column {p.column}" if p.row == 0 else f"row {p.row}, column {p.column}"
            ),
            message=p.message,
            message_zh=p.message_zh,
            value=p.value,
        )
        for p in problems[:MAX_REPORTED_PROBLEMS]
    ]
    if len(problems) > MAX_REPORTED_PROBLEMS:
        rest = len(problems) - MAX_REPORTED_PROBLEMS
        errors.append(
            FieldError("file", f"... and {rest} more problems.", f"……另有 {rest} 处问题。")
        )
    return DataInvalid(message, message_zh, hint=hint, errors=errors)


def data_info(ver: ResourceVersion) -> DataInfo | None:
    """The data a version serves (carried forward from the upload)."""
    if ver.data_version is None or ver.data_uploaded_at is None:
        return None
    return DataInfo(
        version=ver.data_version,
        format=ver.data_format or "",
        row_count=ver.row_count or 0,
        sha256=ver.data_sha256 or "",
        byte_size=ver.data_bytes or 0,
        uploaded_at=ver.data_uploaded_at,
    )


def entry(res: Resource, ver: ResourceVersion) -> CatalogEntry:
    """The pure view of a resource at version ``ver``."""
    return CatalogEntry(
        id=res.id,
        name=res.name,
        kind=ResourceKind(res.kind),
        owner_member=res.owner_member,
        jurisdiction=res.jurisdiction,
        is_sample=res.is_sample,
        version=ver.version,
        issued_at=res.issued_at,
        modified_at=ver.created_at,
        metadata=dict(ver.snapshot),
        data=data_info(ver),
        version_summary=ver.summary,
    )


def _data_read(info: DataInfo | None) -> DataInfoRead | None:
    if info is None:
        return None
    return DataInfoRead(
        version=info.version,
        format=info.format,
        row_count=info.row_count,
        sha256=info.sha256,
        byte_size=info.byte_size,
        uploaded_at=info.uploaded_at,
    )


def resource_read(res: Resource, ver: ResourceVersion) -> ResourceRead:
    """The API form of a resource at its current version."""
    e = entry(res, ver)
    m = e.metadata
    lic = LICENCES.get(m.get("licence") or "")
    return ResourceRead(
        id=res.id,
        name=res.name,
        kind=e.kind,
        owner_member=res.owner_member,
        jurisdiction=res.jurisdiction,
        status=res.status,
        is_sample=res.is_sample,
        version=ver.version,
        issued_at=res.issued_at,
        modified_at=e.modified_at,
        title_zh=m["title_zh"],
        title_en=m.get("title_en") or "",
        description_zh=m["description_zh"],
        description_en=m.get("description_en") or "",
        department=m.get("department"),
        owner_name_zh=m.get("owner_name_zh"),
        owner_name_en=m.get("owner_name_en"),
        sharing_class=e.sharing_class,
        sharing_class_zh=e.sharing_class.label_zh,
        not_shared_reason=m.get("not_shared_reason"),
        themes=e.themes,
        theme_uris=[t.uri for t in e.themes],
        keywords=e.keywords,
        frequency=m["frequency"],
        spatial=list(m.get("spatial") or []),
        temporal_start=m.get("temporal_start"),
        temporal_end=m.get("temporal_end"),
        licence=lic.code if lic else None,
        licence_uri=lic.uri if lic else None,
        contact_name=m.get("contact_name"),
        contact_email=m.get("contact_email"),
        columns=[ColumnRead(**c.as_dict()) for c in e.columns],
        service_base_url=m.get("service_base_url"),
        service_openapi_url=m.get("service_openapi_url"),
        formats=e.formats,
        data=_data_read(e.data),
    )


def current(repo: ExchangeRepository, res: Resource) -> ResourceVersion:
    """The current version row of ``res``."""
    return load_version(repo, res, res.current_version)


@dataclass(frozen=True, slots=True)
class NewData:
    """A data upload (or re-typed rows) that a new version brings."""

    rows: list[dict[str, Any]]
    format: str
    sha256: str
    byte_size: int
    quality: dict[str, Any]
    uploaded_at: datetime | None = None


def write_version(
    repo: ExchangeRepository,
    res: Resource,
    *,
    change_kind: str,
    snapshot: dict[str, Any],
    changes: dict[str, Any],
    summary: tuple[str, str],
    actor: Actor,
    at: datetime,
    clock: Clock,
    previous: ResourceVersion | None,
    data: NewData | None = None,
    drop_data: bool = False,
    quality: dict[str, Any] | None = None,
    status: str = ACTIVE,
) -> ResourceVersion:
    """Append version ``res.current_version + 1``, move the resource's head to it, and log it.

    The ledger entry (kind ``catalog.change``) is appended in the caller's transaction, so the
    version and its audit record commit together.
    """
    number = (previous.version + 1) if previous is not None else 1
    ver = ResourceVersion(
        uid=str(uuid.uuid4()),
        resource_id=res.id,
        version=number,
        change_kind=change_kind,
        summary=summary[0],
        summary_zh=summary[1],
        snapshot=snapshot,
        changes=changes,
        status=status,
        created_at=at,
        created_by=actor.user,
        created_for=actor.member,
    )
    if data is not None:
        ver.data_version = number
        ver.data_format = data.format
        ver.row_count = len(data.rows)
        ver.data_sha256 = data.sha256
        ver.data_bytes = data.byte_size
        ver.data_uploaded_at = data.uploaded_at or at
        ver.quality = data.quality
    elif previous is not None and not drop_data:
        ver.data_version = previous.data_version
        ver.data_format = previous.data_format
        ver.row_count = previous.row_count
        ver.data_sha256 = previous.data_sha256
        ver.data_bytes = previous.data_bytes
        ver.data_uploaded_at = previous.data_uploaded_at
        ver.quality = quality if quality is not None else previous.quality
    repo.add_version(ver)
    if data is not None:
        repo.add_rows(ver.id, data.rows)
    res.current_version = number
    res.data_version = ver.data_version
    res.snapshot = snapshot
    res.title_zh = snapshot["title_zh"]
    res.sharing_class = snapshot["sharing_class"]
    res.modified_at = at
    res.status = status
    repo.session.flush()
    ledger.append(
        repo.session,
        kind=ledger.EntryKind.CATALOG_CHANGE,
        subject=res.id,
        actor=actor,
        payload={
            "resource_id": res.id,
            "name": res.name,
            "owner_member": res.owner_member,
            "version": number,
            "change_kind": change_kind,
            "status": status,
            "sharing_class": res.sharing_class,
            "changed_fields": sorted(changes),
            "data_version": ver.data_version,
            "data_sha256": ver.data_sha256 if data is not None else None,
            "row_count": len(data.rows) if data is not None else None,
        },
        clock=clock,
    )
    return ver


# ---------------------------------------------------------------------------------------------
# Create, change, withdraw


def _metadata_error(problems: Sequence[Any]) -> MetadataInvalid:
    return MetadataInvalid(
        f"{len(problems)} metadata rule(s) are broken; see 'errors'.",
        f"{len(problems)} 条元数据规则未满足，详见 errors。",
        hint="Fix the listed fields and send the request again.",
        errors=[FieldError(p.field, p.message, p.message_zh) for p in problems],
    )


def _initial_changes(meta: dict[str, Any]) -> dict[str, Any]:
    empty = {k: (v if v in (None, "", []) else None) for k, v in meta.items()}
    return diff(empty, meta)


def create_as(
    session: Session, data: ResourceCreate, *, actor: Actor, clock: Clock
) -> ResourceRead:
    """Create an entry as ``actor`` (already authorised) and commit."""
    repo = ExchangeRepository(session)
    meta = rules.normalise(data.kind, data.model_dump(mode="json", include=set(METADATA_FIELDS)))
    problems = rules.check_metadata(data.kind, meta)
    if problems:
        raise _metadata_error(problems)
    rid = str(uuid.uuid4())
    if data.name is not None:
        if repo.name_taken(data.name):
            raise NameTaken(
                f"The name {data.name!r} is already used by another resource.",
                f"名称 {data.name} 已被其他数据资源使用。",
                hint="Choose another name, or omit it to have one derived from title_en.",
            )
        name = data.name
    else:
        name = rules.slugify(data.title_en, f"resource-{rid[:8]}")
        if repo.name_taken(name):
            name = f"{name[:90]}-{rid[:8]}"
    now = clock()
    res = repo.add_resource(
        Resource(
            id=rid,
            name=name,
            kind=data.kind.value,
            owner_member=data.owner_member,
            jurisdiction=rules.jurisdiction_of(data.owner_member),
            status=ACTIVE,
            is_sample=data.is_sample,
            title_zh=meta["title_zh"],
            sharing_class=meta["sharing_class"],
            snapshot=meta,
            current_version=0,
            data_version=None,
            issued_at=now,
            modified_at=now,
            created_by=actor.user,
            created_for=actor.member,
        )
    )
    ver = write_version(
        repo,
        res,
        change_kind="create",
        snapshot=meta,
        changes=_initial_changes(meta),
        summary=("Created.", "创建。"),
        actor=actor,
        at=now,
        clock=clock,
        previous=None,
    )
    session.commit()
    return resource_read(res, ver)


def create_resource(
    session: Session, data: ResourceCreate, *, principal: Principal, clock: Clock
) -> ResourceRead:
    """Create a catalog entry; needs the data-steward role in the owning member."""
    actor = principal.acting_for(Role.DATA_STEWARD, data.owner_member)
    return create_as(session, data, actor=actor, clock=clock)


def _retyped(
    repo: ExchangeRepository, res: Resource, prev: ResourceVersion, columns: list[dict[str, Any]]
) -> tuple[NewData | None, dict[str, Any] | None]:
    """Re-check stored rows against changed columns: (re-typed data if values changed, quality)."""
    assert prev.data_version is not None  # noqa: S101  # only called when data exists
    data_ver = load_version(repo, res, prev.data_version)
    rows = repo.rows(data_ver.id)
    specs = [ColumnSpec.from_dict(c) for c in columns]
    header = [c["name"] for c in data_ver.snapshot.get("columns") or []]
    checked = check_table(specs, stored_as_table(header, rows))
    if checked.problems:
        raise problems_error(
            checked.problems,
            f"The stored data (version {prev.data_version}) does not fit the new columns.",
            f"已存数据（第 {prev.data_version} 版）不符合新的字段定义。",
            hint="Send drop_data=true to change the columns anyway (the data must then be "
            "uploaded again), or keep the columns compatible.",
        )
    quality = quality_report(checked.stats).as_dict()
    if checked.rows == rows:
        return None, quality
    return (
        NewData(
            rows=checked.rows,
            format=prev.data_format or "",
            sha256=prev.data_sha256 or "",
            byte_size=prev.data_bytes or 0,
            quality=quality,
            uploaded_at=prev.data_uploaded_at,
        ),
        quality,
    )


def update_as(
    session: Session,
    ref: str,
    data: ResourceUpdate,
    *,
    actor: Actor | None,
    principal: Principal | None = None,
    clock: Clock,
    drop_data: bool = False,
) -> tuple[ResourceRead, bool]:
    """Apply changes and commit; returns the resource and whether a version was written."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    writable(res)
    if actor is None:
        if principal is None:
            raise ValueError("update_as needs an actor or a principal")
        actor = principal.acting_for(Role.DATA_STEWARD, res.owner_member)
    if data.expected_version is not None and data.expected_version != res.current_version:
        raise VersionConflict(
            f"Resource {res.name!r} is at version {res.current_version}, not "
            f"{data.expected_version}.",
            f"数据资源 {res.name} 已是第 {res.current_version} 版，"
            f"不是第 {data.expected_version} 版。",
            hint="Reload the resource, re-apply your change and send it with the new version.",
        )
    kind = ResourceKind(res.kind)
    merged = rules.normalise(kind, {**res.snapshot, **data.changes()})
    problems = rules.check_metadata(kind, merged)
    if problems:
        raise _metadata_error(problems)
    changes = diff(res.snapshot, merged)
    prev = current(repo, res)
    if not changes:
        return resource_read(res, prev), False
    new_data: NewData | None = None
    quality: dict[str, Any] | None = None
    if "columns" in changes and prev.data_version is not None and not drop_data:
        new_data, quality = _retyped(repo, res, prev, merged["columns"])
    auto = summarise(changes)
    summary = (data.change_summary, data.change_summary) if data.change_summary else auto
    ver = write_version(
        repo,
        res,
        change_kind="metadata",
        snapshot=merged,
        changes=changes,
        summary=summary,
        actor=actor,
        at=clock(),
        clock=clock,
        previous=prev,
        data=new_data,
        drop_data=drop_data,
        quality=quality,
    )
    session.commit()
    return resource_read(res, ver), True


def update_resource(
    session: Session,
    ref: str,
    data: ResourceUpdate,
    *,
    principal: Principal,
    clock: Clock,
    drop_data: bool = False,
) -> tuple[ResourceRead, bool]:
    """Change an entry's metadata; needs the data-steward role in the owning member."""
    return update_as(
        session, ref, data, actor=None, principal=principal, clock=clock, drop_data=drop_data
    )


def withdraw_resource(
    session: Session, ref: str, *, principal: Principal, clock: Clock, reason: str = ""
) -> ResourceRead:
    """Withdraw an entry from the catalog; its history stays readable."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    writable(res)
    actor = principal.acting_for(Role.DATA_STEWARD, res.owner_member)
    prev = current(repo, res)
    why = f" Reason: {reason}" if reason else ""
    ver = write_version(
        repo,
        res,
        change_kind="withdraw",
        snapshot=dict(res.snapshot),
        changes={},
        summary=(f"Withdrawn.{why}", f"已撤回。{('原因：' + reason) if reason else ''}"),
        actor=actor,
        at=clock(),
        clock=clock,
        previous=prev,
        status=WITHDRAWN,
    )
    session.commit()
    return resource_read(res, ver)


# ---------------------------------------------------------------------------------------------
# Reads: one resource, versions, diffs


def get_resource(session: Session, ref: str) -> ResourceRead:
    """One entry at its current version (withdrawn entries too, with their status)."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    return resource_read(res, current(repo, res))


def _summary(ver: ResourceVersion) -> dict[str, Any]:
    changed = list(ver.changes)
    if ver.change_kind == "data":
        changed.append("data")
    return {
        "version": ver.version,
        "created_at": ver.created_at,
        "created_by": ver.created_by,
        "created_for": ver.created_for,
        "change_kind": ver.change_kind,
        "summary": ver.summary,
        "summary_zh": ver.summary_zh,
        "changed_fields": changed,
        "status": ver.status,
        "data_version": ver.data_version,
        "row_count": ver.row_count,
    }


def list_versions(session: Session, ref: str) -> list[VersionSummary]:
    """The entry's history, oldest first."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    return [VersionSummary(**_summary(v)) for v in repo.versions(res.id)]


def get_version(session: Session, ref: str, number: int) -> VersionRead:
    """One version in full."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    ver = load_version(repo, res, number)
    return VersionRead(
        **_summary(ver),
        resource_id=res.id,
        metadata=ver.snapshot,
        changes=ver.changes,
        data=_data_read(data_info(ver)),
        quality=ver.quality,
    )


def _key_column(a: ResourceVersion, b: ResourceVersion) -> str | None:
    def keys(v: ResourceVersion) -> list[str]:
        return [c["name"] for c in v.snapshot.get("columns") or [] if c["unique"] and c["required"]]

    shared = [k for k in keys(b) if k in keys(a)]
    return shared[0] if shared else None


def diff_versions(
    session: Session, ref: str, a: int, b: int, *, include_rows: bool = False
) -> VersionDiff:
    """Metadata diff between versions ``a`` and ``b``; with ``include_rows`` also a row diff.

    The caller decides whether the requester may see row keys (data access) before asking.
    """
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    va, vb = load_version(repo, res, a), load_version(repo, res, b)
    data: RowDiffRead | None = None
    if include_rows and va.data_version != vb.data_version:
        da = load_version(repo, res, va.data_version) if va.data_version else None
        db = load_version(repo, res, vb.data_version) if vb.data_version else None
        key = _key_column(da, db) if da and db else None
        rd = diff_rows(repo.rows(da.id) if da else [], repo.rows(db.id) if db else [], key=key)
        data = RowDiffRead(
            from_data_version=va.data_version,
            to_data_version=vb.data_version,
            key=rd.key,
            added=rd.added,
            removed=rd.removed,
            changed=rd.changed,
            unchanged=rd.unchanged,
            added_keys=rd.added_keys,
            removed_keys=rd.removed_keys,
            changed_keys=rd.changed_keys,
        )
    changes = diff(va.snapshot, vb.snapshot)
    if va.data_version != vb.data_version:
        changes["data"] = {
            "old": {"version": va.data_version, "rows": va.row_count, "sha256": va.data_sha256},
            "new": {"version": vb.data_version, "rows": vb.row_count, "sha256": vb.data_sha256},
        }
    return VersionDiff(resource_id=res.id, from_version=a, to_version=b, changes=changes, data=data)


# ---------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True, slots=True)
class CatalogView:
    """The searchable catalog at one state: index, entries by id, facet display labels."""

    index: SearchIndex
    entries: dict[str, CatalogEntry]
    labels: dict[str, dict[str, str]]
    ckan_labels: dict[str, dict[str, str]]


def _labels(entries: Sequence[CatalogEntry]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {"theme": {t.value: t.label_zh for t in Theme}}
    owner = labels.setdefault("owner", {})
    sharing = labels.setdefault("sharing_class", {})
    for e in entries:
        owner[e.owner_member] = e.metadata.get("owner_name_zh") or e.owner_member
        sharing[e.sharing_class.value] = e.sharing_class.label_zh
    return labels


def _view(entries: list[CatalogEntry]) -> CatalogView:
    return CatalogView(
        index=SearchIndex(rules.search_doc(e) for e in entries),
        entries={e.id: e for e in entries},
        labels=_labels(entries),
        ckan_labels=facet_labels(entries),
    )


class SearchIndexCache:
    """The last built catalog view and the catalog fingerprint it was built at.

    One per process (the app holds it); rebuilt on the first search after any catalog change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, str] | None = None
        self._view = _view([])

    def get(self, session: Session) -> CatalogView:
        """The view of the catalog as ``session`` sees it."""
        repo = ExchangeRepository(session)
        key = repo.fingerprint()
        with self._lock:
            if key != self._key:
                self._view = _view([entry(r, v) for r, v in repo.active_with_versions()])
                self._key = key
            return self._view


def catalog_entries(session: Session) -> list[CatalogEntry]:
    """Every active entry at its current version."""
    return [entry(r, v) for r, v in ExchangeRepository(session).active_with_versions()]


def search_catalog(
    session: Session,
    *,
    query: str = "",
    filters: Filter | None = None,
    sort: Sort | None = None,
    offset: int = 0,
    limit: int = 20,
    cache: SearchIndexCache | None = None,
) -> SearchPage:
    """Ranked, filtered, paged search with facet counts over every match."""
    view = (cache or SearchIndexCache()).get(session)
    entries, labels = view.entries, view.labels
    result = search(
        view.index,
        query,
        filters=filters,
        sort=sort,
        offset=offset,
        limit=limit,
        facet_fields=SEARCH_FACETS,
    )
    items = []
    for hit in result.hits:
        e = entries[hit.doc.id]
        m = e.metadata
        items.append(
            ResourceSummary(
                id=e.id,
                name=e.name,
                kind=e.kind,
                title_zh=m["title_zh"],
                title_en=m.get("title_en") or "",
                owner_member=e.owner_member,
                owner_name_zh=m.get("owner_name_zh"),
                jurisdiction=e.jurisdiction,
                sharing_class=e.sharing_class,
                themes=e.themes,
                keywords=e.keywords,
                formats=e.formats,
                version=e.version,
                modified_at=e.modified_at,
                is_sample=e.is_sample,
                score=round(hit.score, 6),
            )
        )
    facets = {
        name: [FacetItem(value=v, label=labels.get(name, {}).get(v, v), count=n) for v, n in vals]
        for name, vals in result.facets.items()
    }
    return SearchPage(items=items, total=result.total, limit=limit, offset=offset, facets=facets)


def validation_error(field: str, message: str, message_zh: str) -> ValidationFailed:
    """A 422 naming one request field."""
    return ValidationFailed(message, message_zh, errors=[FieldError(field, message, message_zh)])
