"""`dyrd exchange ...`: access requests, decisions, grants, revocation, overdue escalation.

The CLI is run by an operator with access to the database; it acts as ``cli:<login>`` with the
region's administrator rights, for the member named on the command line, and every action is
recorded in the ledger under that name.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.config import load_settings
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.exchange import service
from dyrd.exchange.access_schemas import (
    AccessRequestCreate,
    AccessRequestPage,
    DecisionCreate,
    GrantPage,
    PrivacyBudgetRead,
    PrivacyBudgetUpdate,
    RevokeCreate,
    Side,
)
from dyrd.exchange.compute.access import AccessPolicy, GrantStatus, PurposeCode, RequestStatus
from dyrd.exchange.service import privacy as privacy_service

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
IdArg = Annotated[str, typer.Argument(help="申请或授权 ID / request or grant id")]
LimitOpt = Annotated[int, typer.Option(min=1, max=1000, help="每页条数 / page size")]
OffsetOpt = Annotated[int, typer.Option(min=0, help="跳过条数 / rows to skip")]
SideOpt = Annotated[
    str | None,
    typer.Option(help="consumer（我方申请）或 owner（我方受理）/ consumer or owner side"),
]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def _operator() -> Principal:
    return Principal("cli:" + _os_user(), {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


M = TypeVar("M", bound=BaseModel)


def _body(model: type[M], **values: Any) -> M:
    """The request body, or a ValidationFailed naming each bad option (exit code 3)."""
    try:
        return model(**values)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in err["loc"]) or "input", err["msg"])
            for err in exc.errors()
        ]
        raise ValidationFailed(
            f"{len(errors)} option(s) are invalid.", f"{len(errors)} 个选项无效。", errors=errors
        ) from exc


def _side(value: str | None) -> Side | None:
    if value is None:
        return None
    if value == "consumer":
        return "consumer"
    if value == "owner":
        return "owner"
    raise typer.BadParameter("consumer or owner", param_hint="--side")


def _print_requests(page: AccessRequestPage, as_json: bool) -> None:
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    print_table(
        f"共享申请 Access requests ({len(page.items)} / {page.total})",
        ["ID", "资源 resource", "申请方 consumer", "状态 status", "期限 due", "超期 overdue"],
        [
            (
                r.id,
                r.resource_name,
                r.consumer_member,
                r.status.value,
                r.due_date.isoformat() if r.due_date else "",
                "是 yes" if r.overdue else "",
            )
            for r in page.items
        ],
    )


def _print_grants(page: GrantPage, as_json: bool) -> None:
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    print_table(
        f"授权 Grants ({len(page.items)} / {page.total})",
        ["ID", "资源 resource", "使用方 consumer", "字段 fields", "状态 status", "到期 until"],
        [
            (
                g.id,
                g.resource_id,
                g.consumer_member,
                ", ".join(g.fields),
                g.status.value,
                g.valid_until.isoformat(),
            )
            for g in page.items
        ],
    )


def _settings_epsilon() -> float:
    return load_settings().privacy_epsilon_per_grant


def _print_budget(read: PrivacyBudgetRead, as_json: bool) -> None:
    if as_json:
        print_json(read.model_dump(mode="json"))
        return
    print_table(
        f"隐私预算 Privacy budget of grant {read.grant_id}",
        ["总额 total ε", "已用 spent ε", "剩余 remaining ε", "使用方 consumer", "更新 updated"],
        [
            (
                f"{read.total_epsilon:g}",
                f"{read.spent_epsilon:g}",
                f"{read.remaining_epsilon:g}",
                read.consumer_member,
                read.updated_at.isoformat() if read.updated_at else "",
            )
        ],
    )


def _budget_command(epsilon_per_grant: Callable[[], float]) -> Callable[..., None]:
    """The ``budget`` command, with the ε total a grant starts with."""

    def budget(
        ctx: typer.Context,
        *,
        grant_id: IdArg,
        total: Annotated[
            float | None,
            typer.Option(help="设置新的 ε 总额（数据管理员）/ set a new ε total (data steward)"),
        ] = None,
        reason: Annotated[
            str | None, typer.Option(help="调整理由（设置时必填）/ reason (required with --total)")
        ] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """查看或设置授权的差分隐私预算 / Show or set a grant's differential-privacy ε budget."""
        with session_scope(ctx) as session:
            if total is None:
                read = privacy_service.grant_budget(
                    session, grant_id, principal=_operator(), default_total=epsilon_per_grant()
                )
            else:
                read = privacy_service.set_grant_budget(
                    session,
                    grant_id,
                    _body(PrivacyBudgetUpdate, total_epsilon=total, reason=reason),
                    principal=_operator(),
                    clock=state(ctx).clock,
                    default_total=epsilon_per_grant(),
                )
        _print_budget(read, as_json)

    return budget


def build_app(
    *,
    policy: Callable[[], AccessPolicy],
    epsilon_per_grant: Callable[[], float] = _settings_epsilon,
) -> typer.Typer:
    """The `exchange` command group; ``policy`` and ``epsilon_per_grant`` (the ε total a grant
    starts with) are read from settings when a command needs them."""
    app = typer.Typer(
        help="数据共享申请与授权 / Data-sharing access requests and grants.",
        no_args_is_help=True,
    )

    @app.command("request")
    def request(
        ctx: typer.Context,
        *,
        resource: Annotated[str, typer.Argument(help="资源 ID 或名称 / resource id or name")],
        consumer: Annotated[str, typer.Option(help="申请方成员 ID / consumer member id")],
        purpose_code: Annotated[PurposeCode, typer.Option(help="用途代码 / purpose code")],
        purpose_zh: Annotated[str, typer.Option(help="用途与场景 / purpose (Chinese)")],
        legal_basis: Annotated[str, typer.Option(help="法律依据 / legal basis")],
        field: Annotated[
            list[str] | None, typer.Option(help="所需字段，可重复 / a column wanted, repeatable")
        ] = None,
        days: Annotated[int, typer.Option(min=1, help="期限（天）/ duration in days")] = 90,
        purpose_en: Annotated[str, typer.Option(help="用途（英文）/ purpose (English)")] = "",
        as_json: JsonFlag = False,
    ) -> None:
        """提交共享申请 / Submit an access request for a consumer member."""
        body = _body(
            AccessRequestCreate,
            resource=resource,
            consumer_member=consumer,
            purpose_code=purpose_code,
            purpose_zh=purpose_zh,
            purpose_en=purpose_en,
            legal_basis=legal_basis,
            fields=field or [],
            duration_days=days,
        )
        with session_scope(ctx) as session:
            read = service.request_access(
                session, body, principal=_operator(), clock=state(ctx).clock, policy=policy()
            )
        if as_json:
            print_json(read.model_dump(mode="json"))
            return
        typer.echo(f"{read.id} {read.status.value} due={read.due_date} grant={read.grant_id}")

    @app.command("requests")
    def requests(
        ctx: typer.Context,
        *,
        member: Annotated[
            str, typer.Option(help="以该成员身份查看 / list as this member")
        ] = REGION_MEMBER_ID,
        side: SideOpt = None,
        status: Annotated[
            RequestStatus | None, typer.Option(help="状态筛选 / status filter")
        ] = None,
        overdue: Annotated[bool, typer.Option(help="仅超期 / only overdue")] = False,
        escalated: Annotated[
            bool,
            typer.Option(help="仅上报至该成员的超期申请 / only requests escalated to --member"),
        ] = False,
        limit: LimitOpt = 50,
        offset: OffsetOpt = 0,
        as_json: JsonFlag = False,
    ) -> None:
        """列出共享申请 / List access requests."""
        principal = Principal("cli:" + _os_user(), {member: frozenset({Role.ADMIN})})
        with session_scope(ctx) as session:
            page = service.list_requests(
                session,
                principal=principal,
                clock=state(ctx).clock,
                side=_side(side),
                status=status,
                overdue=overdue,
                escalated=escalated,
                limit=limit,
                offset=offset,
            )
        _print_requests(page, as_json)

    @app.command("decide")
    def decide(
        ctx: typer.Context,
        *,
        request_id: IdArg,
        approve: Annotated[
            bool, typer.Option("--approve/--refuse", help="批准或拒绝 / approve or refuse")
        ],
        reason: Annotated[str | None, typer.Option(help="理由（拒绝必填）/ reason")] = None,
        field: Annotated[
            list[str] | None, typer.Option(help="批准的字段（缩小范围）/ approved column")
        ] = None,
        days: Annotated[int | None, typer.Option(min=1, help="批准期限 / approved days")] = None,
        as_json: JsonFlag = False,
    ) -> None:
        """答复共享申请 / Approve or refuse a request as the owner's data steward."""
        body = _body(
            DecisionCreate,
            decision="approve" if approve else "refuse",
            reason=reason,
            fields=field or None,
            duration_days=days,
        )
        with session_scope(ctx) as session:
            read = service.decide(
                session, request_id, body, principal=_operator(), clock=state(ctx).clock
            )
        if as_json:
            print_json(read.model_dump(mode="json"))
            return
        typer.echo(f"{read.id} {read.status.value} grant={read.grant_id}")

    @app.command("grants")
    def grants(
        ctx: typer.Context,
        *,
        member: Annotated[
            str, typer.Option(help="以该成员身份查看 / list as this member")
        ] = REGION_MEMBER_ID,
        side: SideOpt = None,
        status: Annotated[GrantStatus | None, typer.Option(help="状态筛选 / status")] = None,
        limit: LimitOpt = 50,
        offset: OffsetOpt = 0,
        as_json: JsonFlag = False,
    ) -> None:
        """列出授权 / List grants."""
        principal = Principal("cli:" + _os_user(), {member: frozenset({Role.ADMIN})})
        with session_scope(ctx) as session:
            page = service.list_grants(
                session,
                principal=principal,
                clock=state(ctx).clock,
                side=_side(side),
                status=status,
                limit=limit,
                offset=offset,
            )
        _print_grants(page, as_json)

    @app.command("revoke")
    def revoke(
        ctx: typer.Context,
        *,
        grant_id: IdArg,
        reason: Annotated[str, typer.Option(help="撤销理由 / reason")],
        as_json: JsonFlag = False,
    ) -> None:
        """撤销授权 / Revoke a grant, with a reason."""
        with session_scope(ctx) as session:
            read = service.revoke_grant(
                session,
                grant_id,
                _body(RevokeCreate, reason=reason),
                principal=_operator(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(read.model_dump(mode="json"))
            return
        typer.echo(f"{read.id} {read.status.value}")

    app.command("budget")(_budget_command(epsilon_per_grant))

    @app.command("escalate")
    def escalate(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """上报超期未答复的申请（可重复运行）/ Escalate overdue requests (idempotent)."""
        actor = Actor(user="cli:" + _os_user(), member=REGION_MEMBER_ID)
        with session_scope(ctx) as session:
            done = service.escalate_overdue(session, clock=state(ctx).clock, actor=actor)
        if as_json:
            print_json([e.model_dump(mode="json") for e in done])
            return
        print_table(
            f"已上报 Escalated: {len(done)}",
            ["申请 request", "提供方 owner", "上报至 escalated to", "期限 due"],
            [(e.request_id, e.owner_member, e.escalated_to, e.due_date.isoformat()) for e in done],
        )

    return app
