"""Use cases of OCDS validation, import and export, red flags and collusion screens."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.market.bundled import ocds_validator, release_schema
from dyrd.market.compute.merge import compile_release
from dyrd.market.compute.ocds import record_package
from dyrd.market.compute.ocds_validate import OcdsKind, detect_kind
from dyrd.market.compute.red_flags import FLAG_INFO, Flag, FlagSettings, red_flags
from dyrd.market.compute.screens import ScreenThresholds, screen_tenders
from dyrd.market.errors import MarketInputInvalid, MarketNotFound, OcdsInvalid
from dyrd.market.models import OcdsReleaseRow
from dyrd.market.repository import OversightRepository
from dyrd.market.schemas import (
    FlagExplanation,
    OcdsImportRead,
    OcdsIssueRead,
    OcdsReport,
    RedFlagsReport,
    ScreenRead,
    ScreensReport,
)
from dyrd.market.types import OcdsInputError

MAX_REPORTED = 100
"""Issues listed in an error body; the CLI's validate command prints them all."""


def parse_ocds(text: str) -> Any:
    """JSON, or JSON Lines (a compiled release per line, as Cardinal reads); else refused."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise _not_json(first) from None
        out = []
        for number, line in enumerate(lines, start=1):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise _not_json(exc, line=number) from None
        return out


def _not_json(exc: json.JSONDecodeError, line: int | None = None) -> OcdsInvalid:
    where = f"line {line}" if line is not None else f"line {exc.lineno} column {exc.colno}"
    return OcdsInvalid(
        f"Not JSON ({where}): {exc.msg}.",
        f"不是合法的 JSON（{where}）：{exc.msg}。",
        hint="Send an OCDS release, release package or record package, or JSON Lines.",
    )


def validate_ocds(document: Any, kind: OcdsKind | None = None) -> OcdsReport:
    """Validate against OCDS 1.1.5 + bids extension; the report lists every issue by path."""
    chosen = kind or (detect_kind(document) if isinstance(document, Mapping) else OcdsKind.RELEASE)
    issues = ocds_validator().validate(document, chosen)
    return OcdsReport(
        valid=not issues,
        kind=chosen.value,
        issues=[
            OcdsIssueRead(
                path=i.path, message=i.message, message_zh=i.message_zh, keyword=i.keyword
            )
            for i in issues
        ],
    )


def _invalid(report: OcdsReport) -> OcdsInvalid:
    shown = report.issues[:MAX_REPORTED]
    return OcdsInvalid(
        f"The OCDS {report.kind} does not validate: {len(report.issues)} problem(s).",
        f"OCDS {report.kind} 未通过校验：{len(report.issues)} 处问题。",
        hint="Fix each listed path; the schema is OCDS 1.1.5 with the bids extension.",
        errors=[FieldError(i.path or "/", i.message, i.message_zh) for i in shown],
    )


def compiled_releases(document: Any) -> list[dict[str, Any]]:
    """The compiled release of every contracting process in ``document``.

    Accepts a record package (its compiled releases, or its releases compiled), a release package
    (compiled per ocid), a single release, or a list of compiled releases (JSON Lines).
    """
    try:
        if isinstance(document, list):
            items = [d for d in document if isinstance(d, Mapping)]
            if len(items) != len(document):
                raise MarketInputInvalid(
                    "Every line must be a JSON object (a compiled release).",
                    "每一行都必须是 JSON 对象（合并后的发布）。",
                )
            return [dict(d) for d in items]
        if not isinstance(document, Mapping):
            raise MarketInputInvalid("OCDS data is a JSON object.", "OCDS 数据必须是 JSON 对象。")
        kind = detect_kind(document)
        if kind is OcdsKind.RECORD_PACKAGE:
            out = []
            for record in document.get("records") or []:
                if isinstance(record.get("compiledRelease"), Mapping):
                    out.append(dict(record["compiledRelease"]))
                else:
                    out.append(_compile(record.get("releases") or []))
            return out
        if kind is OcdsKind.RELEASE_PACKAGE:
            groups: dict[str, list[Mapping[str, Any]]] = {}
            for release in document.get("releases") or []:
                groups.setdefault(str(release.get("ocid")), []).append(release)
            return [_compile(group) for group in groups.values()]
        return [dict(document)]
    except (AttributeError, TypeError):
        raise MarketInputInvalid(
            "The OCDS structure is malformed (validate it with `dyrd market ocds validate`).",
            "OCDS 结构有误（可用 dyrd market ocds validate 校验）。",
        ) from None


def _compile(releases: list[Mapping[str, Any]]) -> dict[str, Any]:
    try:
        return compile_release(releases, release_schema())
    except OcdsInputError as exc:
        raise MarketInputInvalid(exc.message, exc.message_zh) from None


def red_flag_report(document: Any, settings: FlagSettings | None = None) -> RedFlagsReport:
    """Cardinal-compatible red flags of every process in ``document``, with explanations."""
    releases = compiled_releases(document)
    results = red_flags(releases, settings)
    fired = sorted({code for group in results.values() for v in group.values() for code in v})
    return RedFlagsReport(
        processes=len(releases),
        results=results,
        flags=[
            FlagExplanation(
                code=code,
                title=FLAG_INFO[Flag(code)].title,
                title_zh=FLAG_INFO[Flag(code)].title_zh,
                explanation=FLAG_INFO[Flag(code)].explanation,
                explanation_zh=FLAG_INFO[Flag(code)].explanation_zh,
            )
            for code in fired
        ],
    )


def _priced_bids(release: Mapping[str, Any]) -> tuple[list[float], str] | str:
    """Valid bids' prices in one currency, or the reason the tender cannot be screened."""
    details = (release.get("bids") or {}).get("details") or []
    prices: list[float] = []
    currencies: set[str] = set()
    for bid in details:
        if not isinstance(bid, Mapping) or bid.get("status") != "valid":
            continue
        value = bid.get("value") or {}
        amount = value.get("amount") if isinstance(value, Mapping) else None
        if isinstance(amount, int | float) and not isinstance(amount, bool) and amount > 0:
            prices.append(float(amount))
            currencies.add(str(value.get("currency", "")))
    if len(currencies) > 1:
        return f"bids in several currencies {sorted(currencies)} / 报价币种不一致"
    if len(prices) < 3:
        return f"{len(prices)} priced valid bid(s); screens need 3 or more / 有效报价少于 3 个"
    return prices, next(iter(currencies))


def screen_report(document: Any, thresholds: ScreenThresholds | None = None) -> ScreensReport:
    """Collusion screens of every tender with three or more priced valid bids."""
    tenders: dict[str, list[float]] = {}
    currency: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for release in compiled_releases(document):
        ocid = str(release.get("ocid"))
        priced = _priced_bids(release)
        if isinstance(priced, str):
            skipped[ocid] = priced
        else:
            tenders[ocid], currency[ocid] = priced
    try:
        screened = screen_tenders(tenders, thresholds)
    except OcdsInputError as exc:
        raise MarketInputInvalid(exc.message, exc.message_zh) from None
    return ScreensReport(
        tenders=[
            ScreenRead(
                ocid=s.tender_id,
                bids=s.screens.n,
                currency=currency[s.tender_id],
                screens={k.value: v for k, v in s.screens.values.items()},
                extreme=[e.value for e in s.extreme],
                flagged=s.flagged,
                explanation=s.explanation,
                explanation_zh=s.explanation_zh,
            )
            for s in screened
        ],
        skipped=skipped,
    )


def import_ocds(session: Session, document: Any, *, actor: Actor, clock: Clock) -> OcdsImportRead:
    """Store the releases of a valid release package; invalid data is refused, path by path."""
    report = validate_ocds(document)
    if report.kind != OcdsKind.RELEASE_PACKAGE.value:
        raise MarketInputInvalid(
            "Import takes a release package (an object with `releases`).",
            "导入需要发布包（含 releases 的对象）。",
        )
    if not report.valid:
        raise _invalid(report)
    repo = OversightRepository(session)
    imported = unchanged = 0
    ocids: list[str] = []
    now = clock()
    for release in document["releases"]:
        ocid, rid = str(release["ocid"]), str(release["id"])
        existing = repo.ocds_release(ocid, rid)
        if existing is not None:
            if existing.data != release:
                raise MarketInputInvalid(
                    f"Release {rid} of {ocid} is already stored with different content; "
                    "a release is immutable, publish a new release id instead.",
                    f"{ocid} 的发布 {rid} 已以不同内容存储；发布不可修改，请使用新的发布标识。",
                )
            unchanged += 1
            continue
        repo.add(
            OcdsReleaseRow(
                ocid=ocid,
                release_id=rid,
                date=str(release["date"]),
                data=release,
                created_by=actor.user,
                created_for=actor.member,
                created_at=now,
            )
        )
        imported += 1
        if ocid not in ocids:
            ocids.append(ocid)
    session.commit()
    return OcdsImportRead(imported=imported, unchanged=unchanged, ocids=ocids)


def stored_ocids(session: Session) -> list[str]:
    """The contracting processes with imported releases, in import order."""
    seen: dict[str, None] = {}
    for row in OversightRepository(session).ocds_releases():
        seen.setdefault(row.ocid, None)
    return list(seen)


def export_record_package(
    session: Session, ocid: str, *, published: datetime, uri: str, publisher: str
) -> dict[str, Any]:
    """The record package of one imported contracting process (its releases, compiled)."""
    rows = OversightRepository(session).ocds_releases(ocid)
    if not rows:
        raise MarketNotFound(
            f"No imported OCDS releases for {ocid}.",
            f"没有 {ocid} 的已导入 OCDS 发布。",
            hint="Import a release package first (`dyrd market ocds import FILE`).",
        )
    return record_package(
        [r.data for r in rows], release_schema(), uri=uri, published=published, publisher=publisher
    )
