"""`dyrd region ...`: cities, one city, bundled data, imports."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID
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
            help="CSV（UTF-8 或 GBK）或 XLSX 文件，长表或宽表 / CSV (UTF-8 or GBK) or XLSX, "
            "long or wide layout",
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(help="来源（用于来源为空的行）/ source for rows with no source cell"),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="覆盖已有数值 / overwrite values already stored"),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            min=1949, max=2100, help="无年份列时的年份 / year of a table without a year column"
        ),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(help="代表的成员单位，默认 CN-YRD / member recorded, default CN-YRD"),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(help="XLSX 工作表名，默认第一个 / XLSX sheet name, default the first"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """导入统计表：全部导入或全部不导入 / Import a statistics table: every row or none."""
    actor = Actor(user="cli:" + _os_user(), member=member or REGION_MEMBER_ID)
    with file.open("rb") as fh:
        # One byte past the cap lets the service refuse a large file without reading it all.
        content = fh.read(service.MAX_IMPORT_BYTES + 1)
    with session_scope(ctx) as session:
        report = service.import_statistics(
            session,
            content=content,
            filename=file.name,
            actor=actor,
            clock=state(ctx).clock,
            source=source,
            replace=replace,
            year=year,
            sheet=sheet,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_table(
        f"已导入 imported: {report.filename}",
        ["项目 item", "数量 count"],
        [
            ("格式 layout", report.layout.value),
            ("读取行数 rows read", report.rows_read),
            ("新增数值 statistics inserted", report.statistics_inserted),
            ("覆盖数值 statistics replaced", report.statistics_replaced),
            ("新建指标 indicators created", ", ".join(report.indicators_created) or "—"),
            ("记录者 recorded by", f"{report.recorded_by} ({report.recorded_for})"),
        ],
    )
