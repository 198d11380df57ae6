"""Catalog use cases: create, change and withdraw entries.

Every change writes a new immutable version (metadata snapshot + diff) through
``catalog_records``, which also holds the helpers the data and publishing use cases share.
Reads of versions and diffs are in ``catalog_history``, search in ``catalog_search``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange.compute import catalog as rules
from dyrd.exchange.compute.diff import diff, summarise
from dyrd.exchange.compute.quality import quality_report
from dyrd.exchange.compute.tabular import check_table, stored_as_table
from dyrd.exchange.errors import (
    MetadataInvalid,
    NameTaken,
    VersionConflict,
)
from dyrd.exchange.models import Resource, ResourceVersion
from dyrd.exchange.repository import ACTIVE, WITHDRAWN, ExchangeRepository
from dyrd.exchange.schemas import (
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
)
from dyrd.exchange.service.catalog_records import (
    NewData,
    current,
    load,
    load_version,
    problems_error,
    resource_read,
    writable,
    write_version,
)
from dyrd.exchange.types import (
    METADATA_FIELDS,
    ColumnSpec,
    ResourceKind,
)


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
