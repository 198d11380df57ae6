"""HTTP routes of market oversight: OCDS validation/import/export, red flags, screens, risk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import PayloadTooLarge
from dyrd.core.types import Role
from dyrd.exchange import ResourceRead
from dyrd.market.compute.red_flags import FlagSettings
from dyrd.market.compute.screens import RD_MIN_DEFAULT, Screen, ScreenThresholds
from dyrd.market.schemas import (
    OcdsImportRead,
    OcdsReport,
    RedFlagsReport,
    RiskAlertRead,
    RiskEventCreate,
    RiskEventRead,
    RiskRequest,
    RiskScoreRead,
    ScreensReport,
)
from dyrd.market.service import oversight, risk
from dyrd.market.service.sharing import share_risk_scores
from dyrd.trust import MEMBER_ID_PATTERN

router = APIRouter(prefix="/api/v1/market", tags=["market oversight"])

MAX_OCDS_BYTES = 20 * 1024 * 1024
"""Largest OCDS upload accepted in one request (bigger sets go through the CLI)."""

Ocid = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]
EnterpriseId = Annotated[str, Path(min_length=1, max_length=128)]


async def _document(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_OCDS_BYTES:
        raise PayloadTooLarge(
            f"OCDS upload of {len(body)} bytes exceeds {MAX_OCDS_BYTES}.",
            f"OCDS 上传 {len(body)} 字节，超过上限 {MAX_OCDS_BYTES}。",
            hint="Use `dyrd market ...` on the command line for large files.",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
    return oversight.parse_ocds(text)


_OCDS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            # one JSON value per line: any text, checked by the parser, not the schema
            "application/x-ndjson": {"schema": {}},
        },
    }
}

_OCDS_ANALYSIS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            # A package or release (object), or compiled releases as a JSON array (the JSON
            # Lines form sent as one document), which the analyses accept alike.
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"type": "object"},
                        {"type": "array", "items": {"type": "object"}},
                    ]
                }
            },
            # one JSON value per line: any text, checked by the parser, not the schema
            "application/x-ndjson": {"schema": {}},
        },
    }
}


# The validator reports on any JSON it is given (a list or a string is an invalid OCDS document,
# answered 200 with valid: false), so its body is documented as any JSON value.
_ANY_OCDS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {}},
            "application/x-ndjson": {"schema": {}},
        },
    }
}


@router.post("/ocds/validate", response_model=OcdsReport, openapi_extra=_ANY_OCDS_BODY)
async def validate(request: Request) -> OcdsReport:
    """Validate a release, release package or record package (OCDS 1.1.5 + bids extension)."""
    return oversight.validate_ocds(await _document(request))


@router.post(
    "/ocds/import",
    response_model=OcdsImportRead,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_OCDS_BODY,
)
async def import_releases(
    request: Request, session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> OcdsImportRead:
    """Store the releases of a valid release package (data steward); invalid data gets 422."""
    actor = principal.acting_for(Role.DATA_STEWARD)
    document = await _document(request)
    return oversight.import_ocds(session, document, actor=actor, clock=clock)


@router.get("/ocds/records", response_model=list[str])
def records(session: SessionDep) -> list[str]:
    """The ocids with imported releases."""
    return oversight.stored_ocids(session)


@router.get("/ocds/records/{ocid}")
def record(ocid: Ocid, request: Request, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """The record package of one contracting process, compiled from its imported releases."""
    return oversight.export_record_package(
        session, ocid, published=clock(), uri=str(request.url), publisher="Digital YRD"
    )


@router.post("/red-flags", response_model=RedFlagsReport, openapi_extra=_OCDS_ANALYSIS_BODY)
async def red_flags(
    request: Request,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    r003_days: Annotated[int, Query(ge=1, le=365)] = 15,
) -> RedFlagsReport:
    """Cardinal-compatible red flags of OCDS data (packages, records or JSON Lines)."""
    settings = FlagSettings(currency=currency, r003_threshold_days=r003_days)
    return oversight.red_flag_report(await _document(request), settings)


@router.post("/screens", response_model=ScreensReport, openapi_extra=_OCDS_ANALYSIS_BODY)
async def screens(
    request: Request,
    min_screens: Annotated[int, Query(ge=1, le=len(Screen))] = 2,
    rd_min: Annotated[float, Query(gt=0, le=100)] = RD_MIN_DEFAULT,
    cv_max: Annotated[float | None, Query(gt=0, le=10)] = None,
    both_families: bool = True,
) -> ScreensReport:
    """Bid-rigging screens per tender with three or more priced valid bids."""
    fixed = {Screen.RD: rd_min}
    if cv_max is not None:
        fixed[Screen.CV] = cv_max
    thresholds = ScreenThresholds(fixed=fixed, min_screens=min_screens, both_families=both_families)
    return oversight.screen_report(await _document(request), thresholds)


@router.get("/risk", response_model=list[RiskScoreRead])
def risk_scores(session: SessionDep, clock: ClockDep) -> list[RiskScoreRead]:
    """Every enterprise's risk score under the bundled weights, highest first."""
    return risk.risk_scores(session, clock=clock)


@router.post("/risk", response_model=list[RiskScoreRead])
def risk_scores_weighted(
    body: RiskRequest, session: SessionDep, clock: ClockDep
) -> list[RiskScoreRead]:
    """Scores under the weights in the body (validated; 422 with the reason when wrong)."""
    return risk.risk_scores(session, clock=clock, weights=body.weights)


@router.get("/risk/events", response_model=list[RiskEventRead])
def events(
    session: SessionDep,
    enterprise_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> list[RiskEventRead]:
    """Recorded risk events, oldest first."""
    return risk.list_events(session, enterprise_id)


@router.post("/risk/events", response_model=RiskEventRead, status_code=status.HTTP_201_CREATED)
def record_event(
    body: RiskEventCreate, session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> RiskEventRead:
    """Record a risk event (analyst)."""
    actor = principal.acting_for(Role.ANALYST)
    return risk.record_event(session, body, actor=actor, clock=clock)


@router.get("/risk/alerts", response_model=list[RiskAlertRead])
def alerts(session: SessionDep) -> list[RiskAlertRead]:
    """Raised alerts, newest first."""
    return risk.list_alerts(session)


@router.post("/risk/alerts", response_model=list[RiskAlertRead])
def raise_alerts(
    session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> list[RiskAlertRead]:
    """Raise an alert for every enterprise whose level changed (analyst)."""
    actor = principal.acting_for(Role.ANALYST)
    return risk.raise_alerts(session, actor=actor, clock=clock)


@router.post("/risk-shares", response_model=ResourceRead)
def share(
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    owner_member: Annotated[str, Query(max_length=128, pattern=MEMBER_ID_PATTERN)],
) -> ResourceRead:
    """Publish the scores as a conditional catalog table, read by other members under grants."""
    return share_risk_scores(session, principal=principal, clock=clock, owner_member=owner_member)


@router.get("/risk/{enterprise_id}", response_model=RiskScoreRead)
def enterprise(enterprise_id: EnterpriseId, session: SessionDep, clock: ClockDep) -> RiskScoreRead:
    """One enterprise's score and its parts; 404 when it has no events."""
    return risk.enterprise_risk(session, enterprise_id, clock=clock)
