"""`dyrd catalog ...`: list, show, search, versions, diff, DCAT export, sample entries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.exchange import service
from dyrd.exchange.compute.search import Filter, Sort, SortField
from dyrd.exchange.schemas import SearchPage

app = typer.Typer(
    help="数据资源目录：检索、版本与导出 / Data catalog: search, versions and exports."
)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
RefArg = Annotated[str, typer.Argument(help="资源 ID 或名称 / resource id or name")]
LimitOpt = Annotated[int, typer.Option(min=1, max=1000, help="每页条数 / page size")]
OffsetOpt = Annotated[int, typer.Option(min=0, help="跳过条数 / rows to skip")]


def _print_page(page: SearchPage, title: str, as_json: bool) -> None:
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    print_table(
        f"{title} ({page.offset + 1 if page.items else 0}-{page.offset + len(page.items)} / "
        f"{page.total})",
        ["名称 name", "标题 title", "提供单位 owner", "共享 sharing", "版本 v", "更新 modified"],
        [
            (
                r.name,
                r.title_zh,
                r.owner_name_zh or r.owner_member,
                r.sharing_class.label_zh,
                r.version,
                r.modified_at.date().isoformat(),
            )
            for r in page.items
        ],
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="提供单位成员 ID / owner member id")] = None,
    limit: LimitOpt = 50,
    offset: OffsetOpt = 0,
    as_json: JsonFlag = False,
) -> None:
    """列出目录中的数据资源（最近更新在前）/ List catalog resources, newest first."""
    include = {"owner": {owner}} if owner else {}
    with session_scope(ctx) as session:
        page = service.search_catalog(
            session,
            filters=Filter(include=include),
            sort=Sort(SortField.MODIFIED, descending=True),
            limit=limit,
            offset=offset,
        )
    _print_page(page, "数据资源目录 Catalog", as_json)


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="检索词，如 '企业 信用' / query, e.g. 'credit'")],
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    as_json: JsonFlag = False,
) -> None:
    """按相关度检索目录（中英文）/ Search the catalog by relevance (Chinese or English)."""
    with session_scope(ctx) as session:
        page = service.search_catalog(session, query=query, limit=limit, offset=offset)
    _print_page(page, f"检索 search: {query}", as_json)


@app.command("show")
def show(ctx: typer.Context, ref: RefArg, as_json: JsonFlag = False) -> None:
    """显示一个数据资源的全部元数据 / Show one resource's metadata."""
    with session_scope(ctx) as session:
        res = service.get_resource(session, ref)
    if as_json:
        print_json(res.model_dump(mode="json"))
        return
    rows: list[tuple[str, object]] = [
        ("名称 name", res.name),
        ("标题 title", f"{res.title_zh} / {res.title_en}"),
        ("类型 kind", res.kind.value),
        ("提供单位 owner", f"{res.owner_name_zh or ''} {res.owner_member}".strip()),
        ("共享属性 sharing", f"{res.sharing_class_zh} ({res.sharing_class.value})"),
        ("不予共享依据 reason", res.not_shared_reason or "—"),
        ("主题 themes", ", ".join(t.label_zh for t in res.themes) or "—"),
        ("关键词 keywords", ", ".join(res.keywords) or "—"),
        ("更新频率 frequency", res.frequency.label_zh),
        ("版本 version", res.version),
        ("状态 status", res.status),
        ("样例 sample", "是 yes" if res.is_sample else "否 no"),
        ("数据 data", f"{res.data.row_count} 行 rows (v{res.data.version})" if res.data else "—"),
    ]
    print_table(f"{res.title_zh} ({res.id})", ["字段 field", "值 value"], rows)
    if res.columns:
        print_table(
            "字段定义 columns",
            ["列 column", "类型 type", "必填 required", "唯一 unique", "个人信息 personal", "说明"],
            [
                (
                    c.name,
                    c.type.value,
                    c.required,
                    c.unique,
                    c.personal_data.value,
                    c.description_zh,
                )
                for c in res.columns
            ],
        )


@app.command("versions")
def versions(ctx: typer.Context, ref: RefArg, as_json: JsonFlag = False) -> None:
    """列出一个数据资源的全部版本 / List a resource's versions."""
    with session_scope(ctx) as session:
        items = service.list_versions(session, ref)
    if as_json:
        print_json([v.model_dump(mode="json") for v in items])
        return
    print_table(
        f"版本历史 versions: {ref}",
        [
            "版本 v",
            "时间 at",
            "操作人 by",
            "单位 for",
            "类型 kind",
            "说明 summary",
            "变更字段 fields",
        ],
        [
            (
                v.version,
                v.created_at.isoformat(timespec="seconds"),
                v.created_by,
                v.created_for,
                v.change_kind,
                v.summary_zh,
                ", ".join(v.changed_fields)
                if len(v.changed_fields) <= 4
                else f"{len(v.changed_fields)} 个字段 fields",
            )
            for v in items
        ],
    )


@app.command("diff")
def diff(
    ctx: typer.Context,
    ref: RefArg,
    from_version: Annotated[int, typer.Argument(help="起始版本 / from version", min=1)],
    to_version: Annotated[int, typer.Argument(help="目标版本 / to version", min=1)],
    as_json: JsonFlag = False,
) -> None:
    """比较两个版本的元数据 / Compare the metadata of two versions."""
    with session_scope(ctx) as session:
        result = service.diff_versions(session, ref, from_version, to_version)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    print_table(
        f"{ref}: v{from_version} → v{to_version}",
        ["字段 field", "原值 old", "新值 new"],
        [(k, c.get("old"), c.get("new")) for k, c in result.changes.items()],
    )


@app.command("export-dcat")
def export_dcat(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="ttl 或 jsonld / ttl or jsonld")] = "ttl",
    base_url: Annotated[
        str, typer.Option(help="目录对外地址 / public base URL of the platform")
    ] = "http://127.0.0.1:8000/",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出文件 / output file (default stdout)")
    ] = None,
) -> None:
    """导出 DCAT-AP 3 目录 / Export the catalog as DCAT-AP 3 (Turtle or JSON-LD)."""
    if fmt not in ("ttl", "jsonld"):
        raise typer.BadParameter("use ttl or jsonld", param_hint="--format")
    base = base_url if base_url.endswith("/") else base_url + "/"
    with session_scope(ctx) as session:
        text = service.export_dcat(session, fmt=fmt, base_url=base, clock=state(ctx).clock)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"已导出 exported: {output}")


@app.command("load-samples")
def load_samples(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """载入样例目录条目（幂等）/ Load the sample catalog entries (idempotent)."""
    with session_scope(ctx) as session:
        report = service.load_samples(session, clock=state(ctx).clock)
    if as_json:
        print_json(report.model_dump())
    else:
        typer.echo(
            f"样例条目 samples: 新建 created {report.created}, 更新 updated {report.updated}, "
            f"未变 unchanged {report.unchanged}"
        )
