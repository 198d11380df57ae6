"""HTTP routes of the health-code domain under /api/v1/healthcode (errors are problem+json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict

from dyrd import trust
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError
from dyrd.exchange import WorkCalendar
from dyrd.healthcode import service
from dyrd.healthcode.compute.features import FEATURES
from dyrd.healthcode.ports import CredentialCodec, IdSecret
from dyrd.healthcode.schemas import (
    AccessRead,
    AppealAnswer,
    AppealCreate,
    AppealRead,
    CodeRead,
    ColourRead,
    ContactCreate,
    ImportReport,
    InputRecorded,
    IssuanceCount,
    ReevaluationRead,
    ResidentCreate,
    ResidentRead,
    RiskListCreate,
    RiskListRead,
    RulePublish,
    RuleRead,
    StayCreate,
    SymptomCreate,
    TestCreate,
    VaccinationCreate,
)
from dyrd.healthcode.types import AppealStatus

router = APIRouter(prefix="/api/v1/healthcode", tags=["healthcode"])

ResidentId = Annotated[str, Path(min_length=1, max_length=36, description="Pseudonymous id")]
Jurisdiction = Annotated[str, Query(min_length=6, max_length=6, description="e.g. 330000")]


def _state(request: Request, name: str) -> Any:
    value = getattr(request.app.state, name, None)
    if value is None:
        raise ConfigurationError(
            f"The app is missing {name}.",
            "应用缺少必要的组件。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return value


def _secret(request: Request) -> IdSecret:
    secret: IdSecret = _state(request, "healthcode_id_secret")
    return secret


def _keystore(request: Request) -> trust.KeyStore:
    keystore: trust.KeyStore = _state(request, "trust_keystore")
    return keystore


def _codec(request: Request) -> CredentialCodec | None:
    codec: CredentialCodec | None = getattr(request.app.state, "healthcode_codec", None)
    return codec


def _calendar(request: Request) -> WorkCalendar:
    calendar: WorkCalendar = _state(request, "exchange_access_policy").calendar
    return calendar


SecretDep = Annotated[IdSecret, Depends(_secret)]
KeyStoreDep = Annotated[trust.KeyStore, Depends(_keystore)]
CodecDep = Annotated[CredentialCodec | None, Depends(_codec)]
CalendarDep = Annotated[WorkCalendar, Depends(_calendar)]


@router.post("/residents", response_model=ResidentRead, status_code=201)
def register_resident(
    *,
    body: ResidentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    secret: SecretDep,
) -> ResidentRead:
    """Register a resident; the identity number is checked (GB 11643), hashed and dropped."""
    return service.register_resident(session, body, principal=principal, clock=clock, secret=secret)


@router.get("/residents/{resident_id}", response_model=ResidentRead)
def get_resident(
    *, resident_id: ResidentId, session: SessionDep, principal: PrincipalDep
) -> ResidentRead:
    """A resident's pseudonymous record (initials, birth year, jurisdiction)."""
    return service.get_resident(session, resident_id, principal=principal)


@router.post("/residents/{resident_id}/stays", response_model=InputRecorded, status_code=201)
def record_stay(
    *,
    resident_id: ResidentId,
    body: StayCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> InputRecorded:
    """Record a stay (city, optional district, date)."""
    return service.record_stay(session, resident_id, body, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/tests", response_model=InputRecorded, status_code=201)
def record_test(
    *,
    resident_id: ResidentId,
    body: TestCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> InputRecorded:
    """Record a test result."""
    return service.record_test(session, resident_id, body, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/vaccinations", response_model=InputRecorded, status_code=201)
def record_vaccination(
    *,
    resident_id: ResidentId,
    body: VaccinationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> InputRecorded:
    """Record a vaccine dose."""
    return service.record_vaccination(session, resident_id, body, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/contacts", response_model=InputRecorded, status_code=201)
def record_contact(
    *,
    resident_id: ResidentId,
    body: ContactCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> InputRecorded:
    """Flag the resident as a close contact."""
    return service.record_contact(session, resident_id, body, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/symptoms", response_model=InputRecorded, status_code=201)
def record_symptoms(
    *,
    resident_id: ResidentId,
    body: SymptomCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> InputRecorded:
    """Record self-declared symptoms."""
    return service.record_symptoms(session, resident_id, body, principal=principal, clock=clock)


@router.post("/stays/import", response_model=ImportReport, status_code=201)
async def import_stays(
    *, file: UploadFile, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ImportReport:
    """Bulk stays from CSV (resident_id, city_code, district_code, stay_date); all or nothing."""
    data = await file.read()
    return service.import_stays_csv(session, data, principal=principal, clock=clock)


@router.post("/risk-lists", response_model=RiskListRead, status_code=201)
def publish_risk_list(
    *, body: RiskListCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> RiskListRead:
    """Publish a jurisdiction's complete risk-area list (its next version)."""
    return service.publish_risk_list(session, body, principal=principal, clock=clock)


@router.post("/risk-lists/import", response_model=ImportReport, status_code=201)
async def import_risk_list(
    *,
    jurisdiction: Jurisdiction,
    file: UploadFile,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ImportReport:
    """A risk list from CSV (city_code, district_code, level, effective_from, effective_until)."""
    data = await file.read()
    return service.import_risk_list_csv(
        session, jurisdiction, data, principal=principal, clock=clock
    )


@router.get("/jurisdictions/{jurisdiction}/risk-list", response_model=RiskListRead | None)
def current_risk_list(jurisdiction: str, session: SessionDep) -> RiskListRead | None:
    """The jurisdiction's risk list in force (null when none was published)."""
    return service.current_risk_list(session, jurisdiction)


@router.get("/features")
def features() -> dict[str, str]:
    """The data-context paths colour rules may read, with their kinds (the rule vocabulary)."""
    return dict(FEATURES)


@router.get("/rules", response_model=list[RuleRead])
def list_rules(
    *,
    session: SessionDep,
    jurisdiction: Annotated[str | None, Query(max_length=6)] = None,
    rule_id: Annotated[str | None, Query(max_length=16)] = None,
) -> list[RuleRead]:
    """The rule browser: every signed rule version with its explanation (public)."""
    return service.list_rules(session, jurisdiction=jurisdiction, rule_id=rule_id)


@router.post("/rules", response_model=RuleRead, status_code=201)
def publish_rule(
    *,
    body: RulePublish,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
) -> RuleRead:
    """Check, sign with the jurisdiction's key and publish a rule version."""
    return service.publish_rule(
        session, body.document, principal=principal, clock=clock, keystore=keystore
    )


@router.get("/residents/{resident_id}/colour", response_model=ColourRead)
def resident_colour(
    *, resident_id: ResidentId, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ColourRead:
    """The resident's colour now, the rule version that decided it and why (the read is logged)."""
    return service.resident_colour(session, resident_id, principal=principal, clock=clock)


@router.post("/residents/{resident_id}/code", response_model=CodeRead, status_code=201)
def issue_code(
    *,
    resident_id: ResidentId,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    codec: CodecDep,
) -> CodeRead:
    """Issue a signed code (HC1 text, QR as SVG and PNG) for the resident's colour now."""
    return service.issue_code(
        session, resident_id, principal=principal, clock=clock, keystore=keystore, codec=codec
    )


@router.get("/issuance-counts", response_model=list[IssuanceCount])
def issuance_counts(session: SessionDep) -> list[IssuanceCount]:
    """Codes issued per jurisdiction and colour."""
    return service.issuance_counts(session)


class ReevaluateQuery(BaseModel):
    """Options of a re-evaluation; a misspelt option is refused, never silently ignored."""

    model_config = ConfigDict(extra="forbid")

    engine: Literal["polars", "dask"] = "polars"


@router.post("/reevaluate", response_model=ReevaluationRead)
def reevaluate(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    codec: CodecDep,
    query: Annotated[ReevaluateQuery, Query()],
) -> ReevaluationRead:
    """Recompute every colour; store and re-issue the changed ones (the region's data steward)."""
    engine = query.engine
    reissue = service.reissuer(keystore=keystore, codec=codec) if codec is not None else None
    return service.reevaluate_all(
        session, principal=principal, clock=clock, engine=engine, reissue=reissue
    )


@router.post("/residents/{resident_id}/appeals", response_model=AppealRead, status_code=201)
def submit_appeal(
    *,
    resident_id: ResidentId,
    body: AppealCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    calendar: CalendarDep,
) -> AppealRead:
    """Contest the resident's current colour; the answer is due in working days."""
    return service.submit_appeal(
        session, resident_id, body, principal=principal, clock=clock, calendar=calendar
    )


@router.get("/appeals", response_model=list[AppealRead])
def list_appeals(
    *,
    jurisdiction: Jurisdiction,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    status: AppealStatus | None = None,
    overdue: bool = False,
) -> list[AppealRead]:
    """Appeals to a jurisdiction; ``overdue=true``: pending past their due day."""
    return service.list_appeals(
        session, principal=principal, clock=clock, jurisdiction=jurisdiction, status=status,
        overdue=overdue,
    )  # fmt: skip


@router.post("/appeals/{appeal_id}/answer", response_model=AppealRead)
def answer_appeal(
    *,
    appeal_id: Annotated[str, Path(min_length=1, max_length=36)],
    body: AppealAnswer,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> AppealRead:
    """The jurisdiction answers an appeal: corrected or rejected, with the reason."""
    return service.answer_appeal(session, appeal_id, body, principal=principal, clock=clock)


@router.get("/residents/{resident_id}/access-log", response_model=list[AccessRead])
def access_log(
    *,
    resident_id: ResidentId,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AccessRead]:
    """Who read or verified the resident's status or code, newest first."""
    return service.access_log(session, resident_id, principal=principal, limit=limit)
