"""`dyrd exchange fetch` and `aggregate`: rows, or a differentially private aggregate, from
another member's node, through the signed gateway.

The operator's CLI signs with the consumer member's key from the node's key store, exactly as
the consumer API does, and prints only what the provider released and signed.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.errors import FieldError, ValidationFailed
from dyrd.exchange.compute.dp import Aggregate, DPQuery
from dyrd.exchange.ports import GatewayTransport, MemberLocator
from dyrd.exchange.service.gateway import GatewaySettings
from dyrd.exchange.service.gateway_consumer import ConsumerGateway, FetchRequest
from dyrd.trust import KeyStore


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def build_fetch(
    *,
    keystore: Callable[[], KeyStore],
    transport: Callable[[], GatewayTransport],
    locator: Callable[[], MemberLocator],
    settings: Callable[[], GatewaySettings],
) -> Callable[..., None]:
    """The ``fetch`` command, with the key store, transport and locator bootstrap gives."""

    def fetch(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        provider: Annotated[str, typer.Argument(help="提供方成员 / provider member id")],
        resource: Annotated[str, typer.Argument(help="数据资源 ID 或名称 / resource id or name")],
        grant: Annotated[str, typer.Option("--grant", help="授权 ID / grant id")],
        consumer: Annotated[
            str, typer.Option("--consumer", help="消费方（本单位）成员 / consumer member id")
        ],
        fields: Annotated[
            str, typer.Option(help="字段，逗号分隔；留空为全部授权字段 / comma-separated columns")
        ] = "",
        issue: Annotated[
            str | None, typer.Option(help="案件或用途编号 / case reference (X-Road-Issue)")
        ] = None,
        limit: Annotated[int, typer.Option(min=1, max=1000, help="行数 / rows")] = 100,
        offset: Annotated[int, typer.Option(min=0, help="跳过行数 / rows to skip")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    ) -> None:
        """经签名网关获取其他成员的授权数据 / Fetch granted rows from another member's node."""
        conf = settings()
        gateway = ConsumerGateway(
            transport=transport(),
            keystore=keystore(),
            locator=locator(),
            clock=state(ctx).clock,
            algorithm=conf.algorithm,
            skew=conf.skew,
        )
        # X-Road-UserId: pseudonymous; the operator's login never leaves this node.
        user = "CN" + hashlib.sha256(f"{consumer}:cli:{_os_user()}".encode()).hexdigest()[:24]
        with session_scope(ctx) as session:
            result = gateway.fetch(
                session,
                FetchRequest(
                    consumer_member=consumer,
                    provider_member=provider,
                    resource_id=resource,
                    grant_id=grant,
                    fields=[f.strip() for f in fields.split(",") if f.strip()],
                    user_id=user,
                    issue=issue,
                    limit=limit,
                    offset=offset,
                ),
            )
        if as_json:
            print_json(
                {
                    "message_id": result.message_id,
                    "resource_id": result.resource_id,
                    "columns": result.columns,
                    "pseudonymised": result.pseudonymised,
                    "total": result.total,
                    "rows": result.rows,
                    "request_hash": result.request_hash,
                    "response_hash": result.response_hash,
                    "provider_key_id": result.provider_key_id,
                }
            )
            return
        title = (
            f"{provider} / {result.resource_id}: {len(result.rows)} of {result.total} rows "
            f"(X-Road-Id {result.message_id}; signed by {result.provider_key_id})"
        )
        print_table(
            title, result.columns, [[r.get(c) for c in result.columns] for r in result.rows]
        )

    return fetch


def build_aggregate(
    *,
    keystore: Callable[[], KeyStore],
    transport: Callable[[], GatewayTransport],
    locator: Callable[[], MemberLocator],
    settings: Callable[[], GatewaySettings],
) -> Callable[..., None]:
    """The ``aggregate`` command, wired like :func:`build_fetch`."""

    def aggregate(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        provider: Annotated[str, typer.Argument(help="提供方成员 / provider member id")],
        resource: Annotated[str, typer.Argument(help="数据资源 ID 或名称 / resource id or name")],
        kind: Annotated[
            Aggregate, typer.Argument(help="count | sum | mean | histogram（统计类型 / aggregate）")
        ],
        grant: Annotated[str, typer.Option("--grant", help="授权 ID / grant id")],
        consumer: Annotated[
            str, typer.Option("--consumer", help="消费方（本单位）成员 / consumer member id")
        ],
        epsilon: Annotated[
            float, typer.Option(min=0, help="本次消耗的隐私预算 ε / ε this answer spends")
        ],
        column: Annotated[
            str | None, typer.Option(help="授权字段（计数可省略）/ granted column")
        ] = None,
        lower: Annotated[
            float | None, typer.Option(help="截断下界（求和、均值）/ public lower bound")
        ] = None,
        upper: Annotated[
            float | None, typer.Option(help="截断上界（求和、均值）/ public upper bound")
        ] = None,
        category: Annotated[
            list[str] | None, typer.Option(help="直方图类别，可重复 / histogram category")
        ] = None,
        issue: Annotated[
            str | None, typer.Option(help="案件或用途编号 / case reference (X-Road-Issue)")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    ) -> None:
        """经签名网关请求差分隐私统计 / Ask another member's node a differentially private
        aggregate; its ε is charged to the grant's budget."""
        if (lower is None) != (upper is None):
            raise ValidationFailed(
                "Give both --lower and --upper, or neither.",
                "--lower 与 --upper 须同时给出或同时省略。",
                errors=[FieldError("--lower/--upper", "Both or neither.", "须成对给出。")],
            )
        bounds = None if lower is None or upper is None else (lower, upper)
        query = DPQuery(kind, epsilon, column, bounds, tuple(category or ()))
        conf = settings()
        gateway = ConsumerGateway(
            transport=transport(),
            keystore=keystore(),
            locator=locator(),
            clock=state(ctx).clock,
            algorithm=conf.algorithm,
            skew=conf.skew,
        )
        user = "CN" + hashlib.sha256(f"{consumer}:cli:{_os_user()}".encode()).hexdigest()[:24]
        with session_scope(ctx) as session:
            result = gateway.aggregate(
                session,
                FetchRequest(
                    consumer_member=consumer,
                    provider_member=provider,
                    resource_id=resource,
                    grant_id=grant,
                    user_id=user,
                    issue=issue,
                ),
                query,
            )
        if as_json:
            print_json(
                {
                    "message_id": result.message_id,
                    "resource_id": result.resource_id,
                    "aggregate": result.aggregate,
                    "column": result.column,
                    "value": result.value,
                    "epsilon": result.epsilon,
                    "bounds": result.bounds,
                    "noise": result.noise,
                    "budget": result.budget,
                    "request_hash": result.request_hash,
                    "response_hash": result.response_hash,
                    "provider_key_id": result.provider_key_id,
                }
            )
            return
        title = (
            f"{provider} / {result.resource_id}: {result.aggregate}"
            f"({result.column or '*'}) with ε={result.epsilon:g}; budget left "
            f"{result.budget.get('remaining', 0):g} of {result.budget.get('total', 0):g} "
            f"(X-Road-Id {result.message_id}; signed by {result.provider_key_id})"
        )
        value = result.value
        rows = [[k, v] for k, v in value.items()] if isinstance(value, dict) else [["value", value]]
        print_table(title, ["", "值 value"], rows)

    return aggregate
