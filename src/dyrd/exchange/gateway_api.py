"""HTTP routes of the signed gateway.

* ``GET /r1/{member}/{service}/{path}``: the provider gateway, X-Road REST style (see
  ``dyrd.exchange.compute.xroad`` for the path mapping and headers). Authenticated by the
  consumer member's RFC 9421 signature, not by a bearer token; answers are signed.
* ``POST /api/v1/exchange/fetch``: the consumer gateway for this node's users (analyst role in
  the consumer member): it signs with the member's key, calls the provider's node, verifies the
  signed answer and returns the rows.
* ``POST /api/v1/exchange/aggregate``: the same for a differentially private count, sum, mean or
  histogram (``GET /r1/.../{service}/aggregate`` at the provider), charged to the grant's ε.

The gateways are built on first use from what ``dyrd.bootstrap`` put on ``app.state``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dyrd.core.deps import PrincipalDep, SessionDep
from dyrd.core.types import Role
from dyrd.exchange.adapters.gateway_client import HttpxGatewayTransport
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator
from dyrd.exchange.compute.dp import DPQuery
from dyrd.exchange.gateway_schemas import AggregateCreate, AggregateRead, FetchCreate, FetchRead
from dyrd.exchange.ports import MemberLocator
from dyrd.exchange.service.gateway import Gateway, GatewayResponse, GatewaySettings, IncomingRequest
from dyrd.exchange.service.gateway_consumer import ConsumerGateway, FetchRequest

router = APIRouter()
_lock = threading.Lock()


def _secret(request: Request) -> Callable[[], bytes]:
    secret: Callable[[], bytes] | None = getattr(
        request.app.state, "exchange_pseudonym_secret", None
    )
    if secret is None:
        from dyrd.core.errors import ConfigurationError

        def missing() -> bytes:
            raise ConfigurationError(
                "No pseudonym secret is configured.",
                "未配置假名化密钥。",
                hint="Build the app with dyrd.bootstrap.build_app (DYRD_PSEUDONYM_SECRET_PATH).",
            )

        return missing
    return secret


def _locator(request: Request) -> MemberLocator:
    """The locator ``dyrd.bootstrap`` wired, else this database's trust tables."""
    locator: MemberLocator | None = getattr(request.app.state, "exchange_member_locator", None)
    return locator if locator is not None else DatabaseMemberLocator()


def provider_gateway(request: Request) -> Gateway:
    """The node's provider gateway, created on first use."""
    state = request.app.state
    gateway: Gateway | None = getattr(state, "exchange_gateway", None)
    if gateway is None:
        with _lock:
            gateway = getattr(state, "exchange_gateway", None)
            if gateway is None:
                gateway = Gateway(
                    keystore=state.trust_keystore,
                    locator=_locator(request),
                    clock=state.clock,
                    secret=_secret(request),
                    settings=getattr(state, "exchange_gateway_settings", None),
                )
                state.exchange_gateway = gateway
    return gateway


def consumer_gateway(request: Request) -> ConsumerGateway:
    """The node's consumer gateway, created on first use."""
    state = request.app.state
    gateway: ConsumerGateway | None = getattr(state, "exchange_consumer_gateway", None)
    if gateway is None:
        with _lock:
            gateway = getattr(state, "exchange_consumer_gateway", None)
            if gateway is None:
                settings: GatewaySettings = (
                    getattr(state, "exchange_gateway_settings", None) or GatewaySettings()
                )
                transport = getattr(state, "exchange_gateway_transport", None)
                gateway = ConsumerGateway(
                    transport=transport or HttpxGatewayTransport(),
                    keystore=state.trust_keystore,
                    locator=_locator(request),
                    clock=state.clock,
                    algorithm=settings.algorithm,
                    skew=settings.skew,
                )
                state.exchange_consumer_gateway = gateway
    return gateway


ProviderDep = Annotated[Gateway, Depends(provider_gateway)]
ConsumerDep = Annotated[ConsumerGateway, Depends(consumer_gateway)]


def _serve(
    factory: Callable[[], Session], gateway: Gateway, incoming: IncomingRequest
) -> GatewayResponse:
    with factory() as session:
        return gateway.handle(session, incoming)


@router.get(
    "/r1/{service_path:path}",
    tags=["gateway"],
    response_class=Response,
    responses={200: {"description": "Signed rows (or the upstream service's answer)"}},
)
async def xroad_get(
    request: Request,
    gateway: ProviderDep,
    service_path: Annotated[str, Path(description="INSTANCE/CLASS/CODE[/SUBSYSTEM]/SERVICE/...")],
) -> Response:
    """Provider gateway: a signed X-Road-style request in, only granted data out, signed.

    提供方安全网关：验证 RFC 9421 签名、防重放、核验授权，只返回授权字段（标识字段按授权假名化），
    对应答签名并记入账本。
    """
    body = await request.body()
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1")
    query = request.scope.get("query_string", b"").decode("latin-1")
    host = request.headers.get("host") or request.url.netloc
    target = f"{request.url.scheme}://{host}{path}" + (f"?{query}" if query else "")
    incoming = IncomingRequest(
        method=request.method,
        target_uri=target,
        path=path,
        query=query,
        headers=request.headers.items(),
        body=body,
    )
    answer = await run_in_threadpool(_serve, request.app.state.session_factory, gateway, incoming)
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in answer.headers.items():
        response.headers[name] = value
    return response


@router.post("/api/v1/exchange/fetch", tags=["gateway"], response_model=FetchRead)
def fetch(
    *,
    body: FetchCreate,
    session: SessionDep,
    principal: PrincipalDep,
    gateway: ConsumerDep,
) -> FetchRead:
    """Consumer gateway: fetch granted rows from another member's node, signed both ways.

    消费方网关：以本单位密钥签名请求，调用提供方节点，验证签名应答后返回数据。
    """
    actor = principal.acting_for(Role.ANALYST, body.consumer_member)
    # X-Road-UserId: pseudonymous, stable per user and member; the mapping stays on this node.
    user_id = "CN" + hashlib.sha256(f"{actor.member}:{actor.user}".encode()).hexdigest()[:24]
    result = gateway.fetch(
        session,
        FetchRequest(
            consumer_member=body.consumer_member,
            provider_member=body.provider_member,
            resource_id=body.resource_id,
            grant_id=body.grant_id,
            fields=body.fields,
            user_id=user_id,
            issue=body.issue,
            limit=body.limit,
            offset=body.offset,
        ),
    )
    return FetchRead(
        message_id=result.message_id,
        provider_member=result.provider_member,
        resource_id=result.resource_id,
        data_version=result.data_version,
        columns=result.columns,
        pseudonymised=result.pseudonymised,
        total=result.total,
        limit=result.limit,
        offset=result.offset,
        rows=result.rows,
        anonymity=result.anonymity,
        request_hash=result.request_hash,
        response_hash=result.response_hash,
        provider_key_id=result.provider_key_id,
    )


@router.post("/api/v1/exchange/aggregate", tags=["gateway"], response_model=AggregateRead)
def aggregate(
    *,
    body: AggregateCreate,
    session: SessionDep,
    principal: PrincipalDep,
    gateway: ConsumerDep,
) -> AggregateRead:
    """Consumer gateway: a differentially private aggregate from another member's node.

    消费方网关：向提供方请求差分隐私统计（计数、求和、均值、直方图），按授权的隐私预算 ε 扣减。
    """
    actor = principal.acting_for(Role.ANALYST, body.consumer_member)
    user_id = "CN" + hashlib.sha256(f"{actor.member}:{actor.user}".encode()).hexdigest()[:24]
    bounds = None if body.lower is None or body.upper is None else (body.lower, body.upper)
    result = gateway.aggregate(
        session,
        FetchRequest(
            consumer_member=body.consumer_member,
            provider_member=body.provider_member,
            resource_id=body.resource_id,
            grant_id=body.grant_id,
            user_id=user_id,
            issue=body.issue,
        ),
        DPQuery(body.aggregate, body.epsilon, body.column, bounds, tuple(body.categories)),
    )
    return AggregateRead(
        message_id=result.message_id,
        provider_member=result.provider_member,
        resource_id=result.resource_id,
        data_version=result.data_version,
        aggregate=result.aggregate,
        column=result.column,
        value=result.value,
        epsilon=result.epsilon,
        bounds=result.bounds,
        categories=result.categories,
        noise=result.noise,
        budget=result.budget,
        request_hash=result.request_hash,
        response_hash=result.response_hash,
        provider_key_id=result.provider_key_id,
    )
