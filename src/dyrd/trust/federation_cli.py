"""`dyrd directory register`: the directory operator records a federated member's node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, session_scope, state
from dyrd.core.errors import ValidationFailed
from dyrd.trust.service.federation import register_member_node

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def register(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="成员标识 / member id, e.g. CN-YRD/GOV/330000/DSJ")],
    url: Annotated[str, typer.Option("--url", help="节点地址 / the member node's base URL")],
    keys_file: Annotated[
        Path,
        typer.Option(
            "--keys",
            dir_okay=False,
            help="成员节点导出的公钥 / the output of `dyrd key list --member M --json` there",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """登记联邦成员节点（地址与公钥）/ Register a member node's URL and public keys."""
    try:
        keys = json.loads(keys_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValidationFailed(
            f"Cannot read the key export {keys_file}: {exc}.",
            f"无法读取公钥导出文件 {keys_file}。",
            hint="Export it on the member's node with `dyrd key list --member M --json`.",
        ) from exc
    if not isinstance(keys, list):
        keys = [keys]
    with session_scope(ctx) as session:
        node = register_member_node(session, member, url=url, keys=keys, clock=state(ctx).clock)
    if as_json:
        print_json(node.model_dump(mode="json"))
    else:
        typer.echo(f"已登记节点 node registered: {node.member_id} -> {node.url}")
