"""HTTP routes of EPCIS 2.0 capture and query (the standard's REST binding) and inventory views.

Mounted at ``/epcis`` like the binding's own paths (``/capture``, ``/events``, ``/queries``).
Every route needs a bearer token; capturing needs the data-steward role in some member.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError, FieldError
from dyrd.supply import epcis_artefacts
from dyrd.supply.compute.epcis_validate import SchemaHolder
from dyrd.supply.epcis_schemas import (
    CaptureJobRead,
    InventoryRead,
    NamedQueryCreate,
    NamedQueryRead,
)
from dyrd.supply.errors import EpcisInvalid, EpcisQueryInvalid, EpcisTooLarge
from dyrd.supply.service import epcis, inventory
from dyrd.supply.service.epcis import CaptureLimits, QueryPage

router = APIRouter(prefix="/epcis", tags=["supply-epcis"])
JSON_LD = "application/ld+json"


def _holder(request: Request) -> SchemaHolder:
    directory: Path | None = getattr(request.app.state, "supply_epcis_artefacts", None)
    return epcis_artefacts.load(directory)


def _page_key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "supply_epcis_page_key", None)
    if key is None:
        raise ConfigurationError(
            "The app is missing the EPCIS page-token key.",
            "应用缺少 EPCIS 分页令牌密钥。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return key


def _limits(request: Request) -> CaptureLimits:
    limits: CaptureLimits = getattr(request.app.state, "supply_epcis_limits", CaptureLimits())
    return limits


HolderDep = Annotated[SchemaHolder, Depends(_holder)]
PageKeyDep = Annotated[bytes, Depends(_page_key)]
LimitsDep = Annotated[CaptureLimits, Depends(_limits)]


def _limit_headers(limits: CaptureLimits) -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(limits.max_events),
        "GS1-EPCIS-Capture-File-Size-Limit": str(limits.max_bytes),
        "GS1-Capture-Error-Behaviour": "rollback",
    }


@router.post("/capture", status_code=202, response_class=Response)
async def capture(
    *,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    holder: HolderDep,
    limits: LimitsDep,
) -> Response:
    """Capture an EPCISDocument (JSON / JSON-LD): 202 and the capture job in ``Location``.

    捕获 EPCIS 文档：校验通过则整体写入并返回 202，任一处无效则整体拒绝、不写入。
    """
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback")
    if behaviour != "rollback":
        raise EpcisInvalid(
            f"GS1-Capture-Error-Behaviour {behaviour!r} is not supported; this server rolls back.",
            f"不支持 GS1-Capture-Error-Behaviour={behaviour}；本服务器只支持 rollback。",
            errors=[FieldError("header GS1-Capture-Error-Behaviour", "only rollback")],
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise EpcisTooLarge(
            f"The document has {declared} bytes; the limit is {limits.max_bytes}.",
            f"文档大小 {declared} 字节，超过上限 {limits.max_bytes}。",
        )
    raw = await request.body()
    job = await run_in_threadpool(
        lambda: epcis.capture(
            session, raw, holder=holder, principal=principal, clock=clock, limits=limits
        )
    )
    headers = {"Location": f"{router.prefix}/capture/{job.captureID}", **_limit_headers(limits)}
    return Response(status_code=202, headers=headers)


@router.get("/capture/{capture_id}", response_model=CaptureJobRead)
def capture_job(
    *,
    capture_id: Annotated[str, PathParam(min_length=1, max_length=36)],
    session: SessionDep,
    principal: PrincipalDep,
) -> CaptureJobRead:
    """The state of a capture job. 捕获任务状态。"""
    return epcis.capture_job(session, capture_id)


def _page(request: Request, page: QueryPage) -> JSONResponse:
    headers: dict[str, str] = {}
    if page.next_token is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "nextPageToken"]
        url = f"{request.url.path}?{urlencode([*params, ('nextPageToken', page.next_token)])}"
        headers["Link"] = f'<{url}>; rel="next"'
    return JSONResponse(page.document, media_type=JSON_LD, headers=headers)


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


@router.get(
    "/events",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "EPCISQueryDocument (JSON-LD)",
            "content": {JSON_LD: {"schema": {"type": "object"}}},
        }
    },
)
def events(
    *,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    page_key: PageKeyDep,
) -> JSONResponse:
    """Query events with the standard parameters (eventType, GE_/LT_eventTime, GE_/LT_recordTime,
    EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, EQ_action, EQ_eventID, MATCH_epc,
    MATCH_anyEPC, MATCH_epcClass, ..., perPage, nextPageToken); the next page is in ``Link``.

    按标准参数查询事件，结果为 EPCISQueryDocument，下一页见 Link 头。
    """
    page = epcis.query_events(session, _params(request), page_key=page_key, clock=clock)
    return _page(request, page)


@router.post("/queries", response_model=NamedQueryRead, status_code=201)
def create_named_query(
    *, body: NamedQueryCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> NamedQueryRead:
    """Store a named query. 保存命名查询。"""
    return epcis.create_named_query(session, body, principal=principal, clock=clock)


@router.get("/queries", response_model=list[NamedQueryRead])
def named_queries(*, session: SessionDep, principal: PrincipalDep) -> list[NamedQueryRead]:
    """Every named query. 命名查询列表。"""
    return epcis.named_queries(session)


@router.get(
    "/queries/{name}/events",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "EPCISQueryDocument (JSON-LD)",
            "content": {JSON_LD: {"schema": {"type": "object"}}},
        }
    },
)
def run_named_query(
    *,
    request: Request,
    name: Annotated[str, PathParam(min_length=1, max_length=100)],
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    page_key: PageKeyDep,
) -> JSONResponse:
    """Run a named query (perPage and nextPageToken allowed). 执行命名查询。"""
    page = epcis.run_named_query(session, name, _params(request), page_key=page_key, clock=clock)
    return _page(request, page)


@router.get("/inventory", response_model=InventoryRead)
def inventory_views(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Event time to stop at (RFC 3339 with offset) / 截止事件时间",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    location: Annotated[str | None, Query(max_length=400)] = None,
    product: Annotated[str | None, Query(max_length=400)] = None,
) -> InventoryRead:
    """Stock per product per location, goods in transit and lead times, with their events.

    由事件推导的库存、在途货物与提前期（附每个数字背后的事件）。
    """
    return inventory.views(session, as_of=_event_time(as_of), location=location, product=product)


def _event_time(text: str | None) -> datetime | None:
    # Parsed here, not by pydantic, which would also take a bare number as a Unix time.
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise EpcisQueryInvalid(
            f"as_of={text!r} is not an RFC 3339 date-time with an offset.",
            f"as_of={text!r} 不是带时区偏移的 RFC 3339 时间。",
            hint="For example 2026-11-26T08:00:00+08:00.",
        )
    return when
