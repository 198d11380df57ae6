"""`dyrd epidemic calibrate`: IF-EAKF calibration on Li et al.'s 2020 data, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dyrd.core.cliutil import err_console, print_json, print_table
from dyrd.epidemic.service.calibration import PEI_MOBILITY_DAYS, calibrate_li2020
from dyrd.epidemic.service.posterior import save_posterior


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def calibrate(
    *,
    members: Annotated[
        int, typer.Option("--members", min=10, max=2000, help="集合成员数 / ensemble members")
    ] = 300,
    iterations: Annotated[
        int, typer.Option(min=1, max=50, help="迭代滤波轮数 / iterated-filtering rounds")
    ] = 10,
    days: Annotated[
        int,
        typer.Option(
            min=1,
            max=PEI_MOBILITY_DAYS,
            help="自 2020-01-10 起的拟合天数 / days fitted from 10 Jan 2020",
        ),
    ] = PEI_MOBILITY_DAYS,
    scheme: Annotated[
        str, typer.Option(help="rk4（论文）或 euler（更快）/ rk4 (the paper) or euler (faster)")
    ] = "rk4",
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help="随机种子 / random seed")] = 0,
    save: Annotated[
        Path | None,
        typer.Option(
            help="将后验写入 JSON 文件，供 forecast/backtest --posterior 使用 / write the "
            "posterior to a JSON file for forecast/backtest --posterior"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """用 IF-EAKF 校准集合种群模型（Li 等 2020 数据）/ Calibrate the model with the IF-EAKF."""
    if scheme not in ("rk4", "euler"):
        raise typer.BadParameter("rk4 or euler / rk4 或 euler", param_hint="--scheme")
    chosen: Literal["rk4", "euler"] = "rk4" if scheme == "rk4" else "euler"
    if save is not None and not save.parent.is_dir():  # fail before minutes of filtering
        raise typer.BadParameter(
            f"目录不存在 no such directory: {save.parent}", param_hint="--save"
        )
    with Progress(
        TextColumn("校准 calibrating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("eakf", total=None)
        report = calibrate_li2020(
            seed=seed,
            members=members,
            iterations=iterations,
            days=days,
            scheme=chosen,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if save is not None:
        save_posterior(report, save)
        err_console.print(f"后验已写入 posterior written to {save}")
    if as_json:
        print_json(report.as_dict())
        return
    print_table(
        f"后验 Posterior {report.first_day}…{report.last_day}, seed {report.seed}, "
        f"{report.members} members x {report.iterations} iterations ({report.seconds:.0f} s)",
        [
            "参数 parameter",
            "估计 estimate",
            "集合中位数 median",
            "95% 区间 interval",
            "论文 paper",
            "在论文区间内 inside",
        ],
        [
            (
                r.name,
                _fmt(r.estimate),
                _fmt(r.median),
                f"{_fmt(r.low)}–{_fmt(r.high)}",
                "—"
                if r.paper_median is None
                else f"{r.paper_median:.2f} ({r.paper_low:.2f}–{r.paper_high:.2f})",
                {None: "—", True: "是 yes", False: "否 no"}[r.inside_paper_interval],
            )
            for r in report.rows
        ],
    )


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the ``dyrd epidemic`` command group."""
    app.command("calibrate")(calibrate)
