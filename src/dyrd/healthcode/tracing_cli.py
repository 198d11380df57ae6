"""`dyrd healthcode venue ...`: venues, venue codes, scans, tracing and the co-visitor lookup.

Run by an operator with access to the node's database, acting as ``cli:<login>`` with the
region's administrator rights (as the rest of `dyrd healthcode` does).
"""

from __future__ import annotations

import base64
import getpass
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.exchange import ConsumerGateway
from dyrd.healthcode.ports import CredentialCodec
from dyrd.healthcode.service import tracing, venues
from dyrd.healthcode.tracing_schemas import (
    RemoteLookup,
    ScanCreate,
    TraceCreate,
    VenueCreate,
    VenueKind,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def _operator() -> Principal:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        login = "unknown"
    return Principal("cli:" + login, {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


def build_app(
    *,
    keystore: Callable[[], trust.KeyStore],
    codec: Callable[[], CredentialCodec],
    gateway: Callable[[], ConsumerGateway],
    lookup_app: Callable[[str], Any],
) -> typer.Typer:
    """The `venue` command group; dependencies are built when a command needs them."""
    app = typer.Typer(
        help="场所码与密接追踪 / Venue codes, scans and tracing.", no_args_is_help=True
    )

    @app.command("register")
    def register(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        jurisdiction: Annotated[str, typer.Argument(help="省市代码 / jurisdiction, e.g. 330000")],
        name: Annotated[str, typer.Option(help="场所名称 / venue name")],
        city: Annotated[str, typer.Option(help="城市代码 / city code, e.g. 330100")],
        kind: Annotated[VenueKind, typer.Option(help="场所类别 / kind")] = VenueKind.OTHER,
        as_json: JsonFlag = False,
    ) -> None:
        """登记场所 / Register a venue of a jurisdiction."""
        body = VenueCreate(name=name, city_code=city, kind=kind)
        with session_scope(ctx) as session:
            out = venues.register_venue(
                session, jurisdiction, body, principal=_operator(), clock=state(ctx).clock
            )
        if as_json:
            print_json(out.model_dump(mode="json"))
        else:
            typer.echo(f"已登记场所 registered venue {out.id} ({out.name})")

    @app.command("list")
    def list_venues(
        ctx: typer.Context,
        jurisdiction: Annotated[str | None, typer.Option(help="省市代码 / jurisdiction")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """场所列表 / Venues on this node."""
        with session_scope(ctx) as session:
            rows = venues.list_venues(session, jurisdiction)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            f"场所 Venues ({len(rows)})",
            ["ID", "名称 name", "城市 city", "类别 kind"],
            [(r.id, r.name, r.city_code, r.kind.value) for r in rows],
        )

    @app.command("code")
    def code(
        ctx: typer.Context,
        venue: Annotated[str, typer.Argument(help="场所 ID / venue id")],
        png: Annotated[Path | None, typer.Option(help="写出 PNG / write the QR as PNG")] = None,
        svg: Annotated[Path | None, typer.Option(help="写出 SVG / write the QR as SVG")] = None,
    ) -> None:
        """场所码 / The venue's signed code (text; QR as PNG/SVG)."""
        with session_scope(ctx) as session:
            out = venues.venue_code(session, venue, keystore=keystore(), codec=codec())
        if png is not None:
            png.write_bytes(base64.b64decode(out.png_base64))
        if svg is not None:
            svg.write_text(out.svg, encoding="utf-8")
        typer.echo(out.text)

    @app.command("scan")
    def scan(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        venue: Annotated[str, typer.Argument(help="场所 ID 或场所码文本 / venue id or code text")],
        resident: Annotated[str, typer.Option(help="假名 ID / pseudonymous id")],
        home: Annotated[str, typer.Option(help="居民所属省市 / home jurisdiction")],
        entered: Annotated[datetime, typer.Option(help="进入时间 ISO 8601（含时区）")],
        left: Annotated[datetime | None, typer.Option(help="离开时间 / left at")] = None,
    ) -> None:
        """扫码登记 / Record a scan (stored in the venue's jurisdiction)."""
        is_code = venue.startswith(venues.VENUE_CODE_PREFIX)
        body = ScanCreate(
            venue_id=None if is_code else venue,
            venue_code=venue if is_code else None,
            resident_ref=resident,
            home_jurisdiction=home,
            entered_at=entered,
            left_at=left,
        )
        with session_scope(ctx) as session:
            out = venues.record_scan(session, body, principal=_operator(), clock=state(ctx).clock)
        typer.echo(f"已登记扫码 recorded scan {out.id}")

    @app.command("trace")
    def trace(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        resident: Annotated[str, typer.Argument(help="确诊病例假名 ID / the confirmed case")],
        remote: Annotated[
            list[str] | None,
            typer.Option(
                help="其他省市密接查询服务 JSON / another jurisdiction's lookup: "
                '{"consumer_member","provider_member","resource_id","grant_id"}'
            ),
        ] = None,
        margin: Annotated[int, typer.Option(help="时间余量（分钟）/ margin minutes")] = 30,
        dwell: Annotated[int, typer.Option(help="默认停留（分钟）/ default dwell minutes")] = 60,
        as_json: JsonFlag = False,
    ) -> None:
        """确诊病例场所码追踪 / Trace a confirmed case; flag its co-visitors."""
        remotes = [RemoteLookup.model_validate(json.loads(r)) for r in remote or []]
        body = TraceCreate(margin_minutes=margin, dwell_minutes=dwell, remotes=remotes)
        with session_scope(ctx) as session:
            out = tracing.trace_case(
                session, resident, body, principal=_operator(), clock=state(ctx).clock,
                gateway=gateway() if remotes else None,
            )  # fmt: skip
        if as_json:
            print_json(out.model_dump(mode="json"))
            return
        typer.echo(
            f"本地密接 local co-visitors {out.local_co_visitors}, "
            f"本节点标记 flagged here {out.flagged_here}"
        )
        for r in out.remotes:
            typer.echo(
                f"{r.provider_member}: 对方标记 flagged there {r.flagged_there}, "
                f"返回 returned {r.returned}, 本节点标记 flagged here {r.flagged_here}"
            )

    @app.command("lookup-service")
    def lookup_service(
        jurisdiction: Annotated[str, typer.Argument(help="本节点省市代码 / this jurisdiction")],
        host: Annotated[str, typer.Option(help="内网地址 / internal address")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="端口 / port")] = 8100,
    ) -> None:
        """运行密接查询服务（仅供本节点网关调用）/ Serve the co-visitor lookup for the gateway.

        Register http://HOST:PORT as the ``service_base_url`` of a catalog service resource;
        bind it to an address only this node's gateway reaches.
        """
        import uvicorn  # only this command serves: imported when it runs

        uvicorn.run(lookup_app(jurisdiction), host=host, port=port, log_level="warning")

    return app
