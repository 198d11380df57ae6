"""`dyrd healthcode ...`: residents, rules, colours, codes, batch re-evaluation, appeals.

Run by an operator with access to the database; acts as ``cli:<login>`` with the region's
administrator rights (as `dyrd exchange` does), and every colour read is logged under that name.
"""

from __future__ import annotations

import base64
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.exchange import WorkCalendar
from dyrd.healthcode import policy_cli, service
from dyrd.healthcode.ports import CredentialCodec, IdSecret
from dyrd.healthcode.schemas import AppealAnswer, ResidentCreate
from dyrd.healthcode.types import AppealStatus

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
ResidentArg = Annotated[str, typer.Argument(help="居民假名 ID / pseudonymous resident id")]
JurisdictionArg = Annotated[str, typer.Argument(help="省市代码 / jurisdiction, e.g. 330000")]


def _operator() -> Principal:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        login = "unknown"
    return Principal("cli:" + login, {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


def build_app(  # noqa: PLR0915  # one nested function per command, as Typer wants
    *,
    keystore: Callable[[], trust.KeyStore],
    secret: Callable[[], IdSecret],
    codec: Callable[[], CredentialCodec],
    calendar: Callable[[], WorkCalendar],
) -> typer.Typer:
    """The `healthcode` command group; dependencies are built when a command needs them."""
    app = typer.Typer(help="健康码 / Health codes.", no_args_is_help=True)
    rules_app = typer.Typer(help="赋码规则 / Colour rules.", no_args_is_help=True)
    app.add_typer(rules_app, name="rules")
    app.add_typer(policy_cli.build_app(keystore=keystore, operator=_operator), name="policy")

    @app.command("register")
    def register(
        ctx: typer.Context,
        jurisdiction: JurisdictionArg,
        initials: Annotated[str, typer.Option(help="姓名拼音缩写 / pinyin initials, e.g. ZS")],
        id_number: Annotated[
            str, typer.Option(prompt=True, hide_input=True, help="身份证号码 / identity number")
        ],
        as_json: JsonFlag = False,
    ) -> None:
        """登记居民（仅存身份证号哈希）/ Register a resident (only a keyed hash is kept)."""
        body = ResidentCreate(id_number=id_number, initials=initials, jurisdiction=jurisdiction)
        with session_scope(ctx) as session:
            out = service.register_resident(
                session, body, principal=_operator(), clock=state(ctx).clock, secret=secret()
            )
        if as_json:
            print_json(out.model_dump(mode="json"))
        else:
            typer.echo(f"已登记 registered {out.id} ({out.initials}, {out.birth_year})")

    @rules_app.command("load-samples")
    def load_samples(ctx: typer.Context) -> None:
        """签名并载入示例规则（非官方）/ Sign and load the SAMPLE rule sets (not official)."""
        with session_scope(ctx) as session:
            n = service.load_sample_rules(session, keystore=keystore(), clock=state(ctx).clock)
        typer.echo(f"已载入示例规则 loaded {n} sample rule version(s) (SAMPLE, not official)")

    @rules_app.command("list")
    def list_rules(
        ctx: typer.Context,
        jurisdiction: Annotated[str | None, typer.Option(help="省市代码 / jurisdiction")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """规则浏览 / Browse rule versions with their explanations."""
        with session_scope(ctx) as session:
            rows = service.list_rules(session, jurisdiction=jurisdiction)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            f"赋码规则 Colour rules ({len(rows)})",
            [
                "规则 rule",
                "版本 v",
                "颜色 colour",
                "生效 from",
                "失效 until",
                "示例 sample",
                "说明",
            ],
            [
                (
                    r.rule_id,
                    r.version,
                    r.colour.value,
                    r.valid_from,
                    r.valid_until or "",
                    "是 yes" if r.sample else "",
                    r.description_zh,
                )
                for r in rows
            ],
        )

    @app.command("colour")
    def colour(ctx: typer.Context, resident: ResidentArg, as_json: JsonFlag = False) -> None:
        """居民当前颜色与原因 / A resident's colour now, with rule and reason (logged)."""
        with session_scope(ctx) as session:
            out = service.resident_colour(
                session, resident, principal=_operator(), clock=state(ctx).clock
            )
        if as_json:
            print_json(out.model_dump(mode="json"))
        else:
            typer.echo(out.reason_zh)
            typer.echo(out.reason_en)

    @app.command("issue")
    def issue(
        ctx: typer.Context,
        resident: ResidentArg,
        png: Annotated[Path | None, typer.Option(help="写出 PNG / write the QR as PNG")] = None,
        svg: Annotated[Path | None, typer.Option(help="写出 SVG / write the QR as SVG")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """签发健康码 / Issue a signed health code (HC1 text, QR PNG/SVG)."""
        with session_scope(ctx) as session:
            out = service.issue_code(
                session, resident, principal=_operator(), clock=state(ctx).clock,
                keystore=keystore(), codec=codec(),
            )  # fmt: skip
        if png is not None:
            png.write_bytes(base64.b64decode(out.png_base64))
        if svg is not None:
            svg.write_text(out.svg, encoding="utf-8")
        if as_json:
            print_json(out.model_dump(mode="json", exclude={"svg", "png_base64"}))
        else:
            typer.echo(out.text)

    @app.command("reevaluate")
    def reevaluate(
        ctx: typer.Context,
        engine: Annotated[str, typer.Option(help="polars 或 dask / polars or dask")] = "polars",
        as_json: JsonFlag = False,
    ) -> None:
        """全员重新赋码，仅重发变化的码 / Recompute every colour; re-issue changed codes."""
        if engine not in ("polars", "dask"):
            raise typer.BadParameter("polars or dask", param_hint="--engine")
        with session_scope(ctx) as session:
            out = service.reevaluate_all(
                session,
                principal=None,
                clock=state(ctx).clock,
                engine="dask" if engine == "dask" else "polars",
                reissue=service.reissuer(keystore=keystore(), codec=codec()),
            )
        if as_json:
            print_json(out.model_dump(mode="json"))
        else:
            typer.echo(
                f"居民 residents {out.residents}, 变化 changed {out.changed}, "
                f"重发 reissued {out.reissued} ({out.seconds} s)"
            )

    @app.command("import-stays")
    def import_stays(
        ctx: typer.Context, file: Annotated[Path, typer.Argument(exists=True)]
    ) -> None:
        """导入行程 CSV / Import stays (resident_id, city_code, district_code, stay_date)."""
        with session_scope(ctx) as session:
            out = service.import_stays_csv(
                session, file.read_bytes(), principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"已导入 imported {out.rows} stay(s)")

    @app.command("import-risk-list")
    def import_risk_list(
        ctx: typer.Context,
        jurisdiction: JurisdictionArg,
        file: Annotated[Path, typer.Argument(exists=True)],
    ) -> None:
        """发布风险区域清单 CSV / Publish a risk-area list from CSV."""
        with session_scope(ctx) as session:
            out = service.import_risk_list_csv(
                session, jurisdiction, file.read_bytes(), principal=_operator(),
                clock=state(ctx).clock,
            )  # fmt: skip
        typer.echo(f"已发布 published version {out.risk_list_version} ({out.rows} area(s))")

    @app.command("appeals")
    def appeals(
        ctx: typer.Context,
        jurisdiction: JurisdictionArg,
        overdue: Annotated[bool, typer.Option(help="仅超期 / only overdue")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """申诉列表 / Appeals to a jurisdiction (overdue ones flagged)."""
        with session_scope(ctx) as session:
            rows = service.list_appeals(
                session, principal=_operator(), clock=state(ctx).clock,
                jurisdiction=jurisdiction, overdue=overdue,
            )  # fmt: skip
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            f"申诉 Appeals ({len(rows)})",
            ["ID", "居民 resident", "颜色 colour", "状态 status", "期限 due", "超期 overdue"],
            [
                (
                    r.id,
                    r.resident_id,
                    r.colour.value,
                    r.status.value,
                    r.due_date,
                    "是 yes" if r.overdue else "",
                )
                for r in rows
            ],
        )

    @app.command("answer")
    def answer(
        ctx: typer.Context,
        appeal: Annotated[str, typer.Argument(help="申诉 ID / appeal id")],
        outcome: Annotated[AppealStatus, typer.Option(help="corrected 或 rejected")],
        text: Annotated[str, typer.Option("--answer", help="答复 / the answer")],
    ) -> None:
        """答复申诉 / Answer an appeal."""
        if outcome == AppealStatus.PENDING:
            raise typer.BadParameter("corrected or rejected", param_hint="--outcome")
        body = AppealAnswer(outcome=outcome.value, answer=text)
        with session_scope(ctx) as session:
            out = service.answer_appeal(
                session, appeal, body, principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"已答复 answered {out.id}: {out.status.value}")

    return app
