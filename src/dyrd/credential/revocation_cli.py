"""`dyrd credential revocation revoke|lift|list|status|sync`: issuer lists, a verifier's copy.

``revoke``, ``lift`` and ``list`` act on this node's database as its operator; ``status`` shows
every issuer's list version here; ``sync`` fetches other issuers' lists once, verifies them
against the signed directory and stores them in the verifier cache, printing the result.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.credential.adapters.revocation_client import RevocationClient
from dyrd.credential.compute.revocation import HashType
from dyrd.credential.revocation_schemas import RevocationCreate, RevocationRead
from dyrd.credential.service import revocation as service

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def _operator() -> Principal:
    """The node's operator: whoever runs the CLI with database access, as region admin."""
    return Principal("cli:" + _os_user(), {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


def _create(**values: Any) -> RevocationCreate:
    try:
        return RevocationCreate(**values)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in err["loc"]) or "input", err["msg"])
            for err in exc.errors()
        ]
        raise ValidationFailed(
            f"{len(errors)} option(s) are invalid.",
            f"{len(errors)} 个选项无效。",
            hint="Give --credential HC1:..., or --kid, --type and --hash.",
            errors=errors,
        ) from exc


def _print_records(items: list[RevocationRead], as_json: bool, total: int | None = None) -> None:
    if as_json:
        data: Any = [r.model_dump(mode="json") for r in items]
        print_json(data if total is None else {"items": data, "total": total})
        return
    print_table(
        "吊销记录 Revocations",
        ["id", "kid", "type", "hash", "version", "lifted", "by", "reason"],
        [
            [
                r.id,
                r.kid,
                r.hash_type.value,
                r.hash,
                r.version,
                r.lifted_version or "",
                r.created_by,
                r.reason,
            ]
            for r in items
        ],
    )


def build_app(*, client: Callable[[], RevocationClient] | None = None) -> typer.Typer:
    """The ``revocation`` command group; ``client`` builds the verifier's sync client."""
    app = typer.Typer(
        help="凭证吊销列表 / Credential revocation lists (EU DCC design, signed deltas).",
        no_args_is_help=True,
    )

    @app.command("revoke")
    def revoke(  # noqa: PLR0917  # typer: one parameter per option
        ctx: typer.Context,
        issuer: Annotated[str, typer.Option(help="签发成员 / issuing member id")],
        reason: Annotated[str, typer.Option(help="吊销理由 / reason")],
        credential: Annotated[
            str | None, typer.Option(help="凭证文本 HC1:... / the credential text")
        ] = None,
        kid: Annotated[str | None, typer.Option(help="签名密钥 kid（8 字节）/ DSC kid")] = None,
        hash_type: Annotated[
            HashType | None, typer.Option("--type", help="哈希类型 / hash type")
        ] = None,
        hash_: Annotated[
            str | None, typer.Option("--hash", help="16 字节哈希 / 16-byte hash (hex)")
        ] = None,
        hash_types: Annotated[
            list[HashType] | None,
            typer.Option("--hash-type", help="按凭证吊销时的哈希类型 / types (with --credential)"),
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """吊销凭证 / Revoke a credential by its text or by kid, type and hash."""
        values: dict[str, Any] = {"issuer_member": issuer, "reason": reason}
        if credential is not None:
            values["credential"] = credential
        if kid is not None:
            values["kid"] = kid
        if hash_type is not None:
            values["hash_type"] = hash_type
        if hash_ is not None:
            values["hash"] = hash_
        if hash_types:
            values["hash_types"] = hash_types
        with session_scope(ctx) as session:
            reads = service.revoke(
                session, _create(**values), by=_operator(), clock=state(ctx).clock
            )
        _print_records(reads, as_json)

    @app.command("lift")
    def lift(
        ctx: typer.Context,
        record_id: Annotated[int, typer.Argument(min=1, help="吊销记录 ID / record id")],
        reason: Annotated[str, typer.Option(help="撤销理由 / reason")],
        as_json: JsonFlag = False,
    ) -> None:
        """撤销误吊销 / Lift a revocation made in error."""
        with session_scope(ctx) as session:
            read = service.lift(
                session, record_id, reason=reason, by=_operator(), clock=state(ctx).clock
            )
        _print_records([read], as_json)

    @app.command("list")
    def list_(  # noqa: PLR0917  # typer: one parameter per option
        ctx: typer.Context,
        issuer: Annotated[str, typer.Option(help="签发成员 / issuing member id")],
        include_lifted: Annotated[
            bool, typer.Option("--include-lifted", help="含已撤销 / include lifted")
        ] = False,
        limit: Annotated[int, typer.Option(min=1, max=1000, help="条数 / rows")] = 100,
        offset: Annotated[int, typer.Option(min=0, help="跳过条数 / rows to skip")] = 0,
        as_json: JsonFlag = False,
    ) -> None:
        """列出吊销记录 / List an issuer's revocation records, newest first."""
        with session_scope(ctx) as session:
            page = service.list_revocations(
                session,
                issuer=issuer,
                include_lifted=include_lifted,
                limit=limit,
                offset=offset,
                by=_operator(),
            )
        _print_records(page.items, as_json, total=page.total)

    @app.command("status")
    def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """吊销列表版本 / Every issuer's list version and standing revocations here."""
        with session_scope(ctx) as session:
            lists = service.list_status(session)
        if as_json:
            print_json([r.model_dump(mode="json") for r in lists])
            return
        print_table(
            "吊销列表 Revocation lists",
            ["issuer", "version", "standing", "updated"],
            [[r.issuer_member, r.version, r.standing, r.updated_at] for r in lists],
        )

    @app.command("sync")
    def sync(as_json: JsonFlag = False) -> None:
        """同步其他签发方的吊销列表 / Fetch, verify and cache other issuers' lists once."""
        if client is None:
            raise ValidationFailed(
                "This installation has no revocation sync configured.",
                "未配置吊销列表同步。",
                hint="Run on a federated node (DYRD_DIRECTORY_URL, DYRD_DIRECTORY_ROOT_KEY).",
            )
        with client() as c:
            result = c.sync()
        rows = [
            {
                "issuer": i.issuer,
                "version": i.version,
                "entries": i.entries,
                "bytes": i.last_bytes,
                "last_success_at": i.last_success_at,
                "last_error": i.last_error,
                "ignored_foreign": i.ignored_foreign,
            }
            for i in result.issuers
        ]
        if as_json:
            print_json(
                {
                    "state": result.state,
                    "issuers": rows,
                    "ignored_foreign": result.ignored_foreign,
                }
            )
            return
        print_table(
            f"吊销列表同步 Revocation sync: {result.state}",
            ["issuer", "version", "entries", "bytes", "error"],
            [[r["issuer"], r["version"], r["entries"], r["bytes"], r["last_error"]] for r in rows],
        )

    return app
