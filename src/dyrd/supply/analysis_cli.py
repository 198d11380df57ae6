"""`dyrd supply match ...` and `dyrd supply disruption ...`: matching and disruption runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.errors import FieldError
from dyrd.supply.adapters.epidemic_levels import EpidemicLevels
from dyrd.supply.adapters.scenario_file import load_scenario
from dyrd.supply.cliargs import ExistingFile, JsonFlag, MemberOpt, actor_for, model
from dyrd.supply.errors import InvalidInput
from dyrd.supply.schemas import (
    DisruptionReport,
    NeedCreate,
    OfferCreate,
    ScenarioCreate,
    ScenarioSpec,
)
from dyrd.supply.service import disruption, matching
from dyrd.supply.types import LevelsSource

match_app = typer.Typer(help="供需对接 / Supply-demand matching.", no_args_is_help=True)
disruption_app = typer.Typer(
    help="断链冲击分析（ARIO 模型）/ Disruption analysis (ARIO model).", no_args_is_help=True
)
disruption_app = typer.Typer(
    help="断链冲击分析（ARIO 模型）/ Disruption analysis (ARIO model).", no_args_is_help=True
)


# matching ------------------------------------------------------------------------------
@match_app.command("offer")
def match_offer(
    ctx: typer.Context,
    *,
    code: Annotated[str, typer.Argument(help="企业代码 / credit code")],
    product_class: Annotated[str, typer.Option("--class", help="品类 / class")],
    quantity: Annotated[float, typer.Option(help="数量 / quantity")],
    unit: Annotated[str, typer.Option(help="单位 / unit")],
    lead_days: Annotated[float, typer.Option(help="交货期（天）/ lead time (days)")],
    city: Annotated[
        str | None, typer.Option(help="发货城市 / city (default: the enterprise's)")
    ] = None,
    member: MemberOpt = None,
) -> None:
    """发布供给 / Post an offer."""
    data = model(
        OfferCreate,
        {
            "enterprise_code": code,
            "product_class": product_class,
            "quantity": quantity,
            "unit": unit,
            "lead_days": lead_days,
            "city_code": city,
        },
    )
    with session_scope(ctx) as session:
        out = matching.post_offer(session, data, actor=actor_for(member), clock=state(ctx).clock)
    typer.echo(out.id)


@match_app.command("need")
def match_need(
    ctx: typer.Context,
    *,
    code: Annotated[str, typer.Argument(help="企业代码 / credit code")],
    product_class: Annotated[str, typer.Option("--class", help="品类 / class")],
    quantity: Annotated[float, typer.Option(help="数量 / quantity")],
    unit: Annotated[str, typer.Option(help="单位 / unit")],
    max_lead_days: Annotated[float, typer.Option(help="最长交货期 / max lead time (days)")],
    max_km: Annotated[float, typer.Option(help="最远距离（公里）/ max distance (km)")],
    city: Annotated[str | None, typer.Option(help="收货城市 / city")] = None,
    member: MemberOpt = None,
) -> None:
    """发布需求 / Post a need."""
    data = model(
        NeedCreate,
        {
            "enterprise_code": code,
            "product_class": product_class,
            "quantity": quantity,
            "unit": unit,
            "max_lead_days": max_lead_days,
            "max_km": max_km,
            "city_code": city,
        },
    )
    with session_scope(ctx) as session:
        out = matching.post_need(session, data, actor=actor_for(member), clock=state(ctx).clock)
    typer.echo(out.id)


@match_app.command("run")
def match_run(
    ctx: typer.Context,
    product_class: Annotated[str | None, typer.Option("--class", help="品类 / class")] = None,
    as_json: JsonFlag = False,
) -> None:
    """撮合开放的供需（附理由）/ Match open offers and needs, explained."""
    with session_scope(ctx) as session:
        report = matching.match(session, product_class=product_class)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_table(
        "供需对接 Matches",
        ["供方 supplier", "需方 buyer", "数量 qty", "距离 km", "得分 score", "说明 why"],
        [
            (
                m.supplier,
                m.buyer,
                f"{m.quantity:g} {m.unit}",
                m.distance_km,
                m.score,
                m.explanation_zh,
            )
            for m in report.matches
        ],
    )


# disruption ----------------------------------------------------------------------------
def _parse_shares(text: str) -> dict[str, object]:
    """``1=0.6,2=0.4`` -> {"1": 0.6, "2": 0.4}; the schema then checks levels and ranges."""
    out: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        try:
            share = float(value) if sep else None
        except ValueError:
            share = None
        if share is None:
            raise InvalidInput(
                f"--level-shares expects LEVEL=SHARE pairs, got {part!r}.",
                f"--level-shares 应为 级别=比例 的列表，收到 {part!r}。",
                errors=[FieldError("level_shares", part)],
                hint="e.g. --level-shares 1=0.6,2=0.4,3=0.2,4=0",
            )
        out[key.strip()] = share
    return out


def _print_report(r: DisruptionReport) -> None:
    ratio = "—" if r.indirect_to_direct is None else f"{r.indirect_to_direct:.2f}"
    typer.echo(
        f"{r.scenario}: {r.nodes} 企业 nodes, {r.links} 关系 links, {r.days} 天 days\n"
        f"直接损失 direct {r.direct:.2f}  间接损失 indirect {r.indirect:.2f}  "
        f"合计 total {r.total:.2f}  间接/直接 ratio {ratio}"
    )
    print_table(
        "城市损失 Losses by city",
        ["城市 city", "直接 direct", "间接 indirect", "合计 total"],
        [
            (f"{c.key} {c.name_zh}", f"{c.direct:.2f}", f"{c.indirect:.2f}", f"{c.total:.2f}")
            for c in r.cities
        ],
    )
    print_table(
        "关键节点 Critical nodes",
        ["企业 enterprise", "城市 city", "瓶颈损失 bottleneck", "自身损失 own", "受限天数 days"],
        [
            (
                f"{c.enterprise_code} {c.name_zh}",
                c.city_code,
                f"{c.bottleneck_loss:.2f}",
                f"{c.own_loss:.2f}",
                c.days_input_bound,
            )
            for c in r.critical
        ],
    )


@disruption_app.command("run")
def disruption_run(
    ctx: typer.Context,
    scenario: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="情景 JSON：name, start, days, restrictions[{city,start,end,share}], "
            "levels[{jurisdiction,start,end,level}], level_shares{'1':..}, buffer_days, "
            "tau_days, chain / scenario file",
        ),
    ],
    levels_source: Annotated[
        LevelsSource | None,
        typer.Option(
            help="疫情域响应级别来源：declared-2020（2020 年各省宣布的级别，逐日）或 "
            "recommended（情景开始日的建议级别）/ epidemic response levels: declared-2020 "
            "(provinces' 2020 levels, day by day) or recommended (at the scenario's start)",
        ),
    ] = None,
    level_shares: Annotated[
        str | None,
        typer.Option(
            help="级别到产能损失比例表，如 1=0.6,2=0.4,3=0.2,4=0（覆盖文件中的表；使用来源时"
            "须给出全部四级）/ level -> share lost, e.g. 1=0.6,2=0.4,3=0.2,4=0 (replaces the "
            "file's table; all four levels when a source is used)",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """在已登记网络上运行情景 / Run a scenario on the stored supply network."""
    spec = load_scenario(scenario)
    if levels_source is not None or level_shares is not None:
        data = spec.model_dump(mode="json")
        if levels_source is not None:
            data["levels_source"] = levels_source.value
        if level_shares is not None:
            data["level_shares"] = _parse_shares(level_shares)
        spec = model(ScenarioSpec, data)
    with session_scope(ctx) as session:
        report = disruption.run(session, spec, level_sources=EpidemicLevels())
    print_json(report.model_dump(mode="json")) if as_json else _print_report(report)


@disruption_app.command("save")
def disruption_save(
    ctx: typer.Context,
    *,
    scenario_id: Annotated[str, typer.Argument(help="标识 / id")],
    scenario: Annotated[Path, ExistingFile],
    member: MemberOpt = None,
) -> None:
    """保存情景 / Save a scenario."""
    spec = load_scenario(scenario)
    data = model(ScenarioCreate, {"id": scenario_id, "spec": spec.model_dump(mode="json")})
    with session_scope(ctx) as session:
        disruption.save(session, data, actor=actor_for(member), clock=state(ctx).clock)
    typer.echo(f"已保存 saved: {scenario_id}")


@disruption_app.command("list")
def disruption_list(ctx: typer.Context) -> None:
    """列出已保存情景 / List saved scenarios."""
    with session_scope(ctx) as session:
        rows = disruption.list_scenarios(session)
    print_table(
        "情景 Scenarios",
        ["标识 id", "名称 name", "开始 start", "天数 days"],
        [(s.id, s.name, s.spec.start, s.spec.days) for s in rows],
    )
