"""`dyrd economy ...`: indicators, index, inequality, convergence, imports, value added."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import err_console, print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.economy import service
from dyrd.economy.compute.composite import Method
from dyrd.economy.compute.tiva import Post
from dyrd.economy.service.index import MissingPolicy
from dyrd.economy.service.inequality import Grouping, Weighting
from dyrd.economy.types import (
    Aggregation,
    Concept,
    EntropyVariant,
    Normalisation,
    WeightScheme,
)

app = typer.Typer(
    help="经济治理：高质量发展指标、综合指数、不平等与收敛、贸易增加值 / Economy: high-quality "
    "development indicators, composite index, inequality and convergence, value added in trade."
)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def _fmt(v: float | None, digits: int = 4) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


@app.command("indicators")
def indicators(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """列出指标目录（五大发展理念）/ List the indicator catalog (five development concepts)."""
    with session_scope(ctx) as session:
        rows = service.list_indicators(session)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "经济指标目录 Economy indicators",
        [
            "代码 code",
            "名称",
            "维度 concept",
            "方向 dir",
            "单位 unit",
            "计算 derived",
            "年份 years",
        ],
        [
            (
                r.code,
                r.name_zh,
                f"{r.concept_zh} {r.concept.value}",
                "+" if r.direction.value == "benefit" else "−",
                r.unit,
                "=" + "/".join(r.inputs) if r.derived else "",
                ", ".join(map(str, r.years)) or "缺失 missing",
            )
            for r in rows
        ],
    )


@app.command("index")
def index(
    ctx: typer.Context,
    *,
    year: Annotated[list[int], typer.Option(help="年份，可重复 / year (repeat for a panel)")],
    indicator: Annotated[
        list[str] | None,
        typer.Option(
            help="指标代码，可重复；默认目录默认集 / indicator code (repeat); default set"
        ),
    ] = None,
    aggregation: Annotated[
        Aggregation, typer.Option(help="TOPSIS 或线性加权 / topsis or linear")
    ] = Aggregation.TOPSIS,
    normalisation: Annotated[
        Normalisation, typer.Option(help="极差或向量标准化 / minmax or vector")
    ] = Normalisation.MINMAX,
    entropy: Annotated[
        EntropyVariant, typer.Option(help="熵权变体 / entropy variant")
    ] = EntropyVariant.MINMAX,
    weights: Annotated[
        WeightScheme, typer.Option(help="面板权重：混合或逐年 / panel weights: pooled or per_year")
    ] = WeightScheme.POOLED,
    missing: Annotated[
        MissingPolicy, typer.Option(help="缺失值处理 / leave out indicators or cities")
    ] = MissingPolicy.DROP_INDICATOR,
    stability: Annotated[
        int, typer.Option(min=0, max=100_000, help="权重扰动抽样次数 / weight-perturbation draws")
    ] = 0,
    seed: Annotated[int, typer.Option(help="随机种子 / rng seed")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """熵权 TOPSIS 综合指数与排名 / Entropy-weighted composite index and ranks."""
    method = Method(
        aggregation=aggregation, normalisation=normalisation, entropy=entropy, scheme=weights
    )
    with session_scope(ctx) as session:
        report = service.composite_index(
            session,
            years=year,
            indicators=indicator,
            method=method,
            missing=missing,
            stability_draws=stability,
            seed=seed,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_table(
        f"权重 weights ({report.method.aggregation.value}, {report.method.normalisation.value})",
        ["指标 indicator", "维度 concept", "权重 weight"],
        [(i.code, i.concept.value, _fmt(i.weight[-1])) for i in report.indicators],
    )
    print_table(
        "综合指数 composite index",
        ["年 year", "排名 rank", "代码 code", "城市", "得分 score", "稳定 p5–p95"],
        [
            (
                c.year,
                c.rank,
                c.city_code,
                c.name_zh,
                _fmt(c.score),
                f"{c.stability.rank_p05:.0f}–{c.stability.rank_p95:.0f}" if c.stability else "",
            )
            for c in report.cities
        ],
    )
    if report.concepts_without_data:
        err_console.print(
            "无数据的维度 concepts without data: "
            + ", ".join(c.value for c in report.concepts_without_data),
            markup=False,
        )
    for code, why in report.dropped_indicators.items():
        err_console.print(f"剔除指标 dropped {code}: {why}", markup=False)


@app.command("inequality")
def inequality(
    ctx: typer.Context,
    *,
    indicator: Annotated[str, typer.Option(help="指标，如 gdp_per_capita / indicator code")],
    year: Annotated[int, typer.Option(help="年份 / year")],
    weight: Annotated[
        Weighting, typer.Option(help="按人口加权 / weight units by population")
    ] = Weighting.NONE,
    groups: Annotated[
        Grouping, typer.Option(help="分组分解（省）/ decompose by province")
    ] = Grouping.NONE,
    as_json: JsonFlag = False,
    full: Annotated[
        bool, typer.Option("--full", help="JSON 输出完整报告 / full report with --json")
    ] = False,
) -> None:
    """基尼系数与泰尔指数（可分解）/ Gini and Theil indices, decomposed by group."""
    with session_scope(ctx) as session:
        report = service.inequality(
            session, indicator=indicator, year=year, weight=weight, groups=groups
        )
    if report.missing:
        err_console.print(
            f"缺失 missing: {len(report.missing)} value(s) left out: "
            + ", ".join(sorted({m.city_code for m in report.missing})),
            markup=False,
        )
    if as_json:
        print_json(report.model_dump(mode="json") if full else report.brief())
        return
    rows: list[tuple[str, str]] = [(k, str(v)) for k, v in report.brief().items()]
    rows += [("theil_l_between", _fmt(report.theil_l_between, 8)), ("cv", _fmt(report.cv, 8))]
    if report.dagum:
        d = report.dagum
        rows += [
            ("dagum_within", _fmt(d.within, 8)),
            ("dagum_net_between", _fmt(d.net_between, 8)),
            ("dagum_transvariation", _fmt(d.transvariation, 8)),
        ]
    print_table(f"{indicator} {year} 不平等 inequality", ["指标 measure", "数值 value"], rows)


@app.command("coupling")
def coupling(
    ctx: typer.Context,
    *,
    year: Annotated[int, typer.Option(help="年份 / year")],
    concept: Annotated[
        list[Concept] | None,
        typer.Option(help="子系统（可重复；默认所有有数据的理念）/ subsystem, repeatable"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """耦合协调度（五大理念分指数）/ Coupling-coordination degree of the concept sub-indices."""
    with session_scope(ctx) as session:
        report = service.coupling(session, year=year, concepts=concept)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    for c in report.concepts_without_data:
        err_console.print(f"无数据 no data: {c.zh} {c.value}", markup=False)
    print_table(
        f"{year} 耦合协调度 coupling coordination ({report.formula})",
        ["城市 city", *(k.value for k in report.subsystems), "C", "T", "D", "等级 band"],
        [
            (
                f"{r.name_zh} {r.name_en}",
                *(_fmt(v) for v in r.subsystems.values()),
                _fmt(r.coupling),
                _fmt(r.development),
                _fmt(r.coordination),
                f"{r.band} {r.band_zh} {r.band_en}",
            )
            for r in report.cities
        ],
    )
    err_console.print(report.reference, markup=False)


@app.command("convergence")
def convergence(
    ctx: typer.Context,
    *,
    indicator: Annotated[str, typer.Option(help="指标代码 / indicator code")],
    start: Annotated[int, typer.Option(help="起始年份 / first year")],
    end: Annotated[int, typer.Option(help="终止年份 / last year")],
    as_json: JsonFlag = False,
) -> None:
    """σ 收敛与 β 收敛 / σ- and β-convergence."""
    with session_scope(ctx) as session:
        report = service.convergence(session, indicator=indicator, start=start, end=end)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_table(
        f"{indicator} σ 收敛 sigma-convergence",
        ["年 year", "σ(ln y)", "CV", "n"],
        [
            (y, _fmt(s), _fmt(c), n)
            for y, s, c, n in zip(report.years, report.sigma, report.cv, report.n, strict=True)
        ],
    )
    typer.echo(
        f"β = {_fmt(report.beta, 6)} (se {_fmt(report.se_beta, 6)}), λ = {_fmt(report.speed, 6)}"
    )
    for note in report.notes:
        err_console.print(note, markup=False)


@app.command("alerts")
def alerts(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """预警规则评估（样例规则已标注）/ Evaluate the early-warning rules (samples labelled)."""
    with session_scope(ctx) as session:
        report = service.evaluate_alerts(session)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_table(
        "经济预警 Early warning",
        ["规则 rule", "状态 status", "预警 alerts", "说明 note"],
        [
            (
                r.rule.id + (" (样例 sample)" if r.rule.sample else ""),
                {"alert": "预警 alert", "clear": "正常 clear", "no_data": "无数据 no data"}[
                    r.status
                ],
                ", ".join(a.unit for a in r.alerts) or "—",
                r.no_data_reason_zh or r.rule.description_zh,
            )
            for r in report.results
        ],
    )


@app.command("load")
def load(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """载入内置经济面板（MIT，幂等）/ Load the bundled economy panel (MIT, idempotent)."""
    with session_scope(ctx) as session:
        report = service.load_bundled(session, clock=state(ctx).clock)
    if as_json:
        print_json(report.model_dump())
    else:
        typer.echo(f"已载入 loaded: {report.inserted} 新增 new, {report.already_stored} 已有 kept")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


@app.command("import")
def import_(
    ctx: typer.Context,
    *,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="长表 CSV/XLSX：code, indicator, year, value, unit, source / long-form table",
        ),
    ],
    source: Annotated[str | None, typer.Option(help="默认来源 / default source")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="覆盖已有数值 / overwrite stored values")
    ] = False,
    member: Annotated[
        str | None, typer.Option(help="代表的成员单位 / member recorded, default CN-YRD")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """导入年鉴长表（全部或全不）/ Import a yearbook table in long form: every row or none."""
    actor = Actor(user="cli:" + _os_user(), member=member or REGION_MEMBER_ID)
    with file.open("rb") as fh:
        content = fh.read(service.imports.MAX_IMPORT_BYTES + 1)
    with session_scope(ctx) as session:
        report = service.import_yearbook(
            session,
            content=content,
            filename=file.name,
            actor=actor,
            clock=state(ctx).clock,
            source=source,
            replace=replace,
        )
    if as_json:
        print_json(report.model_dump())
    else:
        typer.echo(
            f"已导入 imported {report.rows} 行 rows: {report.statistics_inserted} 新增 new, "
            f"{report.statistics_replaced} 覆盖 replaced"
        )


@app.command("value-added")
def value_added(
    *,
    inter: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="中间流量 Z (CSV)")],
    final: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="最终需求 Y (CSV)")],
    output: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="总产出 x (CSV)")],
    sectors: Annotated[int, typer.Option(min=1, help="每个地区的部门数 / sectors per region")],
    post: Annotated[Post, typer.Option(help="exports 或 output")] = Post.EXPORTS,
    as_json: JsonFlag = False,
) -> None:
    """出口中的国内增加值（里昂惕夫分解）/ Domestic value added in exports (Leontief)."""
    report = service.value_added(
        inter=inter.read_bytes(),
        final=final.read_bytes(),
        output=output.read_bytes(),
        n_sectors=sectors,
        post=post,
    )
    if as_json:
        print_json(report.model_dump())
        return
    print_table(
        "出口增加值 value added in exports",
        ["地区 region", "出口 exports", "国内增加值 DVA", "国外增加值 FVA", "DVA 占比 share"],
        [
            (
                r.region,
                _fmt(r.exports),
                _fmt(r.domestic_value_added),
                _fmt(r.foreign_value_added),
                _fmt(r.dva_share),
            )
            for r in report.regions
        ],
    )
