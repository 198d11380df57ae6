"""`dyrd supply ...`: enterprises, products, links; mounts chains (``chain_cli``), matching and
disruption (``analysis_cli``) and, through ``build_app``, the EPCIS commands (``epcis_cli``)."""

from __future__ import annotations

from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.supply import analysis_cli, chain_cli
from dyrd.supply.cliargs import JsonFlag, MemberOpt, actor_for, model
from dyrd.supply.compute import credit_code, gs1
from dyrd.supply.errors import InvalidCode
from dyrd.supply.schemas import (
    CertificationCreate,
    EnterpriseCreate,
    LinkCreate,
    ProductCreate,
    ViolationCreate,
)
from dyrd.supply.service import enterprises
from dyrd.supply.types import CreditGrade, Severity

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
link_app = typer.Typer(help="供货关系 / Standing supply links.", no_args_is_help=True)
chain_app = typer.Typer(
    help="产业链与准入退出规则 / Chains and their join/exit rules.", no_args_is_help=True
)


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
    data = model(
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
        out = enterprises.register(session, data, actor=actor_for(member), clock=state(ctx).clock)
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
    data = model(
        CertificationCreate, {"name": name, "valid_from": valid_from, "valid_until": valid_until}
    )
    with session_scope(ctx) as session:
        enterprises.add_certification(
            session, code, data, actor=actor_for(member), clock=state(ctx).clock
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
    data = model(ViolationCreate, {"occurred_on": on, "severity": severity, "authority": authority})
    with session_scope(ctx) as session:
        enterprises.add_violation(
            session, code, data, actor=actor_for(member), clock=state(ctx).clock
        )
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
    data = model(
        ProductCreate,
        {"gtin": gtin, "name": name, "product_class": product_class, "enterprise_code": enterprise},
    )
    with session_scope(ctx) as session:
        out = enterprises.add_product(
            session, data, actor=actor_for(member), clock=state(ctx).clock
        )
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
    data = model(
        LinkCreate,
        {
            "supplier_code": supplier,
            "customer_code": customer,
            "product_class": product_class,
            "value_per_day": value,
        },
    )
    with session_scope(ctx) as session:
        enterprises.add_link(session, data, actor=actor_for(member), clock=state(ctx).clock)
    typer.echo("已登记 recorded")


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
    app.add_typer(chain_cli.chain_app, name="chain")
    app.add_typer(analysis_cli.match_app, name="match")
    app.add_typer(analysis_cli.disruption_app, name="disruption")
    if epcis is not None:
        app.add_typer(epcis, name="epcis")
    return app


app = build_app()
"""The group without EPCIS (the CLI root mounts ``build_app(epcis=...)``)."""
