"""Statistics into the region's store: the bundled economy panel and users' yearbook tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, NotFoundError, ValidationFailed
from dyrd.economy import bundled
from dyrd.economy.compute.catalog import CATALOG
from dyrd.economy.compute.yearbook import YearbookRow, parse_yearbook
from dyrd.economy.errors import refused
from dyrd.economy.schemas import LoadReport, YearbookImportReport
from dyrd.economy.types import IndicatorSpec, InputError
from dyrd.region import service as region

MAX_IMPORT_BYTES = region.MAX_IMPORT_BYTES


def spec_names(spec: IndicatorSpec) -> tuple[str, str]:
    """Chinese and English name of a catalog indicator."""
    return spec.name_zh, spec.name_en


def _canonical_csv(rows: Sequence[YearbookRow]) -> bytes:
    """The rows as the region import's long layout, with catalog names for new indicators."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(
        [
            *("city_code", "indicator", "year", "value", "unit", "source"),
            *("indicator_name_zh", "indicator_name_en"),
        ]
    )
    for r in rows:
        spec = CATALOG[r.indicator]
        out.writerow(
            [r.code, r.indicator, r.year, repr(r.value), r.unit, r.source, *spec_names(spec)]
        )
    return buf.getvalue().encode("utf-8")


def _stored_keys(session: Session, keys: set[tuple[str, int]]) -> set[tuple[str, str, int]]:
    found: set[tuple[str, str, int]] = set()
    for indicator, year in sorted(keys):
        try:
            values = region.indicator_values(session, indicator, year)
        except NotFoundError:
            continue
        found.update((city, indicator, year) for city in values)
    return found


def load_bundled(session: Session, *, clock: Clock) -> LoadReport:
    """Store the bundled MIT economy panel; values already stored are left untouched."""
    rows = [
        YearbookRow(
            row=i + 2,
            code=r["code"],
            indicator=r["indicator"],
            year=int(r["year"]),
            value=float(r["value"]),
            unit=r["unit"],
            source=bundled.PANEL_SOURCE,
        )
        for i, r in enumerate(bundled.read_panel_rows())
    ]
    stored = _stored_keys(session, {(r.indicator, r.year) for r in rows})
    new = [r for r in rows if (r.code, r.indicator, r.year) not in stored]
    if new:
        region.import_statistics(
            session,
            content=_canonical_csv(new),
            filename="economy_city_panel.csv",
            actor=Actor.system(),
            clock=clock,
            source=bundled.PANEL_SOURCE,
        )
    return LoadReport(rows=len(rows), inserted=len(new), already_stored=len(rows) - len(new))


def import_yearbook(
    session: Session,
    *,
    content: bytes,
    filename: str,
    actor: Actor,
    clock: Clock,
    source: str | None = None,
    replace: bool = False,
) -> YearbookImportReport:
    """Import a long-form yearbook table (code, indicator, year, value, unit, source): all or none.

    Checked against the catalog first (base indicators only, catalog units, a source per row),
    then stored through the region import (known cities, existing values refused unless
    ``replace``). Raises ValidationFailed listing every problem by row and column.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(
            "The file is larger than the import accepts; nothing was imported.",
            "文件过大；未导入任何数据。",
            hint="Split the table by year or indicator.",
        )
    try:
        rows, problems = parse_yearbook(content, filename, default_source=source)
    except InputError as exc:
        raise refused(exc, hint="Columns: code, indicator, year, value, unit, source.") from exc
    if problems:
        raise ValidationFailed(
            f"The file {filename!r} has problems ({len(problems)} listed); nothing was imported.",
            f"文件 {filename} 存在问题（列出 {len(problems)} 项）；未导入任何数据。",
            hint="Fix every listed row and column, then import the whole file again.",
            errors=[FieldError(p.location, p.message, p.message_zh) for p in problems],
        )
    report = region.import_statistics(
        session,
        content=_canonical_csv(rows),
        filename=filename,
        actor=actor,
        clock=clock,
        source=source,
        replace=replace,
    )
    return YearbookImportReport(
        filename=filename,
        rows=len(rows),
        statistics_inserted=report.statistics_inserted,
        statistics_replaced=report.statistics_replaced,
        indicators_created=list(report.indicators_created),
    )
