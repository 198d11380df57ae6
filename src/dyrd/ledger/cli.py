"""`dyrd ledger ...`: the newest head, export, offline verification, keys."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer

from dyrd.core.cliutil import exit_code_for, print_json, print_table, session_scope, state
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.ledger import service
from dyrd.ledger.compute.bundle import AuditReport
from dyrd.ledger.compute.signatures import from_pem
from dyrd.ledger.ports import Signer
from dyrd.ledger.types import PublicKey

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]


def _trusted(paths: list[Path]) -> list[PublicKey] | None:
    if not paths:
        return None
    keys = []
    for path in paths:
        try:
            keys.append(from_pem(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise ValidationFailed(
                f"{path} is not a readable Ed25519 or P-256 public key in PEM: {exc}",
                f"{path} 不是可读取的 PEM 公钥。",
                hint="Get the log's key with `dyrd ledger keys --pem` or GET /api/v1/ledger/keys.",
            ) from exc
    return keys


def _lines(handle: TextIO, path: Path) -> Iterator[str]:
    try:
        yield from handle
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"{path} is not UTF-8 text: {exc}", f"{path} 不是 UTF-8 文本。"
        ) from exc


def _failure(report: AuditReport) -> ValidationFailed:
    problem = report.problem
    assert problem is not None  # noqa: S101  # only called for invalid reports
    return ValidationFailed(
        f"The ledger export is not valid: {problem.message} (line {problem.line}, "
        f"{problem.location}).",
        f"账本导出文件校验失败：{problem.message_zh}（第 {problem.line} 行，{problem.location}）。",
        hint="The file differs from what the log signed; compare it with a fresh export.",
        errors=[
            FieldError(
                location=f"line {problem.line}: {problem.location}",
                message=problem.message,
                message_zh=problem.message_zh,
            )
        ],
    )


@contextmanager
def _output(file: Path) -> Iterator[TextIO]:
    if str(file) == "-":
        yield sys.stdout
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("w", encoding="utf-8", newline="\n") as handle:
        yield handle


def build_app(*, signer: Callable[[], Signer]) -> typer.Typer:
    """The `dyrd ledger` commands; ``signer`` gives the head-signing key (wired by bootstrap)."""
    app = typer.Typer(
        help="审计账本：树头、导出与离线校验 / Audit ledger: heads, export, offline verification."
    )

    @app.command("head")
    def head(
        ctx: typer.Context,
        sign: Annotated[
            bool, typer.Option("--sign", help="先签署待签条目 / sign pending entries first")
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """显示最新签名树头 / Show the newest signed tree head."""
        with session_scope(ctx) as session:
            if sign:
                service.sign_pending_head(session, signer=signer(), clock=state(ctx).clock)
            current = service.latest_head_read(session)
        if as_json:
            print_json(current.model_dump(mode="json"))
            return
        print_table(
            "账本树头 Ledger tree head",
            ["字段 field", "值 value"],
            [
                ("条目数 tree_size", current.tree_size),
                ("根哈希 root_hash", current.root_hash),
                ("时间 timestamp", current.timestamp.isoformat()),
                ("公钥 key_id", current.key_id),
                ("算法 algorithm", current.algorithm),
                ("账本大小 log_size", current.log_size),
                ("待签 pending", current.pending_entries),
            ],
        )

    @app.command("export")
    def export(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="输出文件（JSON Lines），- 为标准输出 / file")],
        checkpoint: Annotated[
            bool,
            typer.Option(
                "--checkpoint/--no-checkpoint",
                help="先签署待签条目，使全部条目有签名 / sign pending entries first",
            ),
        ] = True,
        as_json: JsonFlag = False,
    ) -> None:
        """导出条目、签名树头与公钥 / Export entries, signed heads and keys as JSON Lines."""
        clock = state(ctx).clock
        with session_scope(ctx) as session:
            if checkpoint:
                service.sign_pending_head(session, signer=signer(), clock=clock)
            with _output(file) as handle:
                summary = service.export_log(session, handle, clock=clock)
        data = {
            "file": str(file),
            "entries": summary.entries,
            "heads": summary.heads,
            "keys": summary.keys,
            "last_head_size": summary.last_head.size if summary.last_head else None,
        }
        if as_json:
            print_json(data)
        elif str(file) != "-":
            typer.echo(
                f"已导出 exported {summary.entries} 条目 entries, {summary.heads} 树头 heads, "
                f"{summary.keys} 公钥 keys -> {file}"
            )

    @app.command("verify")
    def verify(
        file: Annotated[
            Path,
            typer.Argument(
                exists=True, dir_okay=False, readable=True, help="导出文件 / exported file"
            ),
        ],
        trusted_key: Annotated[
            list[Path] | None,
            typer.Option(
                "--trusted-key",
                help="可信公钥 PEM（可多次）/ pinned public key PEM (repeatable)",
            ),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """离线校验导出文件 / Verify an exported log offline (hashes, chain, heads, signatures)."""
        trusted = _trusted(trusted_key or [])
        with file.open(encoding="utf-8") as handle:
            report = service.audit_export(_lines(handle, file), trusted=trusted)
        if report.valid:
            if as_json:
                print_json(report.as_dict())
                return
            last = report.last_head
            typer.echo(
                f"有效 valid: {report.entries} 条目 entries, {report.heads} 树头 heads"
                + (f", 最新树头 last head {last.size} {last.root_hash.hex()}" if last else "")
            )
            for warning in report.warnings:
                typer.echo(f"注意 note: {warning}", err=True)
            return
        failure = _failure(report)
        if as_json:
            print_json(report.as_dict())
            raise typer.Exit(exit_code_for(failure))
        raise failure

    @app.command("keys")
    def keys(
        ctx: typer.Context,
        pem: Annotated[bool, typer.Option("--pem", help="输出 PEM / print PEM")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """列出签署过树头的公钥 / List the keys that signed tree heads."""
        with session_scope(ctx) as session:
            rows = service.public_keys(session)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
        elif pem:
            for r in rows:
                typer.echo(r.pem, nl=False)
        else:
            print_table(
                "账本公钥 Ledger keys",
                ["公钥 key_id", "算法 algorithm", "首次使用 first used"],
                [(r.key_id, r.algorithm, r.first_used_at.isoformat()) for r in rows],
            )

    return app
