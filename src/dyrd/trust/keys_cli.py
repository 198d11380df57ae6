"""`dyrd key ...` and `dyrd directory ...`: member signing keys and the signed directory.

Like the rest of the trust CLI, these run as ``Actor.system()`` for an operator with access to
the database and the key directory. Nothing here prints private key material: the key store
never hands it out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.config import load_settings
from dyrd.core.errors import ValidationFailed
from dyrd.trust import service
from dyrd.trust.compute.directory import Directory, format_time, summary
from dyrd.trust.ports import KeyStore
from dyrd.trust.schemas import KeyRead
from dyrd.trust.types import MEMBER_ID_EXAMPLE, KeyAlgorithm

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
ALGORITHMS = ", ".join(a.value for a in KeyAlgorithm)
MemberArg = Annotated[
    str, typer.Argument(help=f"成员标识 / member identifier, e.g. {MEMBER_ID_EXAMPLE}")
]
AlgOpt = Annotated[str, typer.Option("--alg", help=f"签名算法 / algorithm: {ALGORITHMS}")]


def _when(at: datetime | None) -> str:
    return "—" if at is None else at.isoformat(timespec="seconds")


def _key_row(k: KeyRead) -> tuple[object, ...]:
    return (
        k.kid,
        k.member_id,
        k.algorithm.value,
        k.status.value,
        _when(k.not_before),
        _when(k.not_after),
        _when(k.revoked_at),
    )


def _print_keys(title: str, rows: list[KeyRead], as_json: bool) -> None:
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        title,
        [
            "密钥 kid",
            "成员 member",
            "算法 alg",
            "状态 status",
            "生效 not before",
            "停用 not after",
            "吊销 revoked",
        ],
        [_key_row(k) for k in rows],
    )


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            f"{value!r} is not an ISO 8601 time.",
            f"{value} 不是 ISO 8601 时间。",
            hint="Write e.g. 2026-11-26T08:00:00+08:00.",
        ) from exc
    if at.tzinfo is None:
        raise ValidationFailed(
            f"{value!r} has no time zone.",
            f"{value} 缺少时区。",
            hint="Add Z or an offset such as +08:00.",
        )
    return at


def build_key_app(*, keystore: Callable[[], KeyStore]) -> typer.Typer:
    """The `dyrd key` commands; ``keystore`` gives the private key store (wired by bootstrap)."""
    app = typer.Typer(help="成员签名密钥 / Members' signing keys (ES256, EdDSA).")

    @app.command("init")
    def init(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """创建区域根密钥及各省市 ES256/EdDSA 密钥（幂等）/ Create the default keys (idempotent)."""
        with session_scope(ctx) as session:
            report = service.init_default_keys(session, keystore=keystore(), clock=state(ctx).clock)
        if as_json:
            print_json(
                {
                    "created": [k.model_dump(mode="json") for k in report.created],
                    "existing": report.existing,
                }
            )
            return
        typer.echo(
            f"默认密钥 default keys: 新建 created {len(report.created)}, "
            f"已存在 existing {report.existing}"
        )

    @app.command("create")
    def create(
        ctx: typer.Context, member: MemberArg, alg: AlgOpt, as_json: JsonFlag = False
    ) -> None:
        """为成员创建签名密钥 / Create a member's signing key."""
        with session_scope(ctx) as session:
            row = service.create_key(
                session,
                member,
                algorithm=alg,
                keystore=keystore(),
                by=Actor.system(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(row.model_dump(mode="json"))
        else:
            typer.echo(
                f"已创建密钥 key created: {row.kid} ({row.algorithm.value}, {row.member_id})"
            )

    @app.command("rotate")
    def rotate(
        ctx: typer.Context, member: MemberArg, alg: AlgOpt, as_json: JsonFlag = False
    ) -> None:
        """轮换密钥：新建并停用旧密钥（旧签名仍可验证）/ Rotate: new key, old one retired."""
        with session_scope(ctx) as session:
            result = service.rotate_key(
                session,
                member,
                algorithm=alg,
                keystore=keystore(),
                by=Actor.system(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        typer.echo(f"新密钥 new key: {result.active.kid} ({result.active.algorithm.value})")
        if result.retired is not None:
            typer.echo(f"已停用 retired: {result.retired.kid}")

    @app.command("list")
    def list_(
        ctx: typer.Context,
        member: Annotated[
            str | None, typer.Argument(help="只列出此成员的密钥 / only this member's keys")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """列出公钥及状态、有效期 / List public keys with status and validity window."""
        with session_scope(ctx) as session:
            rows = service.list_keys(session, member)
        _print_keys("签名密钥 Signing keys", rows, as_json)

    @app.command("revoke")
    def revoke(
        ctx: typer.Context,
        kid: Annotated[str, typer.Argument(help="密钥标识 / key id (see `dyrd key list`)")],
        reason: Annotated[str, typer.Option("--reason", help="原因 / reason")] = "",
        effective: Annotated[
            str | None,
            typer.Option(
                "--effective",
                help="生效时间，可早于现在（疑似泄露时）/ effective time, ISO 8601; may be earlier",
            ),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """吊销密钥：此后时间的签名不再有效 / Revoke a key: later signatures stop verifying."""
        with session_scope(ctx) as session:
            row = service.revoke_key(
                session,
                kid,
                reason=reason,
                effective_at=_parse_time(effective),
                by=Actor.system(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(row.model_dump(mode="json"))
        else:
            typer.echo(f"已吊销 revoked: {row.kid} @ {_when(row.revoked_at)}")

    return app


def _print_directory(directory: Directory, as_json: bool) -> None:
    if as_json:
        print_json(summary(directory))
        return
    print_table(
        f"签名目录 Signed directory · 序号 serial {directory.serial} · "
        f"{format_time(directory.issued_at)} → {format_time(directory.expires_at)}",
        ["成员 member", "名称", "Name", "节点 node", "服务 services", "密钥 keys"],
        [
            (
                m.id,
                m.name_zh,
                m.name_en,
                m.node_url or "—",
                len(m.services),
                ", ".join(f"{k.algorithm.value}:{k.status.value}" for k in m.keys) or "—",
            )
            for m in directory.members
        ],
    )


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"Cannot read the {what} {path}: {exc.strerror}.",
            f"无法读取{what}文件 {path}。",
        ) from exc


def build_directory_app(*, keystore: Callable[[], KeyStore]) -> typer.Typer:
    """The `dyrd directory` commands (``keystore`` signs with the region's root key)."""
    app = typer.Typer(help="签名区域目录 / The signed regional directory.")

    def validity() -> timedelta:
        return timedelta(hours=load_settings().directory_validity_hours)

    @app.command("publish")
    def publish(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """签发新目录（序号加一）/ Sign and publish a new directory with the next serial."""
        with session_scope(ctx) as session:
            signed = service.publish_directory(
                session, keystore=keystore(), clock=state(ctx).clock, validity=validity()
            )
        info = signed.info
        if as_json:
            print_json(info.model_dump(mode="json"))
            return
        typer.echo(
            f"已签发目录 directory published: 序号 serial {info.serial}, "
            f"{info.members} 成员 members, {info.keys} 密钥 keys, "
            f"有效至 valid until {info.expires_at.isoformat(timespec='seconds')}"
        )

    @app.command("show")
    def show(
        ctx: typer.Context,
        raw: Annotated[
            bool, typer.Option("--raw", help="输出签名文件原文 / print the signed document")
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """显示当前目录（必要时签发）/ Show the current directory (publishing one if due)."""
        with session_scope(ctx) as session:
            signed = service.current_directory(
                session, keystore=keystore(), clock=state(ctx).clock, validity=validity()
            )
            root = service.root_public_jwk(session)
        if raw:
            typer.echo(signed.document.decode("utf-8"))
            return
        directory = service.check_directory(signed.document, root, at=state(ctx).clock())
        _print_directory(directory, as_json)

    @app.command("root-key")
    def root_key(ctx: typer.Context) -> None:
        """输出区域根公钥 JWK，供节点固定 / Print the root public JWK for nodes to pin."""
        with session_scope(ctx) as session:
            jwk = service.root_public_jwk(session)
        typer.echo(json.dumps(jwk, indent=2, sort_keys=True))

    @app.command("verify")
    def verify(
        ctx: typer.Context,
        file: Annotated[
            Path, typer.Argument(dir_okay=False, help="目录文件 / signed directory file")
        ],
        root_key_file: Annotated[
            Path,
            typer.Option(
                "--root-key", dir_okay=False, help="固定的根公钥 JWK / pinned root public JWK"
            ),
        ],
        at: Annotated[
            str | None,
            typer.Option("--at", help="按此时间校验，ISO 8601 / check as of this time"),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """离线校验目录签名、结构与有效期 / Verify a directory offline: signature, form, expiry."""
        root = service.parse_root_key(_read(root_key_file, "root key"), source=str(root_key_file))
        when = _parse_time(at) or state(ctx).clock()
        directory = service.check_directory(_read(file, "directory"), root, at=when)
        if as_json:
            print_json({"valid": True, **summary(directory)})
            return
        typer.echo(
            f"有效 valid: 序号 serial {directory.serial}, {len(directory.members)} 成员 members, "
            f"签名密钥 signed by {directory.signed_by}, "
            f"有效至 valid until {format_time(directory.expires_at)}"
        )

    return app
