"""`dyrd supply ...`: enterprises, products, links, chains (join/exit), matching, disruption.

The EPCIS commands (``epcis_cli``) are mounted under ``dyrd supply epcis`` by ``build_app``.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.errors import FieldError
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.supply.adapters.scenario_file import load_scenario
from dyrd.supply.compute import credit_code, gs1
from dyrd.supply.errors import InvalidCode, InvalidInput
from dyrd.supply.schemas import (
    CertificationCreate,
    ChainCreate,
    DecisionRead,
    DisruptionReport,
    EnterpriseCreate,
    ExitRequest,
    JoinRequest,
    LinkCreate,
    NeedCreate,
    OfferCreate,
    ProductCreate,
    ScenarioCreate,
    ViolationCreate,
)
from dyrd.supply.service import chains, disruption, enterprises, matching
from dyrd.supply.types import CreditGrade, Severity

M = TypeVar("M", bound=BaseModel)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
MemberOpt = Annotated[
    str | None, typer.Option(help="代表的成员单位 / member recorded, default CN-YRD")
]
ExistingFile = typer.Argument(exists=True, dir_okay=False, readable=True)

enterprise_app = typer.Typer(
    help="企业：统一社会信用代码登记、认证、违法记录 / Enterprises: credit codes, certifications, "
    "violations.",
    no_args_is_help=True,
)
product_app = typer.Typer(help="产品（GTIN）/ Products by GTIN.", no_args_is_help=True)
link_app = typer.Typer(help="供货关系 / Standing supply links.", no_args_is_help=True)
chain_app = typer.Typer(
    help="产业链与准入退出规则 / Chains and their join/exit rules.", no_args_is_help=True
)
match_app = typer.Typer(help="供需对接 / Supply-demand matching.", no_args_is_help=True)
disruption_app = typer.Typer(
    help="断链冲击分析（ARIO 模型）/ Disruption analysis (ARIO model).", no_args_is_help=True
)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def _actor(member: str | None) -> Actor:
    return Actor(user="cli:" + _os_user(), member=member or REGION_MEMBER_ID)


def _model(cls: type[M], data: dict[str, Any]) -> M:
    """Validate CLI input with the API's schema; errors exit 3 with each field named."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "Invalid input.",
            "输入无效。",
            errors=[
                FieldError(".".join(map(str, e["loc"])) or "input", e["msg"])
                for e in exc.errors(include_url=False)
            ],
        ) from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"Cannot read JSON from {path.name}: {exc}", f"无法从 {path.name} 读取 JSON：{exc}"
        ) from exc


# enterprises ---------------------------------------------------------------------------
@enterprise_app.command("check")
def enterprise_check(
    code: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
    as_json: JsonFlag = False,
) -> None:
    """离线校验统一社会信用代码（GB 32100-2015）/ Validate a credit code offline."""
    try:
        parsed = credit_code.parse(code)
    except credit_code.CreditCodeError as exc:
        raise InvalidCode(exc.message, exc.message_zh) from exc
    authority = credit_code.REGISTRATION_AUTHORITIES.get(parsed.authority, ("", ""))
    out = {
        "code": parsed.code,
        "valid": True,
        "authority": parsed.authority,
        "authority_name": f"{authority[0]} {authority[1]}".strip(),
        "category": parsed.category,
        "division": parsed.division,
        "organisation": parsed.organisation,
        "organisation_check_ok": parsed.organisation_check_ok,
    }
    if as_json:
        print_json(out)
        return
    print_table("统一社会信用代码 Credit code", ["字段 field", "值 value"], list(out.items()))


@enterprise_app.command("add")
def enterprise_add(
    ctx: typer.Context,
    *,
    code: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
    name_zh: Annotated[str, typer.Option(help="中文名称 / Chinese name")],
    name_en: Annotated[str, typer.Option(help="英文名称 / English name")],
    city: Annotated[str, typer.Option(help="所在城市代码 / city code (GB/T 2260)")],
    industry: Annotated[str, typer.Option(help="行业代码 GB/T 4754 / industry class, e.g. C3670")],
    grade: Annotated[
        CreditGrade | None, typer.Option(help="纳税信用等级 / tax credit grade")
    ] = None,
    gln: Annotated[str | None, typer.Option(help="GS1 位置码 / GLN")] = None,
    final_demand: Annotated[
        float, typer.Option(help="日最终需求 / daily final demand (value/day)")
    ] = 0.0,
    member: MemberOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """登记企业 / Register an enterprise."""
    data = _model(
        EnterpriseCreate,
        {
            "code": code,
            "name_zh": name_zh,
            "name_en": name_en,
            "city_code": city,
            "industry": industry,
            "credit_grade": grade,
            "gln": gln,
            "final_demand_per_day": final_demand,
        },
    )
    with session_scope(ctx) as session:
        out = enterprises.register(session, data, actor=_actor(member), clock=state(ctx).clock)
    if as_json:
        print_json(out.model_dump(mode="json"))
    else:
        typer.echo(f"已登记 registered: {out.code} {out.name_zh} / {out.name_en}")


@enterprise_app.command("list")
def enterprise_list(
    ctx: typer.Context,
    city: Annotated[str | None, typer.Option(help="城市代码 / city code")] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出企业 / List enterprises."""
    with session_scope(ctx) as session:
        rows = enterprises.list_enterprises(session, city=city)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "企业 Enterprises",
        ["代码 code", "名称 name", "城市 city", "行业 industry", "信用 grade", "产业链 chains"],
        [
            (
                r.code,
                f"{r.name_zh} / {r.name_en}",
                r.city_code,
                r.industry,
                r.credit_grade or "—",
                ", ".join(r.chains),
            )
            for r in rows
        ],
    )


@enterprise_app.command("show")
def enterprise_show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
) -> None:
    """查看企业（JSON）/ Show an enterprise (JSON)."""
    with session_scope(ctx) as session:
        out = enterprises.get(session, code)
    print_json(out.model_dump(mode="json"))


@enterprise_app.command("certify")
def enterprise_certify(
    ctx: typer.Context,
    *,
    code: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
    name: Annotated[str, typer.Option(help="认证名称 / certification, e.g. IATF 16949")],
    valid_from: Annotated[str, typer.Option("--from", help="生效日期 / valid from (YYYY-MM-DD)")],
    valid_until: Annotated[str, typer.Option("--until", help="截止日期 / valid until")],
    member: MemberOpt = None,
) -> None:
    """登记认证 / Record a certification."""
    data = _model(
        CertificationCreate, {"name": name, "valid_from": valid_from, "valid_until": valid_until}
    )
    with session_scope(ctx) as session:
        enterprises.add_certification(
            session, code, data, actor=_actor(member), clock=state(ctx).clock
        )
    typer.echo(f"已登记认证 recorded: {name}")


@enterprise_app.command("violation")
def enterprise_violation(
    ctx: typer.Context,
    *,
    code: Annotated[str, typer.Argument(help="统一社会信用代码 / credit code")],
    on: Annotated[str, typer.Option(help="发生日期 / date (YYYY-MM-DD)")],
    severity: Annotated[Severity, typer.Option(help="严重程度 / severity")],
    authority: Annotated[str, typer.Option(help="认定机关 / authority")],
    member: MemberOpt = None,
) -> None:
    """登记违法记录 / Record a violation."""
    data = _model(
        ViolationCreate, {"occurred_on": on, "severity": severity, "authority": authority}
    )
    with session_scope(ctx) as session:
        enterprises.add_violation(session, code, data, actor=_actor(member), clock=state(ctx).clock)
    typer.echo("已登记 recorded")


# products and links --------------------------------------------------------------------
@product_app.command("check")
def product_check(gtin: Annotated[str, typer.Argument(help="GTIN-8/12/13/14")]) -> None:
    """离线校验 GTIN / Validate a GTIN offline (prints its GTIN-14)."""
    try:
        typer.echo(gs1.parse_gtin(gtin))
    except gs1.Gs1Error as exc:
        raise InvalidCode(exc.message, exc.message_zh) from exc


@product_app.command("add")
def product_add(
    ctx: typer.Context,
    *,
    gtin: Annotated[str, typer.Argument(help="GTIN-8/12/13/14")],
    name: Annotated[str, typer.Option(help="产品名称 / name")],
    product_class: Annotated[str, typer.Option("--class", help="品类 GB/T 4754 / class")],
    enterprise: Annotated[str, typer.Option(help="生产企业代码 / maker's credit code")],
    member: MemberOpt = None,
) -> None:
    """登记产品 / Register a product."""
    data = _model(
        ProductCreate,
        {"gtin": gtin, "name": name, "product_class": product_class, "enterprise_code": enterprise},
    )
    with session_scope(ctx) as session:
        out = enterprises.add_product(session, data, actor=_actor(member), clock=state(ctx).clock)
    typer.echo(f"已登记 registered: {out.gtin}")


@link_app.command("add")
def link_add(
    ctx: typer.Context,
    *,
    supplier: Annotated[str, typer.Argument(help="供应方代码 / supplier credit code")],
    customer: Annotated[str, typer.Argument(help="采购方代码 / customer credit code")],
    product_class: Annotated[str, typer.Option("--class", help="品类 / class")],
    value: Annotated[float, typer.Option(help="日供货额 / value per day")],
    member: MemberOpt = None,
) -> None:
    """登记供货关系 / Record a supply link."""
    data = _model(
        LinkCreate,
        {
            "supplier_code": supplier,
            "customer_code": customer,
            "product_class": product_class,
            "value_per_day": value,
        },
    )
    with session_scope(ctx) as session:
        enterprises.add_link(session, data, actor=_actor(member), clock=state(ctx).clock)
    typer.echo("已登记 recorded")


# chains --------------------------------------------------------------------------------
def _print_decision(d: DecisionRead) -> None:
    typer.echo(
        f"{d.kind.value} {d.enterprise_code} → {d.outcome.value} "
        f"(规则版本 rule version {d.rule_version}, 账本 ledger #{d.ledger_seq})"
    )
    for r in d.results:
        mark = "✓" if r.passed else "✗"
        typer.echo(f"  {mark} {r.kind}: {r.reason_zh} / {r.reason}")


@chain_app.command("create")
def chain_create(
    ctx: typer.Context,
    *,
    chain_id: Annotated[str, typer.Argument(help="标识 / id, e.g. yrd-auto-parts")],
    name_zh: Annotated[str, typer.Option(help="中文名称 / Chinese name")],
    name_en: Annotated[str, typer.Option(help="英文名称 / English name")],
    product_class: Annotated[str, typer.Option("--class", help="品类 / class")],
    rules: Annotated[Path, ExistingFile],
    description: Annotated[str, typer.Option(help="说明 / description")] = "",
    member: MemberOpt = None,
) -> None:
    """创建产业链（规则 JSON 文件）/ Create a chain with its rules (JSON file)."""
    data = _model(
        ChainCreate,
        {
            "id": chain_id,
            "name_zh": name_zh,
            "name_en": name_en,
            "product_class": product_class,
            "description": description,
            "rules": _read_json(rules),
        },
    )
    with session_scope(ctx) as session:
        out = chains.create_chain(session, data, actor=_actor(member), clock=state(ctx).clock)
    typer.echo(f"已创建 created: {out.id} (规则版本 rule version {out.rule_version})")


@chain_app.command("rules")
def chain_rules(
    ctx: typer.Context,
    *,
    chain_id: Annotated[str, typer.Argument(help="产业链 / chain id")],
    rules: Annotated[Path, ExistingFile],
    member: MemberOpt = None,
) -> None:
    """发布新版规则 / Publish a new rule version."""
    with session_scope(ctx) as session:
        out = chains.update_rules(
            session, chain_id, _read_json(rules), actor=_actor(member), clock=state(ctx).clock
        )
    typer.echo(f"规则版本 rule version {out.rule_version}")


@chain_app.command("list")
def chain_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """列出产业链 / List chains."""
    with session_scope(ctx) as session:
        rows = chains.list_chains(session)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "产业链 Chains",
        ["标识 id", "名称 name", "品类 class", "规则版本 rules", "成员 members", "城市 cities"],
        [
            (
                r.id,
                f"{r.name_zh} / {r.name_en}",
                r.product_class,
                r.rule_version,
                len(r.members),
                ", ".join(r.cities),
            )
            for r in rows
        ],
    )


@chain_app.command("join")
def chain_join(
    ctx: typer.Context,
    *,
    chain_id: Annotated[str, typer.Argument(help="产业链 / chain id")],
    code: Annotated[str, typer.Argument(help="企业代码 / credit code")],
    on: Annotated[str | None, typer.Option(help="评估日期 / decision date")] = None,
    member: MemberOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """申请加入（逐条规则说明理由）/ Apply to join (a reason per rule)."""
    data = _model(JoinRequest, {"enterprise_code": code, "on": on})
    with session_scope(ctx) as session:
        out = chains.join(session, chain_id, data, actor=_actor(member), clock=state(ctx).clock)
    print_json(out.model_dump(mode="json")) if as_json else _print_decision(out)


@chain_app.command("exit")
def chain_exit(
    ctx: typer.Context,
    *,
    chain_id: Annotated[str, typer.Argument(help="产业链 / chain id")],
    code: Annotated[str, typer.Argument(help="企业代码 / credit code")],
    voluntary: Annotated[
        bool, typer.Option("--voluntary", help="主动退出；否则按退出规则审查 / voluntary exit")
    ] = False,
    note: Annotated[str, typer.Option(help="备注 / note")] = "",
    member: MemberOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """退出或按退出规则审查成员 / Leave, or review a member against the exit rules."""
    data = _model(ExitRequest, {"enterprise_code": code, "voluntary": voluntary, "note": note})
    with session_scope(ctx) as session:
        out = chains.leave(session, chain_id, data, actor=_actor(member), clock=state(ctx).clock)
    print_json(out.model_dump(mode="json")) if as_json else _print_decision(out)


@chain_app.command("review")
def chain_review(
    ctx: typer.Context,
    chain_id: Annotated[str, typer.Argument(help="产业链 / chain id")],
    member: MemberOpt = None,
) -> None:
    """按退出规则审查全部成员 / Review every member against the exit rules."""
    with session_scope(ctx) as session:
        rows = chains.review(session, chain_id, actor=_actor(member), clock=state(ctx).clock)
    for d in rows:
        _print_decision(d)


@chain_app.command("decisions")
def chain_decisions(
    ctx: typer.Context,
    chain_id: Annotated[str | None, typer.Option("--chain", help="产业链 / chain id")] = None,
    enterprise: Annotated[str | None, typer.Option(help="企业代码 / credit code")] = None,
    as_json: JsonFlag = False,
) -> None:
    """准入退出决定（含所用规则版本）/ Join and exit decisions with the rule version applied."""
    with session_scope(ctx) as session:
        rows = chains.decisions(session, chain_id=chain_id, enterprise=enterprise)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "决定 Decisions",
        [
            "日期 date",
            "产业链 chain",
            "企业 enterprise",
            "类型 kind",
            "结果 outcome",
            "规则版本 ver",
            "账本 #",
        ],
        [
            (
                d.decided_on,
                d.chain_id,
                d.enterprise_code,
                d.kind.value,
                d.outcome.value,
                d.rule_version,
                d.ledger_seq,
            )
            for d in rows
        ],
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
    data = _model(
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
        out = matching.post_offer(session, data, actor=_actor(member), clock=state(ctx).clock)
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
    data = _model(
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
        out = matching.post_need(session, data, actor=_actor(member), clock=state(ctx).clock)
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
    as_json: JsonFlag = False,
) -> None:
    """在已登记网络上运行情景 / Run a scenario on the stored supply network."""
    spec = load_scenario(scenario)
    with session_scope(ctx) as session:
        report = disruption.run(session, spec)
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
    data = _model(ScenarioCreate, {"id": scenario_id, "spec": spec.model_dump(mode="json")})
    with session_scope(ctx) as session:
        disruption.save(session, data, actor=_actor(member), clock=state(ctx).clock)
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


def build_app(epcis: typer.Typer | None = None) -> typer.Typer:
    """The `dyrd supply` group; ``epcis`` (from ``epcis_cli.build_app``) is mounted as `epcis`."""
    app = typer.Typer(
        help="供应链治理：企业、产业链准入退出、供需对接、断链分析、EPCIS 事件 / Supply chains: "
        "enterprises, chain join/exit, matching, disruption, EPCIS events.",
        no_args_is_help=True,
    )
    app.add_typer(enterprise_app, name="enterprise")
    app.add_typer(product_app, name="product")
    app.add_typer(link_app, name="link")
    app.add_typer(chain_app, name="chain")
    app.add_typer(match_app, name="match")
    app.add_typer(disruption_app, name="disruption")
    if epcis is not None:
        app.add_typer(epcis, name="epcis")
    return app


app = build_app()
"""The group without EPCIS (the CLI root mounts ``build_app(epcis=...)``)."""
