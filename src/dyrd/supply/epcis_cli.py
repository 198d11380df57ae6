"""`dyrd supply epcis ...`: offline validation, capture, query and inventory views.

Run by an operator with access to the node's database, acting as ``cli:<login>`` with the
region's administrator rights (as the other domains' operator commands do).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_validate import SchemaHolder, Violation
from dyrd.supply.epcis_schemas import InventoryRead
from dyrd.supply.errors import InvalidInput
from dyrd.supply.service import epcis, inventory

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
ArtefactsOpt = Annotated[
    Path | None,
    typer.Option(
        "--artefacts",
        help="GS1 EPCIS 2.0 文件目录（模式与上下文）/ directory of the EPCIS 2.0 schema and "
        "context (default: DYRD_EPCIS_ARTEFACTS_DIR)",
    ),
]


def _operator() -> Principal:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        login = "unknown"
    return Principal("cli:" + login, {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


def _check_file(path: Path, holder: SchemaHolder) -> list[Violation]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [Violation("", f"cannot read the file: {exc.strerror}", "无法读取文件")]
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return [Violation("", f"not JSON: {exc}", "不是合法的 JSON")]
    return epcis.check_document(document, holder)


def _print_views(out: InventoryRead) -> None:
    print_table(
        f"库存 Stock ({len(out.stock)})",
        ["产品 product", "地点 location", "数量 quantity", "单位 uom", "事件 events"],
        [(s.product, s.location, s.quantity, s.uom, len(s.events)) for s in out.stock],
    )
    print_table(
        f"在途 In transit ({len(out.in_transit)})",
        ["EPC", "起点 origin", "终点 destination", "自 since"],
        [(t.epc, t.origin, t.destination, t.since) for t in out.in_transit],
    )
    print_table(
        f"提前期 Lead times ({len(out.lead_times)})",
        ["起点 origin", "终点 destination", "次数 trips", "平均小时 mean h"],
        [(x.origin, x.destination, x.count, round(x.mean_hours, 2)) for x in out.lead_times],
    )


def build_app(*, artefacts: Callable[[], Path | None]) -> typer.Typer:
    """The `epcis` command group; ``artefacts`` gives the configured artefacts directory."""
    app = typer.Typer(help="EPCIS 2.0 事件 / EPCIS 2.0 events.", no_args_is_help=True)

    @app.command("validate")
    def validate(
        files: Annotated[list[Path], typer.Argument(help="EPCIS JSON / JSON-LD 文件 / files")],
        directory: ArtefactsOpt = None,
        as_json: JsonFlag = False,
    ) -> None:
        """离线校验 EPCIS 文档 / Validate EPCIS documents offline (schema + standard's rules)."""
        holder = epcis_artefacts.load(directory or artefacts())
        results = [(f, _check_file(f, holder)) for f in files]
        for path, found in results:
            if as_json:
                line = {
                    "file": str(path),
                    "valid": not found,
                    "errors": [v.as_dict() for v in found],
                }
                typer.echo(json.dumps(line, ensure_ascii=False))
            elif not found:
                typer.echo(f"有效 valid: {path}")
            else:
                typer.echo(f"无效 invalid: {path}")
                for v in found:
                    typer.echo(f"  - {v.pointer or '/'}: {v.message} / {v.message_zh}")
        if any(found for _, found in results):
            raise typer.Exit(3)

    @app.command("capture")
    def capture(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="EPCISDocument 文件 / file")],
        directory: ArtefactsOpt = None,
        as_json: JsonFlag = False,
    ) -> None:
        """捕获 EPCIS 文档 / Capture a document (all events or none)."""
        holder = epcis_artefacts.load(directory or artefacts())
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                f"Cannot read {file}: {exc.strerror}", f"无法读取 {file}。"
            ) from None
        with session_scope(ctx) as session:
            job = epcis.capture(
                session, raw, holder=holder, principal=_operator(), clock=state(ctx).clock
            )
        if as_json:
            print_json(job.model_dump(mode="json"))
        else:
            typer.echo(f"已捕获 captured {job.eventCount} events, job {job.captureID}")

    @app.command("events")
    def events(
        ctx: typer.Context,
        param: Annotated[
            list[str] | None,
            typer.Option(
                "--param",
                "-p",
                help="查询参数 NAME=VALUE，可重复 / query parameter, repeatable "
                "(e.g. -p EQ_bizStep=shipping -p GE_eventTime=2026-01-01T00:00:00Z)",
            ),
        ] = None,
    ) -> None:
        """查询事件（输出 EPCISQueryDocument）/ Query events; prints an EPCISQueryDocument."""
        params: dict[str, list[str]] = {}
        for item in param or []:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise InvalidInput(
                    f"--param takes NAME=VALUE, got {item!r}.", f"--param 须为 NAME=VALUE：{item}"
                )
            params.setdefault(name, []).append(value)
        with session_scope(ctx) as session:
            # The operator already has the database, so CLI page tokens need no secret key;
            # a fixed one keeps a token printed by one call usable in the next.
            page = epcis.query_events(
                session, params, page_key=b"dyrd-cli-epcis", clock=state(ctx).clock
            )
        out = dict(page.document)
        if page.next_token:
            out["nextPageToken"] = page.next_token
        print_json(out)

    @app.command("inventory")
    def inventory_views(
        ctx: typer.Context,
        as_of: Annotated[
            datetime | None, typer.Option(help="截至事件时间 / up to this event time")
        ] = None,
        location: Annotated[str | None, typer.Option(help="地点 / location id")] = None,
        product: Annotated[str | None, typer.Option(help="产品 / product (class)")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """库存、在途与提前期 / Stock, goods in transit and lead times from events."""
        with session_scope(ctx) as session:
            out = inventory.views(session, as_of=as_of, location=location, product=product)
        if as_json:
            print_json(out.model_dump(mode="json"))
            return
        _print_views(out)

    return app
