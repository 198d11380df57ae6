"""`dyrd member|user|token ...`: members, users and roles, API tokens.

The CLI is run by an operator with access to the database, so it acts as ``Actor.system()``:
that is how the first administrator is created.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.config import Settings
from dyrd.core.types import Role
from dyrd.trust import service
from dyrd.trust.schemas import MAX_TOKEN_DAYS, TokenRead, UserRead
from dyrd.trust.types import MEMBER_ID_EXAMPLE, MemberKind

member_app = typer.Typer(
    help="成员单位：区域、省市与部门 / Members: region, jurisdictions, departments."
)
user_app = typer.Typer(help="用户与角色 / Users and their roles.")
token_app = typer.Typer(help="访问令牌 / API tokens.")

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
ROLES = ", ".join(r.value for r in Role)
MemberOpt = Annotated[
    str, typer.Option("--member", help=f"成员标识 / member identifier, e.g. {MEMBER_ID_EXAMPLE}")
]
RoleOpt = Annotated[str, typer.Option("--role", help=f"角色 / role: {ROLES}")]
UsernameArg = Annotated[str, typer.Argument(help="用户名 / username")]

SHOWN_ONCE = "请立即保存此令牌，它不会再次显示。/ Save this token now: it will not be shown again."


# --- members ---------------------------------------------------------------------------------


@member_app.command("load")
def member_load(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """载入默认成员：长三角、三省一市及其部门（幂等）/ Load the default members (idempotent)."""
    with session_scope(ctx) as session:
        report = service.load_default_members(session, clock=state(ctx).clock)
    if as_json:
        print_json({"created": report.created, "existing": report.existing})
    else:
        typer.echo(
            f"已载入成员 members loaded: 新建 created {report.created}, "
            f"已存在 existing {report.existing}"
        )


@member_app.command("list")
def member_list(
    ctx: typer.Context,
    parent: Annotated[
        str | None, typer.Option(help="只列出其下级 / only children of this member")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help=f"类别 / kind: {', '.join(k.value for k in MemberKind)}"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """列出成员 / List members."""
    with session_scope(ctx) as session:
        rows = service.list_members(session, parent_id=parent, kind=kind)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        "成员 Members",
        ["标识 id", "名称", "Name", "类别 kind", "上级 parent"],
        [(m.id, m.name_zh, m.name_en, m.kind.value, m.parent_id) for m in rows],
    )


@member_app.command("create")
def member_create(
    ctx: typer.Context,
    member_id: Annotated[
        str, typer.Argument(help=f"新成员标识 / new member id, e.g. {MEMBER_ID_EXAMPLE}")
    ],
    name_zh: Annotated[str, typer.Option("--name-zh", help="中文名称 / Chinese name")],
    name_en: Annotated[str, typer.Option("--name-en", help="英文名称 / English name")],
    as_json: JsonFlag = False,
) -> None:
    """新建省市或部门成员 / Create a jurisdiction or department member."""
    with session_scope(ctx) as session:
        row = service.create_member(
            session,
            member_id=member_id,
            name_zh=name_zh,
            name_en=name_en,
            by=Actor.system(),
            clock=state(ctx).clock,
        )
    if as_json:
        print_json(row.model_dump(mode="json"))
    else:
        typer.echo(f"已创建成员 member created: {row.id} {row.name_zh} {row.name_en}")


# --- users -----------------------------------------------------------------------------------


def _print_user(user: UserRead, as_json: bool) -> None:
    if as_json:
        print_json(user.model_dump(mode="json"))
        return
    status = "启用 active" if user.active else "停用 deactivated"
    print_table(
        f"{user.display_name} ({user.username}) · {status}",
        ["成员 member", "角色 role", "授予者 granted by", "时间 at"],
        [
            (r.member_id, r.role.value, r.created_by, r.created_at.isoformat(timespec="seconds"))
            for r in user.roles
        ],
    )


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: UsernameArg,
    *,
    member: MemberOpt,
    role: RoleOpt,
    name: Annotated[
        str | None, typer.Option("--name", help="显示名称 / display name (default: username)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """新建用户并授予首个角色（可建首位管理员）/ Create a user with a first role, e.g. admin."""
    with session_scope(ctx) as session:
        user = service.create_user(
            session,
            username=username,
            display_name=name,
            member_id=member,
            role=role,
            by=Actor.system(),
            clock=state(ctx).clock,
        )
    _print_user(user, as_json)


@user_app.command("grant")
def user_grant(
    ctx: typer.Context,
    username: UsernameArg,
    member: MemberOpt,
    role: RoleOpt,
    as_json: JsonFlag = False,
) -> None:
    """授予角色 / Grant a role in a member."""
    with session_scope(ctx) as session:
        grant = service.grant_role(
            session,
            username,
            member_id=member,
            role=role,
            by=Actor.system(),
            clock=state(ctx).clock,
        )
    if as_json:
        print_json(grant.model_dump(mode="json"))
    else:
        typer.echo(f"已授予 granted: {username} {grant.role.value} @ {grant.member_id}")


@user_app.command("revoke")
def user_revoke(
    ctx: typer.Context, username: UsernameArg, member: MemberOpt, role: RoleOpt
) -> None:
    """撤销角色（保留记录）/ Revoke a role in a member (the grant is kept as history)."""
    with session_scope(ctx) as session:
        service.revoke_role(
            session,
            username,
            member_id=member,
            role=role,
            by=Actor.system(),
            clock=state(ctx).clock,
        )
    typer.echo(f"已撤销 revoked: {username} {role} @ {member}")


@user_app.command("show")
def user_show(ctx: typer.Context, username: UsernameArg, as_json: JsonFlag = False) -> None:
    """显示用户及其角色 / Show a user and the roles they hold."""
    with session_scope(ctx) as session:
        user = service.get_user(session, username)
    _print_user(user, as_json)


def _set_active(ctx: typer.Context, username: str, *, active: bool) -> None:
    with session_scope(ctx) as session:
        service.set_user_active(
            session, username, active=active, by=Actor.system(), clock=state(ctx).clock
        )
    word = "已启用 activated" if active else "已停用 deactivated"
    typer.echo(f"{word}: {username}")


@user_app.command("activate")
def user_activate(ctx: typer.Context, username: UsernameArg) -> None:
    """启用用户 / Activate a user."""
    _set_active(ctx, username, active=True)


@user_app.command("deactivate")
def user_deactivate(ctx: typer.Context, username: UsernameArg) -> None:
    """停用用户：其令牌随即失效 / Deactivate a user: their tokens stop working at once."""
    _set_active(ctx, username, active=False)


# --- tokens ----------------------------------------------------------------------------------


def _token_row(t: TokenRead) -> tuple[object, ...]:
    return (
        t.id,
        t.prefix + "…",
        t.name,
        t.status.value,
        t.expires_at.isoformat(timespec="seconds"),
        t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "—",
    )


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: UsernameArg,
    days: Annotated[
        int | None,
        typer.Option(
            help=f"有效天数 1-{MAX_TOKEN_DAYS}（默认取 DYRD_TOKEN_DEFAULT_DAYS）/ "
            "lifetime in days (default DYRD_TOKEN_DEFAULT_DAYS)"
        ),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="标签 / label")] = "",
    as_json: JsonFlag = False,
) -> None:
    """为用户创建令牌，仅显示一次 / Create a token for a user; it is shown this once only."""
    lifetime = days if days is not None else Settings().token_default_days
    with session_scope(ctx) as session:
        created = service.create_token(
            session, username, days=lifetime, name=name, by=Actor.system(), clock=state(ctx).clock
        )
    if as_json:
        print_json({**created.model_dump(mode="json"), "warning": SHOWN_ONCE})
        return
    # The secret alone goes to stdout, so `TOKEN=$(dyrd token create NAME)` captures just it.
    typer.echo(
        f"已创建令牌 token created: id {created.id}, {created.username}, "
        f"有效期至 expires {created.expires_at.isoformat(timespec='seconds')}",
        err=True,
    )
    typer.echo(f"警告 Warning: {SHOWN_ONCE}", err=True)
    typer.echo(created.token)


@token_app.command("list")
def token_list(ctx: typer.Context, username: UsernameArg, as_json: JsonFlag = False) -> None:
    """列出用户的令牌（不含密钥）/ List a user's tokens (never the secrets)."""
    with session_scope(ctx) as session:
        rows = service.list_tokens(session, username, by=Actor.system(), clock=state(ctx).clock)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    print_table(
        f"{username} 的令牌 tokens",
        [
            "编号 id",
            "前缀 prefix",
            "标签 name",
            "状态 status",
            "到期 expires",
            "最近使用 last used",
        ],
        [_token_row(t) for t in rows],
    )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="令牌编号 / token id (see `dyrd token list`)")],
    as_json: JsonFlag = False,
) -> None:
    """吊销令牌 / Revoke a token."""
    with session_scope(ctx) as session:
        row = service.revoke_token(session, token_id, by=Actor.system(), clock=state(ctx).clock)
    if as_json:
        print_json(row.model_dump(mode="json"))
    else:
        typer.echo(f"已吊销 revoked: {row.id} ({row.prefix}…, {row.username})")
