"""HTTP routes of venues (场所码), scans and contact tracing.

* ``router``: under ``/api/v1/healthcode``, bearer-token authenticated like the rest.
* ``lookup_router``: the co-visitor lookup, the *upstream* of a catalog service resource. It is
  meant to be reached only through this node's provider gateway (which checked the consumer's
  signature and grant), so it is served by its own app on an internal address
  (``dyrd.bootstrap.covisitor_lookup_app``), never on the public API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from dyrd import trust
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError
from dyrd.exchange import ConsumerGateway
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.ports import CredentialCodec
from dyrd.healthcode.service import tracing, venues
from dyrd.healthcode.tracing_schemas import (
    ScanCreate,
    ScanRead,
    TraceCreate,
    TraceRead,
    VenueCodeRead,
    VenueCreate,
    VenueRead,
)

router = APIRouter(prefix="/api/v1/healthcode", tags=["healthcode"])
lookup_router = APIRouter(tags=["healthcode"])

VenueId = Annotated[str, Path(min_length=1, max_length=36, description="Venue id")]
Jurisdiction = Annotated[str, Path(min_length=6, max_length=6, description="e.g. 330000")]


def _required(request: Request, name: str) -> Any:
    value = getattr(request.app.state, name, None)
    if value is None:
        raise ConfigurationError(
            f"The app is missing {name}.",
            "应用缺少必要的组件。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return value


def _keystore(request: Request) -> trust.KeyStore:
    keystore: trust.KeyStore = _required(request, "trust_keystore")
    return keystore


def _codec(request: Request) -> CredentialCodec:
    codec: CredentialCodec = _required(request, "healthcode_codec")
    return codec


def _gateway(request: Request) -> ConsumerGateway | None:
    """The node's consumer gateway, through the factory ``dyrd.bootstrap`` put on the state."""
    factory: Callable[[Request], ConsumerGateway] | None = getattr(
        request.app.state, "healthcode_consumer_gateway", None
    )
    return None if factory is None else factory(request)


KeyStoreDep = Annotated[trust.KeyStore, Depends(_keystore)]
CodecDep = Annotated[CredentialCodec, Depends(_codec)]
GatewayDep = Annotated[ConsumerGateway | None, Depends(_gateway)]


@router.post("/jurisdictions/{jurisdiction}/venues", response_model=VenueRead, status_code=201)
def register_venue(
    *,
    jurisdiction: Jurisdiction,
    body: VenueCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> VenueRead:
    """Register a venue of the jurisdiction (its data steward). 登记场所。"""
    return venues.register_venue(session, jurisdiction, body, principal=principal, clock=clock)


@router.get("/venues", response_model=list[VenueRead])
def list_venues(
    *,
    session: SessionDep,
    jurisdiction: Annotated[str | None, Query(min_length=6, max_length=6)] = None,
) -> list[VenueRead]:
    """Venues registered on this node (public: their codes hang on their doors)."""
    return venues.list_venues(session, jurisdiction)


@router.get("/venues/{venue_id}/code", response_model=VenueCodeRead)
def venue_code(
    *, venue_id: VenueId, session: SessionDep, keystore: KeyStoreDep, codec: CodecDep
) -> VenueCodeRead:
    """The venue code (场所码): signed text, QR as SVG and PNG."""
    return venues.venue_code(session, venue_id, keystore=keystore, codec=codec)


@router.post("/scans", response_model=ScanRead, status_code=201)
def record_scan(
    *, body: ScanCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ScanRead:
    """Store a scan of a venue code (pseudonymous id, home jurisdiction, window). 扫码登记。"""
    return venues.record_scan(session, body, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/trace", response_model=TraceRead)
def trace_case(
    *,
    resident_id: Annotated[str, Path(min_length=1, max_length=36)],
    body: TraceCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    gateway: GatewayDep,
) -> TraceRead:
    """Trace a confirmed case: flag co-visitors here and through other jurisdictions' lookups.

    确诊病例场所码追踪：本地查找同场所、时间重叠的密接并标记；经数据交换网关（须获授权）调用其他省市的密接查询服务。
    """
    return tracing.trace_case(
        session, resident_id, body, principal=principal, clock=clock, gateway=gateway
    )


@lookup_router.get("/rows", include_in_schema=False)
def covisitor_lookup(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """The co-visitor lookup (behind the gateway): counts and the asker's residents' ids."""
    jurisdiction: str = _required(request, "healthcode_lookup_jurisdiction")
    query = request.scope.get("query_string", b"").decode("latin-1")
    try:
        body = tracing.covisitor_lookup(
            session,
            query,
            jurisdiction=jurisdiction,
            message_id=request.headers.get("x-road-id", ""),
            client=request.headers.get("x-road-client", ""),
            clock=clock,
        )
    except HealthInputInvalid as exc:
        problem = {
            "type": f"urn:dyrd:problem:{exc.code}",
            "title": exc.title,
            "status": 400,
            "detail": exc.message,
            "detail_zh": exc.message_zh,
            "reason": "bad-query",
        }
        return Response(
            json.dumps(problem, ensure_ascii=False),
            status_code=400,
            media_type="application/problem+json",
        )
    return Response(
        json.dumps(body, ensure_ascii=False, default=str), media_type="application/json"
    )
