"""HTTP routes of access requests and grants under /api/v1/exchange.

Consumers (analyst role or above in the consumer member) request; the owner's data steward
decides and revokes; users of either member read. Errors are problem+json via the error tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError, FieldError, ValidationFailed
from dyrd.core.pagination import MAX_OFFSET, MAX_PAGE_SIZE
from dyrd.exchange import service
from dyrd.exchange.access_schemas import (
    AccessRequestCreate,
    AccessRequestPage,
    AccessRequestRead,
    DecisionCreate,
    GrantPage,
    GrantRead,
    PrivacyBudgetRead,
    PrivacyBudgetUpdate,
    RevokeCreate,
    Side,
)
from dyrd.exchange.compute.access import AccessPolicy, GrantStatus, RequestStatus
from dyrd.exchange.compute.dp import DEFAULT_EPSILON_PER_GRANT
from dyrd.exchange.service import privacy as privacy_service

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange access"])

Id = Annotated[str, Path(min_length=1, max_length=36, description="UUID")]
SideParam = Annotated[
    Side | None,
    Query(description="consumer: requests my members made; owner: requests they received"),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def access_policy(request: Request) -> AccessPolicy:
    """The access policy wired by the composition root."""
    policy: AccessPolicy | None = getattr(request.app.state, "exchange_access_policy", None)
    if policy is None:
        raise ConfigurationError(
            "The exchange access policy is not configured.",
            "未配置数据共享申请策略。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return policy


PolicyDep = Annotated[AccessPolicy, Depends(access_policy)]


def _only_query(*names: str) -> Callable[[Request], None]:
    """Refuse unknown query parameters: a misspelt filter (``?stauts=pending``) would otherwise
    be ignored and silently widen a list that stewards act on."""
    known = frozenset(names)

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationFailed(
                f"Unknown query parameter(s): {', '.join(unknown)}.",
                f"未知的查询参数：{', '.join(unknown)}。",
                hint=f"Known: {', '.join(sorted(known))}.",
                errors=[
                    FieldError(f"query.{n}", "Unknown parameter.", "未知参数。") for n in unknown
                ],
            )

    return check


@router.post("/requests", response_model=AccessRequestRead, status_code=201)
def create_request(
    *,
    body: AccessRequestCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    policy: PolicyDep,
    response: Response,
) -> AccessRequestRead:
    """Request access for a consumer member (analyst role or above in it).

    Unconditional resources are granted at once, not-shared ones refused at once with the
    resource's reason; conditional ones wait for the owner, due in N working days.
    """
    created = service.request_access(session, body, principal=principal, clock=clock, policy=policy)
    response.headers["Location"] = f"/api/v1/exchange/requests/{created.id}"
    return created


@router.get(
    "/requests",
    response_model=AccessRequestPage,
    dependencies=[
        Depends(_only_query("side", "status", "overdue", "escalated", "limit", "offset"))
    ],
)
def list_requests(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    side: SideParam = None,
    status: RequestStatus | None = None,
    overdue: Annotated[bool, Query(description="Only pending requests past their due date")] = (
        False
    ),
    escalated: Annotated[
        bool,
        Query(description="Only overdue requests escalated to my members (a superior's inbox)"),
    ] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AccessRequestPage:
    """Requests my members made or received, newest first."""
    return service.list_requests(
        session,
        principal=principal,
        clock=clock,
        side=side,
        status=status,
        overdue=overdue,
        escalated=escalated,
        limit=limit,
        offset=offset,
    )


@router.get("/requests/{request_id}", response_model=AccessRequestRead)
def get_request(
    *, request_id: Id, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> AccessRequestRead:
    """One request (users of its consumer or owner)."""
    return service.get_request(session, request_id, principal=principal, clock=clock)


@router.post("/requests/{request_id}/decision", response_model=AccessRequestRead)
def decide(
    *,
    request_id: Id,
    body: DecisionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> AccessRequestRead:
    """Approve (optionally fewer fields, shorter duration) or refuse with a reason."""
    return service.decide(session, request_id, body, principal=principal, clock=clock)


@router.get(
    "/grants",
    response_model=GrantPage,
    dependencies=[Depends(_only_query("side", "status", "resource_id", "limit", "offset"))],
)
def list_grants(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    side: SideParam = None,
    status: GrantStatus | None = None,
    resource_id: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GrantPage:
    """Grants my members hold or gave, newest first."""
    return service.list_grants(
        session,
        principal=principal,
        clock=clock,
        side=side,
        status=status,
        resource_id=resource_id,
        limit=limit,
        offset=offset,
    )


@router.get("/grants/{grant_id}", response_model=GrantRead)
def get_grant(
    *, grant_id: Id, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> GrantRead:
    """One grant (users of its consumer or owner)."""
    return service.get_grant(session, grant_id, principal=principal, clock=clock)


@router.post("/grants/{grant_id}/revoke", response_model=GrantRead)
def revoke_grant(
    *,
    grant_id: Id,
    body: RevokeCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> GrantRead:
    """Revoke a grant with a reason (the owner's data steward); effective at once."""
    return service.revoke_grant(session, grant_id, body, principal=principal, clock=clock)


def _default_epsilon(request: Request) -> float:
    """The ε total a grant starts with (DYRD_PRIVACY_EPSILON_PER_GRANT via the gateway settings)."""
    settings = getattr(request.app.state, "exchange_gateway_settings", None)
    return settings.privacy.epsilon_per_grant if settings is not None else DEFAULT_EPSILON_PER_GRANT


@router.get("/grants/{grant_id}/privacy-budget", response_model=PrivacyBudgetRead)
def get_privacy_budget(
    *, grant_id: Id, request: Request, session: SessionDep, principal: PrincipalDep
) -> PrivacyBudgetRead:
    """A grant's differential-privacy ε budget: total, spent, remaining (users of either side)."""
    return privacy_service.grant_budget(
        session, grant_id, principal=principal, default_total=_default_epsilon(request)
    )


@router.put("/grants/{grant_id}/privacy-budget", response_model=PrivacyBudgetRead)
def set_privacy_budget(
    *,
    grant_id: Id,
    body: PrivacyBudgetUpdate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> PrivacyBudgetRead:
    """Set a grant's ε total with a reason (owner's data steward); never below what was spent."""
    return privacy_service.set_grant_budget(
        session,
        grant_id,
        body,
        principal=principal,
        clock=clock,
        default_total=_default_epsilon(request),
    )
