"""`dyrd region ...`: cities, one city, bundled data, imports."""

from __future__ import annotations

from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.region import service

app = typer.Typer(help="区域数据：城市、指标与导入 / Region: cities, indicators and imports.")

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


@app.command("cities")
def cities(
    ctx: typer.Context,
    province: Annotated[
        str | None, typer.Option(help="省级代码，如 320000 / province code, e.g. 320000")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出城市及人口、GDP / List cities with population and GDP."""
    with session_scope(ctx) as session:
        rows = service.list_cities(session, province=province)
    if as_json:
        print_json([r.model_dump() for r in rows])
        return
    print_table(
        "长三角城市 YRD cities",
        ["代码 code", "城市", "City", "省 province", "常住人口(万) pop 10k", "GDP(亿元) 100m yuan"],
        [
            (
                r.code,
                r.name_zh,
                r.name_en,
                r.province_zh,
                r.population.value if r.population else "—",
                r.gdp.value if r.gdp else "—",
            )
            for r in rows
        ],
    )


@app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="城市代码，如 320500 / city code, e.g. 320500")],
    as_json: JsonFlag = False,
) -> None:
    """显示一个城市的全部指标及来源 / Show one city with all its statistics and sources."""
    with session_scope(ctx) as session:
        city = service.get_city(session, code)
    if as_json:
        print_json(city.model_dump(mode="json"))
        return
    print_table(
        f"{city.name_zh} {city.name_en} ({city.code}) · {city.province_zh} {city.province_en}",
        ["指标 indicator", "年份 year", "数值 value", "单位 unit", "来源 source"],
        [(s.indicator, s.year, s.value, s.unit, s.source) for s in city.statistics],
    )


@app.command("load")
def load(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """载入内置的长三角参考数据（幂等）/ Load the bundled YRD reference data (idempotent)."""
    with session_scope(ctx) as session:
        report = service.load_bundled(session, clock=state(ctx).clock)
    data = {
        "provinces": report.provinces,
        "cities": report.cities,
        "indicators": report.indicators,
        "statistics": report.statistics,
    }
    if as_json:
        print_json(data)
    else:
        typer.echo(
            f"已载入 loaded: {report.provinces} 省 provinces, {report.cities} 城市 cities, "
            f"{report.statistics} 统计值 statistics"
        )
