"""`dyrd epidemic ...`: forecasts, backtest, response levels and scenarios.

``calibrate`` lives in ``calibration_cli.py`` and is registered on ``app`` by the root CLI.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import err_console, print_json, print_table, session_scope
from dyrd.epidemic.compute.scenarios import InterventionKind
from dyrd.epidemic.errors import InvalidParameter, field
from dyrd.epidemic.schemas import InterventionIn, LevelThresholdsIn, ScenarioRequest
from dyrd.epidemic.service.data import UserData
from dyrd.epidemic.service.forecasts import backtest, forecast
from dyrd.epidemic.service.levels import response_levels
from dyrd.epidemic.service.posterior import load_posterior
from dyrd.epidemic.service.scenarios import scenario
from dyrd.epidemic.types import Posterior

app = typer.Typer(
    help="疫情研判：集合种群模型、预测、回测、响应级别与情景 / Epidemic intelligence: "
    "metapopulation model, forecasts, backtest, response levels and scenarios.",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
Members = Annotated[
    int, typer.Option("--members", min=10, max=1000, help="集合成员数 / ensemble members")
]
Seed = Annotated[int, typer.Option(min=0, max=2**32 - 1, help="随机种子 / random seed")]
PosteriorFile = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="校准后验文件（calibrate --save 生成；默认论文中位数）/ a calibration's posterior "
        "(from calibrate --save; default: the paper's medians)",
    ),
]
CasesFile = Annotated[
    Path | None,
    typer.Option(
        "--cases",
        help="自有病例表 CSV/Parquet（列 date, city, cases；城市用代码或名称）/ your case table "
        "(columns date, city, cases; city by code or name)",
    ),
]
CumulativeFlag = Annotated[
    bool,
    typer.Option("--cumulative", help="病例表为累计数 / the case table holds cumulative totals"),
]
TripsFile = Annotated[
    Path | None,
    typer.Option(
        "--trips",
        help="自有出行 OD 表 CSV/Parquet（列 origin, destination, trips[, date]）/ your OD "
        "table (columns origin, destination, trips[, date])",
    ),
]
MemberSpread = Annotated[
    bool,
    typer.Option(
        "--member-spread",
        help="各成员参数取自后验集合（更宽；2020 回测更差）/ members draw their parameters "
        "from the posterior ensemble (wider; worse in the 2020 backtest)",
    ),
]


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise InvalidParameter(
            f"{name} must be a date YYYY-MM-DD, got {value!r}",
            f"{name} 须为 YYYY-MM-DD 格式的日期，实为 {value!r}",
            errors=[field(name, "not a date", "不是日期", value)],
        ) from None


def _posterior(path: Path | None, *, member_spread: bool) -> Posterior | None:
    if path is None:
        if member_spread:
            raise InvalidParameter(
                "--member-spread needs --posterior (the ensemble comes from a calibration)",
                "--member-spread 须与 --posterior 同用（集合来自校准结果）",
                errors=[field("member_spread", "needs --posterior", "须指定 --posterior")],
            )
        return None
    return load_posterior(path)


def _num(v: float | None, digits: int = 1) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


@app.command("forecast")
def forecast_cmd(
    ctx: typer.Context,
    *,
    origin: Annotated[
        str | None, typer.Option(help="预测起点 YYYY-MM-DD（默认序列末）/ origin (default: end)")
    ] = None,
    members: Members = 200,
    seed: Seed = 0,
    posterior: PosteriorFile = None,
    member_spread: MemberSpread = False,
    cases: CasesFile = None,
    cumulative: CumulativeFlag = False,
    trips: TripsFile = None,
    as_json: JsonFlag = False,
) -> None:
    """各城市 7/14/21/28 天周报告病例分位数预测 / Weekly quantile forecasts per city."""
    params = _posterior(posterior, member_spread=member_spread)
    with session_scope(ctx) as session:
        rep = forecast(
            session,
            origin=_date(origin, "origin"),
            n_members=members,
            seed=seed,
            posterior=params,
            member_spread=member_spread,
            user=UserData(cases=cases, cumulative=cumulative, trips=trips),
        )
    if as_json:
        print_json(rep.model_dump(mode="json"))
        return
    print_table(
        f"周报告病例预测 Weekly reported cases, origin {rep.origin} (median [95% PI])",
        ["代码 code", "城市 city", "+7d", "+14d", "+21d", "+28d"],
        [
            (
                c.code,
                f"{c.name_zh} {c.name_en}",
                *(
                    f"{f.median:.0f} [{f.quantiles[1]:.0f}-{f.quantiles[-2]:.0f}]"
                    for f in c.forecasts
                ),
            )
            for c in rep.cities
        ],
    )


@app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    *,
    first_origin: Annotated[
        str | None,
        typer.Option(
            help="首个预测起点（默认序列起始后三周）/ first origin (YYYY-MM-DD; default: three "
            "weeks into the series)"
        ),
    ] = None,
    last_origin: Annotated[
        str | None, typer.Option(help="最后预测起点 / last origin (YYYY-MM-DD)")
    ] = None,
    members: Members = 200,
    seed: Seed = 0,
    table: Annotated[
        Path | None, typer.Option(help="逐城市评分表 CSV 路径 / write the per-city table (CSV)")
    ] = None,
    posterior: PosteriorFile = None,
    member_spread: MemberSpread = False,
    cases: CasesFile = None,
    cumulative: CumulativeFlag = False,
    trips: TripsFile = None,
    as_json: JsonFlag = False,
) -> None:
    """按周滚动回测：WIS 与覆盖率，对比平线与无流动基线 / Weekly rolling backtest."""
    params = _posterior(posterior, member_spread=member_spread)
    with session_scope(ctx) as session:
        rep = backtest(
            session,
            first_origin=_date(first_origin, "first_origin"),
            last_origin=_date(last_origin, "last_origin"),
            n_members=members,
            seed=seed,
            posterior=params,
            member_spread=member_spread,
            user=UserData(cases=cases, cumulative=cumulative, trips=trips),
        )
    if table is not None:
        try:
            with table.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                cols = list(type(rep.cities[0]).model_fields) if rep.cities else []
                writer.writerow(cols)
                for row in rep.cities:
                    writer.writerow([getattr(row, c) for c in cols])
        except OSError as exc:
            raise InvalidParameter(
                f"cannot write the table to {table}: {exc.strerror}",
                f"无法写入评分表 {table}：{exc.strerror}",
                errors=[field("table", "not writable", "不可写", str(table))],
            ) from None
    if as_json:
        print_json(
            {
                "origins": [o.isoformat() for o in rep.origins],
                "forecasts": rep.forecasts,
                "relative_wis_vs_flat": rep.relative_wis_vs_flat,
                "relative_wis_vs_no_mobility": rep.relative_wis_vs_no_mobility,
                "coverage_50": rep.coverage_50,
                "coverage_95": rep.coverage_95,
                "relative_log_wis_vs_flat": rep.relative_log_wis_vs_flat,
                "relative_log_wis_vs_no_mobility": rep.relative_log_wis_vs_no_mobility,
                "models": {k: v.model_dump() for k, v in rep.models.items()},
                "parameters": rep.parameters,
            }
        )
        return
    print_table(
        "回测 Backtest",
        ["模型 model", "平均 WIS mean", "log WIS", "50% 覆盖 cov", "95% 覆盖 cov"],
        [
            (
                m,
                _num(s.mean_wis, 2),
                _num(s.mean_log_wis, 3),
                _num(s.coverage_50, 2),
                _num(s.coverage_95, 2),
            )
            for m, s in rep.models.items()
        ],
    )
    err_console.print(
        f"相对 WIS relative WIS: vs flat {rep.relative_wis_vs_flat:.3f}, "
        f"vs no-mobility {rep.relative_wis_vs_no_mobility:.3f}; forecasts {rep.forecasts}"
    )


@app.command("levels")
def levels_cmd(
    ctx: typer.Context,
    *,
    origin: Annotated[str | None, typer.Option(help="研判日期 / origin (YYYY-MM-DD)")] = None,
    level_iii: Annotated[
        float, typer.Option(help="三级阈值：每10万人周新增 / level III: weekly cases per 100k")
    ] = 10.0,
    level_ii: Annotated[float, typer.Option(help="二级阈值 / level II threshold")] = 50.0,
    level_i: Annotated[float, typer.Option(help="一级阈值 / level I threshold")] = 100.0,
    growth: Annotated[
        float, typer.Option(help="周增长倍数上调一级 / weekly growth ratio raising one level")
    ] = 2.0,
    members: Members = 200,
    seed: Seed = 0,
    posterior: PosteriorFile = None,
    cases: CasesFile = None,
    cumulative: CumulativeFlag = False,
    trips: TripsFile = None,
    as_json: JsonFlag = False,
) -> None:
    """推荐各城市应急响应级别（附理由）/ Recommended response level per city, with reasons."""
    params = _posterior(posterior, member_spread=False)
    user = UserData(cases=cases, cumulative=cumulative, trips=trips)
    try:
        th = LevelThresholdsIn(
            incidence_level_iii=level_iii,
            incidence_level_ii=level_ii,
            incidence_level_i=level_i,
            growth_escalation_ratio=growth,
        )
    except ValueError as exc:
        raise InvalidParameter(str(exc), "阈值设置无效 / invalid thresholds") from None
    with session_scope(ctx) as session:
        rep = response_levels(
            session,
            origin=_date(origin, "origin"),
            thresholds=th,
            n_members=members,
            seed=seed,
            posterior=params,
            user=user,
        )
    if as_json:
        print_json(rep.model_dump(mode="json"))
        return
    print_table(
        f"应急响应级别 Response levels, {rep.origin}",
        ["代码 code", "城市 city", "推荐 rec.", "实际 declared", "每10万 /100k", "理由 reason"],
        [
            (
                c.code,
                f"{c.name_zh} {c.name_en}",
                c.level_roman,
                "—" if c.declared_level is None else ["I", "II", "III", "IV"][c.declared_level - 1],
                _num(c.incidence_per_100k, 2),
                f"{c.reason_zh} / {c.reason_en}",
            )
            for c in rep.cities
        ],
    )


@app.command("scenario")
def scenario_cmd(
    ctx: typer.Context,
    *,
    start: Annotated[str, typer.Option(help="情景起始日 / scenario day 0")] = "2020-01-24",
    days: Annotated[int, typer.Option(min=7, max=150, help="天数 / days")] = 90,
    mobility_cut: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="出行削减比例 / share of trips removed")
    ] = 0.0,
    transmission_cut: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="传播削减比例 / transmission reduction")
    ] = 0.0,
    cut_from: Annotated[
        str | None, typer.Option("--from", help="措施开始日 / measures start (default: day 0)")
    ] = None,
    city: Annotated[
        list[str] | None, typer.Option(help="受措施城市代码，可重复；默认全部 / city code (repeat)")
    ] = None,
    members: Annotated[int, typer.Option(min=1, max=50, help="集合成员数 / members")] = 20,
    deterministic: Annotated[bool, typer.Option(help="确定性模型 / deterministic model")] = False,
    seed: Seed = 0,
    posterior: PosteriorFile = None,
    cases: CasesFile = None,
    cumulative: CumulativeFlag = False,
    trips: TripsFile = None,
    as_json: JsonFlag = False,
) -> None:
    """出行与传播削减情景：避免感染、峰值、到达延迟、GDP 暴露 / Intervention scenario."""
    params = _posterior(posterior, member_spread=False)
    user = UserData(cases=cases, cumulative=cumulative, trips=trips)
    day0 = _date(start, "start") or date(2020, 1, 24)
    begin = _date(cut_from, "from") or day0
    ivs = []
    for kind, share in (
        (InterventionKind.MOBILITY, mobility_cut),
        (InterventionKind.TRANSMISSION, transmission_cut),
    ):
        if share > 0:
            ivs.append(
                InterventionIn(kind=kind, reduction=share, start=begin, cities=list(city or []))
            )
    try:
        req = ScenarioRequest(
            start=day0,
            days=days,
            interventions=ivs,
            n_members=members,
            stochastic=not deterministic,
            seed=seed,
        )
    except ValueError as exc:
        raise InvalidParameter(str(exc), "情景参数无效 / invalid scenario") from None
    with session_scope(ctx) as session:
        rep = scenario(session, request=req, posterior=params, user=user)
    if as_json:
        print_json(rep.model_dump(mode="json"))
        return
    print_table(
        f"情景 Scenario {rep.name}: {rep.start} + {rep.days} d",
        [
            "代码 code",
            "城市 city",
            "避免感染 averted",
            "峰值 peak base→scen",
            "到达延迟 delay d",
            "GDP 暴露 share",
        ],
        [
            (
                c.code,
                f"{c.name_zh} {c.name_en}",
                f"{c.infections_averted:.0f}",
                f"{c.peak_date_baseline}→{c.peak_date_scenario}",
                _num(c.arrival_delay_days),
                f"{c.exposed_gdp_share:.1%}",
            )
            for c in rep.cities
        ],
    )
