"""Data use cases of table resources: upload (a new version), dry-run check, reads, quality."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange.compute.quality import QualityReport, freshness, quality_report
from dyrd.exchange.compute.tabular import (
    CheckedTable,
    FileFormat,
    UnreadableFile,
    check_table,
    read_table,
)
from dyrd.exchange.errors import DataAccessDenied, DataInvalid, NoData
from dyrd.exchange.models import Resource, ResourceVersion
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.schemas import (
    ColumnQualityRead,
    DataPage,
    FreshnessRead,
    ProblemRead,
    QualityRead,
    ValidationReport,
    VersionRead,
)
from dyrd.exchange.service.catalog_history import get_version
from dyrd.exchange.service.catalog_records import (
    NewData,
    current,
    load,
    load_version,
    problems_error,
    writable,
    write_version,
)
from dyrd.exchange.types import ColumnSpec, Frequency, ResourceKind, SharingClass

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""Largest accepted upload; rows are stored as JSON in the database, so bigger sets belong in a
dedicated store (a later part of the exchange)."""
MAX_ROWS = 500_000
"""Most rows one upload may hold, for the same reason."""


def _table(repo: ExchangeRepository, ref: str) -> Resource:
    res = load(repo, ref)
    if res.kind != ResourceKind.TABLE.value:
        raise DataInvalid(
            f"Resource {res.name!r} is a service; only tables take data uploads.",
            f"数据资源 {res.name} 是接口服务，只有数据表可以上传数据。",
            hint="Describe the service's endpoints in its OpenAPI document instead.",
        )
    return res


def _checked(res: Resource, content: bytes, fmt: FileFormat) -> tuple[CheckedTable, int]:
    if len(content) > MAX_UPLOAD_BYTES:
        raise DataInvalid(
            f"The file has {len(content)} bytes; the limit is {MAX_UPLOAD_BYTES}.",
            f"文件大小 {len(content)} 字节，超过上限 {MAX_UPLOAD_BYTES}。",
            hint="Split the data or contact the platform operators.",
        )
    try:
        raw = read_table(content, fmt)
    except UnreadableFile as exc:
        raise DataInvalid(
            str(exc),
            exc.message_zh,
            hint="Send a UTF-8 (or GB18030) CSV with a header row, or a Parquet file.",
            errors=[FieldError("file", str(exc), exc.message_zh)],
        ) from exc
    if len(raw.rows) > MAX_ROWS:
        raise DataInvalid(
            f"The file has {len(raw.rows)} rows; the limit is {MAX_ROWS}.",
            f"文件有 {len(raw.rows)} 行，超过上限 {MAX_ROWS}。",
            hint="Split the data or contact the platform operators.",
        )
    columns = [ColumnSpec.from_dict(c) for c in res.snapshot.get("columns") or []]
    return check_table(columns, raw), len(raw.rows)


def upload_data(
    session: Session,
    ref: str,
    *,
    content: bytes,
    fmt: FileFormat,
    principal: Principal,
    clock: Clock,
    summary: str | None = None,
) -> tuple[VersionRead, bool]:
    """Check a file against the declared columns and store it as a new version.

    Nothing is written when any cell fails: the error lists every problem with row and column.
    Re-uploading identical content writes no version; the bool says whether one was written.
    """
    repo = ExchangeRepository(session)
    res = _table(repo, ref)
    writable(res)
    actor = principal.acting_for(Role.DATA_STEWARD, res.owner_member)
    checked, n_rows = _checked(res, content, fmt)
    if checked.problems:
        raise problems_error(
            checked.problems,
            f"{len(checked.problems)} problem(s) in the file; nothing was stored.",
            f"文件中有 {len(checked.problems)} 处问题，未存储任何数据。",
            hint="Fix the listed cells (rows count from 1 after the header) and upload again; "
            "POST .../data/check checks a file without storing it.",
        )
    digest = hashlib.sha256(content).hexdigest()
    prev = current(repo, res)
    if prev.data_sha256 == digest and prev.data_version is not None:
        return get_version(session, res.id, prev.version), False
    report = quality_report(checked.stats)
    text = summary or f"Uploaded {n_rows} rows ({fmt.value.upper()})."
    text_zh = summary or f"上传数据 {n_rows} 行（{fmt.value.upper()}）。"
    ver = write_version(
        repo,
        res,
        change_kind="data",
        snapshot=dict(res.snapshot),
        changes={},
        summary=(text, text_zh),
        actor=actor,
        at=clock(),
        clock=clock,
        previous=prev,
        data=NewData(
            rows=checked.rows,
            format=fmt.value,
            sha256=digest,
            byte_size=len(content),
            quality=report.as_dict(),
        ),
    )
    session.commit()
    return get_version(session, res.id, ver.version), True


def _freshness(res: Resource, ver: ResourceVersion, clock: Clock) -> FreshnessRead:
    f = freshness(Frequency(ver.snapshot["frequency"]), ver.data_uploaded_at, clock())
    return FreshnessRead(
        status=f.status.value,
        frequency=f.frequency,
        last_update=f.last_update,
        due_at=f.due_at,
        age_seconds=f.age_seconds,
    )


def _quality_read(
    res: Resource, ver: ResourceVersion, report: dict[str, Any] | None, clock: Clock
) -> QualityRead:
    report = report or {"rows": 0, "completeness": None, "validity": None, "columns": []}
    return QualityRead(
        resource_id=res.id,
        data_version=ver.data_version,
        rows=report["rows"],
        completeness=report["completeness"],
        validity=report["validity"],
        columns=[ColumnQualityRead(**c) for c in report["columns"]],
        freshness=_freshness(res, ver, clock),
    )


def check_data(
    session: Session, ref: str, *, content: bytes, fmt: FileFormat, clock: Clock
) -> ValidationReport:
    """Check a file against the declared columns and report problems and quality; stores nothing."""
    repo = ExchangeRepository(session)
    res = _table(repo, ref)
    checked, n_rows = _checked(res, content, fmt)
    report: QualityReport = quality_report(checked.stats)
    problems = [
        ProblemRead(
            location=f"header, column {p.column}"
            if p.row == 0
            else f"row {p.row}, column {p.column}",
            row=p.row,
            column=p.column,
            message=p.message,
            message_zh=p.message_zh,
            value=p.value,
        )
        for p in checked.problems
    ]
    ver = current(repo, res)
    quality = _quality_read(res, ver, report.as_dict(), clock)
    quality.data_version = None
    quality.freshness = FreshnessRead(
        status="not_applicable",
        frequency=Frequency(res.snapshot["frequency"]),
        last_update=None,
        due_at=None,
        age_seconds=None,
    )
    return ValidationReport(valid=not problems, rows=n_rows, problems=problems, quality=quality)


def quality(session: Session, ref: str, *, clock: Clock, version: int | None = None) -> QualityRead:
    """The quality report of a table's data at a version (default: current), with freshness now."""
    repo = ExchangeRepository(session)
    res = _table(repo, ref)
    ver = load_version(repo, res, version) if version is not None else current(repo, res)
    return _quality_read(res, ver, ver.quality, clock)


def may_read_data(principal: Principal | None, res: Resource) -> bool:
    """Owner members' users always; anyone signed in for unconditionally shared data."""
    if principal is None:
        return False
    if principal.has_role(Role.VIEWER, res.owner_member):
        return True
    return res.sharing_class == SharingClass.UNCONDITIONAL.value


def _data_version(
    repo: ExchangeRepository, res: Resource, principal: Principal, version: int | None
) -> tuple[ResourceVersion, list[str]]:
    if not may_read_data(principal, res):
        label = SharingClass(res.sharing_class).label_zh
        raise DataAccessDenied(
            f"The data of {res.name!r} is shared {res.sharing_class.replace('_', ' ')}; "
            "only users of the owning member may read it without a grant.",
            f"数据资源 {res.name} 为{label}，未获授权只有所属单位用户可以读取。",
            hint="Ask the owning member for access (access requests and grants are the next "
            "part of the exchange).",
        )
    ver = load_version(repo, res, version) if version is not None else current(repo, res)
    if ver.data_version is None:
        raise NoData(
            f"Resource {res.name!r} has no data at version {ver.version}.",
            f"数据资源 {res.name} 第 {ver.version} 版没有数据。",
            hint="Upload a CSV or Parquet file with POST .../data.",
        )
    data_ver = load_version(repo, res, ver.data_version)
    names = [c["name"] for c in data_ver.snapshot.get("columns") or []]
    return data_ver, names


def read_data(
    session: Session,
    ref: str,
    *,
    principal: Principal,
    version: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> DataPage:
    """A page of rows at a version (default: current)."""
    repo = ExchangeRepository(session)
    res = _table(repo, ref)
    data_ver, names = _data_version(repo, res, principal, version)
    return DataPage(
        resource_id=res.id,
        data_version=data_ver.version,
        columns=names,
        rows=repo.rows(data_ver.id, limit=limit, offset=offset),
        total=data_ver.row_count or 0,
        limit=limit,
        offset=offset,
    )


def data_csv(
    session: Session, ref: str, *, principal: Principal, version: int | None = None
) -> str:
    """All rows at a version as CSV text (UTF-8, header row)."""
    repo = ExchangeRepository(session)
    res = _table(repo, ref)
    data_ver, names = _data_version(repo, res, principal, version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in repo.rows(data_ver.id):
        writer.writerow(["" if row.get(n) is None else _csv_text(row.get(n)) for n in names])
    return out.getvalue()


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def data_entry_allowed(session: Session, ref: str, principal: Principal | None) -> bool:
    """Whether ``principal`` may see row-level data of ``ref`` (used for row diffs)."""
    res = load(ExchangeRepository(session), ref)
    return may_read_data(principal, res)
