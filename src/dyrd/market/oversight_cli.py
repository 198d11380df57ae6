"""`dyrd market ocds|red-flags|screens|risk ...`: OCDS validation, red flags, screens, risk."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.market.compute.red_flags import FlagSettings
from dyrd.market.compute.screens import RD_MIN_DEFAULT, Screen, ScreenThresholds
from dyrd.market.errors import MarketInputInvalid
from dyrd.market.schemas import RiskEventCreate
from dyrd.market.service import oversight, risk

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
FileArg = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="OCDS 文件（JSON 或 JSON Lines）/ OCDS file (JSON or JSON Lines)",
    ),
]
MemberOpt = Annotated[str, typer.Option(help="代表的成员 / member acted for")]


def _actor(member: str) -> Actor:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        user = "unknown"
    return Actor(user="cli:" + user, member=member)


def _read(path: Path) -> Any:
    return oversight.parse_ocds(path.read_text(encoding="utf-8", errors="replace"))


def _weights(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MarketInputInvalid(
            f"Weights file is not JSON: {exc.msg}.", f"权重文件不是合法 JSON：{exc.msg}。"
        ) from None
    if not isinstance(data, dict):
        raise MarketInputInvalid("Weights file is a JSON object.", "权重文件必须是 JSON 对象。")
    return data


ocds_app = typer.Typer(help="开放合同数据标准 OCDS 1.1.5 / Open Contracting Data Standard 1.1.5.")


@ocds_app.command("validate")
def ocds_validate(path: FileArg, as_json: JsonFlag = False) -> None:
    """校验 OCDS（含投标扩展）/ Validate OCDS with the bids extension; exit 1 when invalid."""
    report = oversight.validate_ocds(_read(path))
    if as_json:
        print_json(report.model_dump(mode="json"))
    elif report.valid:
        typer.echo(f"有效 valid: {report.kind}")
    else:
        print_table(
            f"无效 invalid {report.kind}: {len(report.issues)}",
            ["路径 path", "问题 problem", "说明"],
            [(i.path, i.message, i.message_zh) for i in report.issues],
        )
    if not report.valid:
        raise typer.Exit(1)


@ocds_app.command("import")
def ocds_import(
    ctx: typer.Context,
    path: FileArg,
    member: MemberOpt = REGION_MEMBER_ID,
    as_json: JsonFlag = False,
) -> None:
    """导入 OCDS 发布包 / Import a release package (refused, path by path, when invalid)."""
    with session_scope(ctx) as session:
        result = oversight.import_ocds(
            session, _read(path), actor=_actor(member), clock=state(ctx).clock
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        typer.echo(
            f"导入 imported {result.imported}, 未变 unchanged {result.unchanged}: "
            + ", ".join(result.ocids)
        )


@ocds_app.command("export")
def ocds_export(ctx: typer.Context, ocid: Annotated[str, typer.Argument(help="ocid")]) -> None:
    """导出记录包 / Print the record package of an imported contracting process."""
    with session_scope(ctx) as session:
        package = oversight.export_record_package(
            session,
            ocid,
            published=state(ctx).clock(),
            uri=f"urn:dyrd:ocds:record:{ocid}",
            publisher="Digital YRD",
        )
    print_json(package)


def red_flags(
    ctx: typer.Context,
    path: FileArg,
    *,
    currency: Annotated[str | None, typer.Option(help="币种 / currency (ISO 4217)")] = None,
    r003_days: Annotated[int, typer.Option(min=1, max=365, help="R003 天数 / days")] = 15,
    record: Annotated[
        bool,
        typer.Option("--record", help="记为风险事件 / record flagged tenderers as risk events"),
    ] = False,
    member: MemberOpt = REGION_MEMBER_ID,
    as_json: JsonFlag = False,
) -> None:
    """招投标风险信号（Cardinal 兼容）/ Cardinal-compatible procurement red flags."""
    report = oversight.red_flag_report(
        _read(path), FlagSettings(currency=currency, r003_threshold_days=r003_days)
    )
    if record:
        with session_scope(ctx) as session:
            risk.record_red_flags(
                session, report.results, actor=_actor(member), clock=state(ctx).clock
            )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    rows = [
        (group, key, code, f"{value:g}")
        for group, items in report.results.items()
        for key, flags in items.items()
        for code, value in flags.items()
    ]
    print_table(
        f"风险信号 Red flags ({report.processes} 个采购过程 processes)",
        ["组 group", "标识 id", "信号 flag", "值 value"],
        rows,
    )
    for flag in report.flags:
        typer.echo(f"{flag.code} {flag.title_zh} / {flag.title}: {flag.explanation_zh}")


def screens(
    path: FileArg,
    *,
    min_screens: Annotated[int, typer.Option(min=1, max=len(Screen))] = 2,
    rd_min: Annotated[float, typer.Option(min=0.0)] = RD_MIN_DEFAULT,
    cv_max: Annotated[float | None, typer.Option(min=0.0)] = None,
    as_json: JsonFlag = False,
) -> None:
    """串通投标筛查 / Bid-rigging screens per tender, with the flagged ones explained."""
    fixed = {Screen.RD: rd_min}
    if cv_max is not None:
        fixed[Screen.CV] = cv_max
    report = oversight.screen_report(
        _read(path), ScreenThresholds(fixed=fixed, min_screens=min_screens)
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return

    def fmt(v: float | None) -> str:
        return "—" if v is None else f"{v:.3f}"

    print_table(
        "串通筛查 Collusion screens",
        ["ocid", "n", "CV", "SPD", "RD", "KURT", "SKEW", "可疑 flagged", "原因 why"],
        [
            (
                t.ocid,
                t.bids,
                fmt(t.screens["cv"]),
                fmt(t.screens["spd"]),
                fmt(t.screens["rd"]),
                fmt(t.screens["kurt"]),
                fmt(t.screens["skew"]),
                "是 yes" if t.flagged else "否 no",
                f"{t.explanation_zh} / {t.explanation}",
            )
            for t in report.tenders
        ],
    )
    for ocid, why in report.skipped.items():
        typer.echo(f"跳过 skipped {ocid}: {why}")


risk_app = typer.Typer(help="市场风险监测 / Market risk monitor.")


@risk_app.command("scores")
def risk_scores(
    ctx: typer.Context,
    weights: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="权重文件 / weights JSON")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """企业风险分 / Enterprise risk scores, highest first."""
    with session_scope(ctx) as session:
        rows = risk.risk_scores(session, clock=state(ctx).clock, weights=_weights(weights))
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "企业风险 Enterprise risk",
        ["企业 enterprise", "分 score", "等级 level", "说明 why"],
        [
            (r.enterprise_id, f"{r.score:.2f}", f"{r.level_zh} {r.level}", r.explanation_zh)
            for r in rows
        ],
    )


@risk_app.command("add")
def risk_add(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(help="企业标识 / enterprise id (USCC)")],
    kind: Annotated[str, typer.Argument(help="事件类型 / event kind")],
    *,
    occurred_at: Annotated[
        datetime | None, typer.Option(help="发生时间（UTC）/ when (UTC); default now")
    ] = None,
    severity: Annotated[float, typer.Option(min=0.0, max=1000.0)] = 1.0,
    jurisdiction: Annotated[str, typer.Option(max=16)] = "",
    reference: str = "",
    member: MemberOpt = REGION_MEMBER_ID,
) -> None:
    """记录风险事件 / Record a risk event about an enterprise."""
    clock = state(ctx).clock
    when = clock() if occurred_at is None else occurred_at.replace(tzinfo=clock().tzinfo)
    body = RiskEventCreate(
        enterprise_id=enterprise,
        kind=kind,
        occurred_at=when,
        severity=severity,
        jurisdiction=jurisdiction[:16],
        reference=reference[:256],
    )
    with session_scope(ctx) as session:
        row = risk.record_event(session, body, actor=_actor(member), clock=clock)
    typer.echo(f"已记录 recorded {row.id}: {row.enterprise_id} {row.kind_zh} {row.kind}")


@risk_app.command("alerts")
def risk_alerts(
    ctx: typer.Context,
    raise_now: Annotated[
        bool, typer.Option("--raise", help="先生成预警 / raise alerts first")
    ] = False,
    member: MemberOpt = REGION_MEMBER_ID,
    as_json: JsonFlag = False,
) -> None:
    """风险预警 / Risk alerts (``--raise`` to raise them for changed levels first)."""
    with session_scope(ctx) as session:
        if raise_now:
            risk.raise_alerts(session, actor=_actor(member), clock=state(ctx).clock)
        rows = risk.list_alerts(session)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "风险预警 Risk alerts",
        ["时间 at", "企业 enterprise", "等级 level", "分 score", "说明 why"],
        [
            (r.created_at.isoformat(), r.enterprise_id, r.level, f"{r.score:.2f}", r.explanation_zh)
            for r in rows
        ],
    )


def register(app: typer.Typer) -> None:
    """Add the oversight commands to the ``dyrd market`` app."""
    app.add_typer(ocds_app, name="ocds")
    app.command("red-flags")(red_flags)
    app.command("screens")(screens)
    app.add_typer(risk_app, name="risk")
