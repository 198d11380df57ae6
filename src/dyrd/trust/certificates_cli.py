"""`dyrd trust cert ...` and `dyrd trust list ...`: credential certificates and the trust list.

Like the rest of the trust CLI these run as ``Actor.system()`` for an operator with access to
the database and the key directory (the region's root key signs certificates and the list).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.errors import ValidationFailed
from dyrd.trust import service
from dyrd.trust.compute import trustlist as tl
from dyrd.trust.compute.directory import format_time
from dyrd.trust.ports import KeyStore
from dyrd.trust.schemas import MAX_CERTIFICATE_DAYS, CertificateRead
from dyrd.trust.types import MEMBER_ID_EXAMPLE, KeyStatus

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def _when(at: datetime | None) -> str:
    return "—" if at is None else at.isoformat(timespec="seconds")


def _print(title: str, rows: list[CertificateRead], as_json: bool) -> None:
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        title,
        [
            "kid",
            "类别 kind",
            "成员 member",
            "算法 alg",
            "状态 status",
            "列入 listed",
            "生效 not before",
            "到期 not after",
            "指纹 fingerprint",
        ],
        [
            (
                r.kid,
                r.kind,
                r.member_id,
                r.algorithm.value,
                r.status.value,
                "yes" if r.listed else "no",
                _when(r.not_before),
                _when(r.not_after),
                r.fingerprint[:16] + "…",
            )
            for r in rows
        ],
    )


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"Cannot read the {what} {path}: {exc.strerror}.", f"无法读取{what}文件 {path}。"
        ) from exc


def build_cert_app(*, keystore: Callable[[], KeyStore]) -> typer.Typer:
    """The `dyrd trust cert` commands (``keystore`` signs with the region's root key)."""
    app = typer.Typer(
        help="健康码签发证书（CSCA 与 DSC）/ Credential certificates: region CSCA and DSCs."
    )

    @app.command("issue")
    def issue(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        member: Annotated[
            str,
            typer.Option("--member", help=f"成员标识 / member id, e.g. {MEMBER_ID_EXAMPLE}"),
        ],
        key: Annotated[
            str | None,
            typer.Option("--key", help="要认证的密钥（默认有效 ES256 密钥）/ key id to certify"),
        ] = None,
        days: Annotated[
            int | None,
            typer.Option(
                "--days",
                help=f"有效天数（默认 730，最多 {MAX_CERTIFICATE_DAYS}）/ validity in days",
            ),
        ] = None,
        if_missing: Annotated[
            bool,
            typer.Option(
                "--if-missing",
                help="已有有效 DSC 时不签发（可重复运行）/ keep a valid active DSC (rerunnable)",
            ),
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """签发 DSC，旧证书停用但保留至到期 / Issue a DSC; the old one is retired, still listed."""
        with session_scope(ctx) as session:
            if if_missing:
                now = state(ctx).clock()
                held = [
                    row
                    for row in service.list_certificates(session, member, kind="dsc")
                    if row.status is KeyStatus.ACTIVE and row.not_after > now
                ]
                if held:
                    if as_json:
                        print_json({"active": held[0].model_dump(mode="json"), "issued": False})
                    else:
                        typer.echo(f"已有有效 DSC, kept: kid {held[0].kid} ({member})")
                    return
            result = service.issue_certificate(
                session,
                member,
                key_id=key,
                days=days,
                keystore=keystore(),
                by=Actor.system(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(result.model_dump(mode="json"))
            return
        typer.echo(
            f"已签发 DSC issued: kid {result.active.kid} ({result.active.member_id}, "
            f"{result.active.algorithm.value}), 有效至 valid until {_when(result.active.not_after)}"
        )
        if result.retired is not None:
            typer.echo(f"已停用 retired: kid {result.retired.kid} (仍可验证至 listed until expiry)")

    @app.command("list")
    def list_(
        ctx: typer.Context,
        member: Annotated[
            str | None, typer.Option("--member", help="只列出此成员 / only this member's")
        ] = None,
        kind: Annotated[
            str | None, typer.Option("--kind", help="csca 或 dsc / csca or dsc")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """列出证书及状态 / List certificates with status and validity."""
        with session_scope(ctx) as session:
            rows = service.list_certificates(session, member, kind=kind)
        _print("证书 Certificates", rows, as_json)

    @app.command("revoke")
    def revoke(
        ctx: typer.Context,
        certificate: Annotated[
            str, typer.Argument(help="证书指纹或 kid / SHA-256 fingerprint (hex) or kid (base64)")
        ],
        reason: Annotated[str, typer.Option("--reason", help="原因 / reason")] = "",
        as_json: JsonFlag = False,
    ) -> None:
        """吊销证书：立即移出信任列表 / Revoke: the certificate leaves the trust list now."""
        with session_scope(ctx) as session:
            row = service.revoke_certificate(
                session, certificate, reason=reason, by=Actor.system(), clock=state(ctx).clock
            )
        if as_json:
            print_json(row.model_dump(mode="json"))
        else:
            typer.echo(f"已吊销 revoked: kid {row.kid} @ {_when(row.revoked_at)}")

    return app


def build_trust_list_app(*, keystore: Callable[[], KeyStore]) -> typer.Typer:
    """The `dyrd trust list` commands: show the signed trust list, verify one offline."""
    app = typer.Typer(help="签名信任列表 / The signed credential trust list.")

    @app.command("show")
    def show(
        ctx: typer.Context,
        since: Annotated[
            int | None, typer.Option("--since", help="只显示此版本之后的变更 / changes after")
        ] = None,
        raw: Annotated[
            bool, typer.Option("--raw", help="输出签名文件原文 / print the signed document")
        ] = False,
    ) -> None:
        """显示当前信任列表 / Show the current trust list (signed now)."""
        with session_scope(ctx) as session:
            signed = service.signed_trust_list(
                session, since=since, keystore=keystore(), clock=state(ctx).clock
            )
        if raw:
            typer.echo(signed.document.decode("utf-8"))
            return
        body = json.loads(signed.document)["trust_list"]
        if since is None:
            typer.echo(f"信任列表 trust list: 版本 version {body['version']}")
            for entry in body["entries"]:
                typer.echo(
                    f"  {entry['kid']}  {entry['kind']:4}  {entry['status']:7}  "
                    f"{entry['member_id']}  → {entry['not_after']}"
                )
        else:
            typer.echo(f"变更 changes {body['since']} → {body['version']}:")
            for change in body["changes"]:
                typer.echo(f"  {change['version']}  {change['action']:7}  {change['fingerprint']}")

    @app.command("verify")
    def verify(
        ctx: typer.Context,
        file: Annotated[
            Path, typer.Argument(dir_okay=False, help="完整信任列表文件 / full trust-list file")
        ],
        root_key_file: Annotated[
            Path,
            typer.Option(
                "--root-key", dir_okay=False, help="固定的根公钥 JWK / pinned root public JWK"
            ),
        ],
        as_json: JsonFlag = False,
    ) -> None:
        """离线校验信任列表签名、证书链与有效期 / Verify a trust list offline."""
        root = service.parse_root_key(_read(root_key_file, "root key"), source=str(root_key_file))
        try:
            opened = tl.verify_document(_read(file, "trust list"), root, at=state(ctx).clock())
            trust_list = tl.adopt(None, opened)
        except tl.TrustListRejected as exc:
            raise ValidationFailed(
                exc.message,
                exc.message_zh,
                hint="Fetch a fresh copy from GET /api/v1/trust/trust-list.",
            ) from exc
        summary = {
            "valid": True,
            "version": trust_list.version,
            "expires_at": format_time(trust_list.expires_at),
            "cscas": len(trust_list.cscas()),
            "dscs": len(trust_list.entries) - len(trust_list.cscas()),
        }
        if as_json:
            print_json(summary)
        else:
            typer.echo(
                f"有效 valid: 版本 version {summary['version']}, CSCA {summary['cscas']}, "
                f"DSC {summary['dscs']}, 有效至 valid until {summary['expires_at']}"
            )

    return app


def build_trust_app(*, keystore: Callable[[], KeyStore]) -> typer.Typer:
    """`dyrd trust`: `cert` and `list` under one group (wired by the root CLI)."""
    app = typer.Typer(help="健康码信任体系 / Credential trust: certificates and the trust list.")
    app.add_typer(build_cert_app(keystore=keystore), name="cert")
    app.add_typer(build_trust_list_app(keystore=keystore), name="list")
    return app
