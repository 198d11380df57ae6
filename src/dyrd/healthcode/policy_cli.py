"""`dyrd healthcode policy ...`: publish, list and show checkpoint acceptance policies.

Run by an operator with access to the database, acting as ``cli:<login>`` with the region's
administrator rights (as the other `dyrd healthcode` commands do).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.healthcode import service
from dyrd.healthcode.checkpoint_schemas import PolicyRead
from dyrd.healthcode.errors import PolicyInvalid

MAX_DOCUMENT_BYTES = 256 * 1024
"""Largest policy file read (32 requirements of at most a few KB each fit many times over)."""

_COLUMNS = [
    "策略 policy", "版本 v", "省市", "生效 from", "失效 until", "签名", "示例 sample", "说明",
]  # fmt: skip
JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def _document(path: Path) -> dict[str, Any]:
    problem: tuple[str, str] | None = None
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        problem = (f"larger than {MAX_DOCUMENT_BYTES} bytes", f"超过 {MAX_DOCUMENT_BYTES} 字节")
    else:
        try:
            document = json.loads(path.read_bytes())
        except (UnicodeDecodeError, ValueError) as exc:
            problem = (f"not JSON ({exc})", "不是 JSON")
        else:
            if isinstance(document, dict):
                return document
            problem = ("not a JSON object", "不是 JSON 对象")
    raise PolicyInvalid(
        f"{path.name} is {problem[0]}.",
        f"{path.name} {problem[1]}。",
        hint="Give the policy as a JSON object; `dyrd healthcode policy show SH-ACC-001 --json` "
        "prints one to start from.",
    )


def _table(rows: list[PolicyRead]) -> None:
    print_table(
        f"互认策略 Acceptance policies ({len(rows)})",
        _COLUMNS,
        [
            (
                r.policy_id,
                r.version,
                r.jurisdiction,
                r.valid_from,
                r.valid_until or "",
                "✓ 有效 valid" if r.verified else "✗ 无效 INVALID",
                "是 yes" if r.sample else "",
                r.description_zh,
            )
            for r in rows
        ],
    )


def build_app(
    *, keystore: Callable[[], trust.KeyStore], operator: Callable[[], Principal]
) -> typer.Typer:
    """The `policy` command group; the key store is built when a command needs it."""
    app = typer.Typer(help="卡口互认策略 / Checkpoint acceptance policies.", no_args_is_help=True)

    @app.command("publish")
    def publish(
        ctx: typer.Context,
        file: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="策略 JSON / policy JSON")
        ],
        as_json: JsonFlag = False,
    ) -> None:
        """签名并发布策略新版本 / Check, sign with the jurisdiction's key and publish a version."""
        document = _document(file)
        with session_scope(ctx) as session:
            out = service.publish_policy(
                session, document, principal=operator(), clock=state(ctx).clock,
                keystore=keystore(),
            )  # fmt: skip
        if as_json:
            print_json(out.model_dump(mode="json"))
        else:
            typer.echo(
                f"已发布 published {out.policy_id} v{out.version} ({out.jurisdiction}), "
                f"生效 in force from {out.valid_from}, 签名 signed by {out.signed_by}"
            )

    @app.command("load-samples")
    def load_samples(ctx: typer.Context) -> None:
        """签名并存储示例策略（非官方）/ Sign and store the SAMPLE policies (not official)."""
        with session_scope(ctx) as session:
            n = service.store_sample_policies(session, keystore=keystore(), clock=state(ctx).clock)
        typer.echo(f"已载入示例策略 stored {n} sample policy version(s) (SAMPLE, not official)")

    @app.command("list")
    def list_policies(
        ctx: typer.Context,
        jurisdiction: Annotated[str | None, typer.Option(help="省市代码 / jurisdiction")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """策略列表（含签名校验）/ Stored policy versions, each with its signature checked."""
        with session_scope(ctx) as session:
            rows = service.stored_policies(session, jurisdiction=jurisdiction)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
        else:
            _table(rows)

    @app.command("show")
    def show(
        ctx: typer.Context,
        policy_id: Annotated[str, typer.Argument(help="策略编号 / policy id, e.g. SH-ACC-001")],
        version: Annotated[
            int | None, typer.Option(min=1, help="版本（默认最新）/ version (default newest)")
        ] = None,
        history: Annotated[
            bool, typer.Option("--history", help="列出全部版本 / every version")
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """查看策略及其要求 / Show a policy version with its requirements."""
        with session_scope(ctx) as session:
            if history:
                rows = service.policy_history(session, policy_id)
            else:
                rows = [service.show_policy(session, policy_id, version)]
        if as_json:
            dumped = [r.model_dump(mode="json") for r in rows]
            print_json(dumped if history else dumped[0])
            return
        if history:
            _table(rows)
            return
        one = rows[0]
        _table(rows)
        typer.echo(f"{one.description_zh}\n{one.description_en}")
        for i, req in enumerate(one.document.get("requirements", [])):
            typer.echo(f"  [{i}] {json.dumps(req['logic'], ensure_ascii=False)}")
            typer.echo(f"      否则 else: {req['reason_zh']} / {req['reason_en']}")

    return app
