"""Catalog reads: one resource at its current version, its version history, and diffs.

Every version is immutable, so any two of them can be compared: metadata field by field, and,
when both hold data, row by row on the key column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dyrd.exchange.compute.diff import diff, diff_rows
from dyrd.exchange.models import ResourceVersion
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.schemas import (
    ResourceRead,
    RowDiffRead,
    VersionDiff,
    VersionRead,
    VersionSummary,
)
from dyrd.exchange.service.catalog_records import (
    current,
    data_info,
    data_read,
    load,
    load_version,
    resource_read,
)


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
        data=data_read(data_info(ver)),
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
