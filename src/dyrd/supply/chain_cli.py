"""`dyrd supply chain ...`: chains, rule versions, join, exit, reviews and decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.supply.cliargs import ExistingFile, JsonFlag, MemberOpt, actor_for, model, read_json
from dyrd.supply.schemas import ChainCreate, DecisionRead, ExitRequest, JoinRequest
from dyrd.supply.service import chains

chain_app = typer.Typer(
    help="产业链与准入退出规则 / Chains and their join/exit rules.", no_args_is_help=True
)


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
    data = model(
        ChainCreate,
        {
            "id": chain_id,
            "name_zh": name_zh,
            "name_en": name_en,
            "product_class": product_class,
            "description": description,
            "rules": read_json(rules),
        },
    )
    with session_scope(ctx) as session:
        out = chains.create_chain(session, data, actor=actor_for(member), clock=state(ctx).clock)
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
            session, chain_id, read_json(rules), actor=actor_for(member), clock=state(ctx).clock
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
    data = model(JoinRequest, {"enterprise_code": code, "on": on})
    with session_scope(ctx) as session:
        out = chains.join(session, chain_id, data, actor=actor_for(member), clock=state(ctx).clock)
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
    data = model(ExitRequest, {"enterprise_code": code, "voluntary": voluntary, "note": note})
    with session_scope(ctx) as session:
        out = chains.leave(session, chain_id, data, actor=actor_for(member), clock=state(ctx).clock)
    print_json(out.model_dump(mode="json")) if as_json else _print_decision(out)


@chain_app.command("review")
def chain_review(
    ctx: typer.Context,
    chain_id: Annotated[str, typer.Argument(help="产业链 / chain id")],
    member: MemberOpt = None,
) -> None:
    """按退出规则审查全部成员 / Review every member against the exit rules."""
    with session_scope(ctx) as session:
        rows = chains.review(session, chain_id, actor=actor_for(member), clock=state(ctx).clock)
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
