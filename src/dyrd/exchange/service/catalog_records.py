"""The catalog's records, shared by every exchange use case: load, write and read versions.

Loading a resource or one of its versions (404 and 410 as errors), checking it can change,
appending a new immutable version (metadata snapshot, diff, data) with its ledger entry, and the
read models built from them. Used by ``catalog``, ``catalog_history``, ``catalog_search``,
``data``, ``publish`` and ``access``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.exchange.errors import (
    DataInvalid,
    ResourceNotFound,
    ResourceWithdrawn,
    VersionNotFound,
)
from dyrd.exchange.models import Resource, ResourceVersion
from dyrd.exchange.repository import ACTIVE, WITHDRAWN, ExchangeRepository
from dyrd.exchange.schemas import (
    ColumnRead,
    DataInfoRead,
    ResourceRead,
)
from dyrd.exchange.types import (
    LICENCES,
    CatalogEntry,
    CellProblem,
    DataInfo,
    ResourceKind,
)

MAX_REPORTED_PROBLEMS = 1000
"""Problems listed in one error; the count of the rest is given in a last item."""


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


def data_read(info: DataInfo | None) -> DataInfoRead | None:
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
        data=data_read(e.data),
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


def validation_error(field: str, message: str, message_zh: str) -> ValidationFailed:
    """A 422 naming one request field."""
    return ValidationFailed(message, message_zh, errors=[FieldError(field, message, message_zh)])
