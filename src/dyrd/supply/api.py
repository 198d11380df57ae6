"""HTTP routes of the supply domain under /api/v1/supply (EPCIS routes: ``epcis_api``).

Reads are open like the other domains' reference data; writes need a data_steward token and
record who made them. Bodies are validated (422 problem bodies naming each field).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.types import Role
from dyrd.supply.adapters.epidemic_levels import EpidemicLevels
from dyrd.supply.schemas import (
    CertificationCreate,
    ChainCreate,
    ChainRead,
    DecisionRead,
    DisruptionReport,
    EnterpriseCreate,
    EnterpriseRead,
    ExitRequest,
    JoinRequest,
    LinkCreate,
    LinkRead,
    MatchReport,
    NeedCreate,
    NeedRead,
    OfferCreate,
    OfferRead,
    ProductCreate,
    ProductRead,
    RulesUpdate,
    ScenarioCreate,
    ScenarioRead,
    ScenarioSpec,
    ViolationCreate,
)
from dyrd.supply.service import chains, disruption, enterprises, matching

router = APIRouter(prefix="/api/v1/supply", tags=["supply"])

Code = Annotated[str, Path(min_length=1, max_length=40, description="Unified social credit code")]
ChainId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
Member = Annotated[str | None, Query(max_length=128, description="Act for this member")]
CREATED = status.HTTP_201_CREATED


@router.get("/enterprises", response_model=list[EnterpriseRead])
def list_enterprises(
    *, session: SessionDep, city: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> list[EnterpriseRead]:
    """Registered enterprises (of one city if given)."""
    return enterprises.list_enterprises(session, city=city)


@router.post("/enterprises", response_model=EnterpriseRead, status_code=CREATED)
def register_enterprise(
    *,
    body: EnterpriseCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> EnterpriseRead:
    """Register an enterprise by its unified social credit code (check character validated)."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return enterprises.register(session, body, actor=actor, clock=clock)


@router.get("/enterprises/{code}", response_model=EnterpriseRead)
def get_enterprise(*, code: Code, session: SessionDep) -> EnterpriseRead:
    """One enterprise with certifications, violations and chains."""
    return enterprises.get(session, code)


@router.post(
    "/enterprises/{code}/certifications", response_model=EnterpriseRead, status_code=CREATED
)
def add_certification(
    *,
    code: Code,
    body: CertificationCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> EnterpriseRead:
    """Record a certification."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return enterprises.add_certification(session, code, body, actor=actor, clock=clock)


@router.post("/enterprises/{code}/violations", response_model=EnterpriseRead, status_code=CREATED)
def add_violation(
    *,
    code: Code,
    body: ViolationCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> EnterpriseRead:
    """Record a violation."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return enterprises.add_violation(session, code, body, actor=actor, clock=clock)


@router.get("/products", response_model=list[ProductRead])
def list_products(
    *, session: SessionDep, enterprise: Annotated[str | None, Query(max_length=40)] = None
) -> list[ProductRead]:
    """Registered products."""
    return enterprises.list_products(session, enterprise=enterprise)


@router.post("/products", response_model=ProductRead, status_code=CREATED)
def add_product(
    *,
    body: ProductCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> ProductRead:
    """Register a product by GTIN (check digit validated)."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return enterprises.add_product(session, body, actor=actor, clock=clock)


@router.get("/links", response_model=list[LinkRead])
def list_links(*, session: SessionDep) -> list[LinkRead]:
    """Standing supply relations (the disruption model's network)."""
    return enterprises.list_links(session)


@router.post("/links", response_model=LinkRead, status_code=CREATED)
def add_link(
    *,
    body: LinkCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> LinkRead:
    """Record a supply relation."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return enterprises.add_link(session, body, actor=actor, clock=clock)


@router.get("/chains", response_model=list[ChainRead])
def list_chains(*, session: SessionDep) -> list[ChainRead]:
    """Chains with their current rules and members."""
    return chains.list_chains(session)


@router.post("/chains", response_model=ChainRead, status_code=CREATED)
def create_chain(
    *,
    body: ChainCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> ChainRead:
    """Create a chain with its join and exit rules (version 1)."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return chains.create_chain(session, body, actor=actor, clock=clock)


@router.get("/chains/{chain_id}", response_model=ChainRead)
def get_chain(*, chain_id: ChainId, session: SessionDep) -> ChainRead:
    """One chain."""
    return chains.get_chain(session, chain_id)


@router.put("/chains/{chain_id}/rules", response_model=ChainRead)
def update_rules(
    *,
    chain_id: ChainId,
    body: RulesUpdate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> ChainRead:
    """Publish a new version of the chain's rules."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return chains.update_rules(session, chain_id, body.rules, actor=actor, clock=clock)


@router.post("/chains/{chain_id}/join", response_model=DecisionRead, status_code=CREATED)
def join(
    *,
    chain_id: ChainId,
    body: JoinRequest,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> DecisionRead:
    """Apply to join: every join rule evaluated with reasons; the decision is audited."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return chains.join(session, chain_id, body, actor=actor, clock=clock)


@router.post("/chains/{chain_id}/exit", response_model=DecisionRead, status_code=CREATED)
def leave(
    *,
    chain_id: ChainId,
    body: ExitRequest,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> DecisionRead:
    """Leave voluntarily, or review one member against the exit rules; audited."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return chains.leave(session, chain_id, body, actor=actor, clock=clock)


@router.post("/chains/{chain_id}/review", response_model=list[DecisionRead])
def review(
    *,
    chain_id: ChainId,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> list[DecisionRead]:
    """Review every member against the exit rules; one audited decision each."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return chains.review(session, chain_id, actor=actor, clock=clock)


@router.get("/decisions", response_model=list[DecisionRead])
def list_decisions(
    *,
    session: SessionDep,
    chain: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")] = None,
    enterprise: Annotated[str | None, Query(max_length=40)] = None,
) -> list[DecisionRead]:
    """Join and exit decisions, newest first, with the rule version applied."""
    return chains.decisions(session, chain_id=chain, enterprise=enterprise)


@router.get("/offers", response_model=list[OfferRead])
def list_offers(*, session: SessionDep) -> list[OfferRead]:
    """Open offers."""
    return matching.list_offers(session)


@router.post("/offers", response_model=OfferRead, status_code=CREATED)
def post_offer(
    *,
    body: OfferCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> OfferRead:
    """Post an offer."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return matching.post_offer(session, body, actor=actor, clock=clock)


@router.get("/needs", response_model=list[NeedRead])
def list_needs(*, session: SessionDep) -> list[NeedRead]:
    """Open needs."""
    return matching.list_needs(session)


@router.post("/needs", response_model=NeedRead, status_code=CREATED)
def post_need(
    *,
    body: NeedCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> NeedRead:
    """Post a need."""
    actor = principal.acting_for(Role.DATA_STEWARD, member)
    return matching.post_need(session, body, actor=actor, clock=clock)


@router.get("/matches", response_model=MatchReport)
def matches(
    *,
    session: SessionDep,
    product_class: Annotated[str | None, Query(pattern=r"^[A-T](\d{2}|\d{3}|\d{4})?$")] = None,
) -> MatchReport:
    """Match open offers and needs across the region, each match explained."""
    return matching.match(session, product_class=product_class)


@router.post("/disruption/run", response_model=DisruptionReport)
def run_disruption(*, body: ScenarioSpec, session: SessionDep) -> DisruptionReport:
    """Run a scenario on the stored network (writes nothing); ``levels_source`` adds the
    epidemic domain's response levels through the scenario's ``level_shares``."""
    return disruption.run(session, body, level_sources=EpidemicLevels())


@router.get("/scenarios", response_model=list[ScenarioRead])
def list_scenarios(*, session: SessionDep) -> list[ScenarioRead]:
    """Saved disruption scenarios."""
    return disruption.list_scenarios(session)


@router.post("/scenarios", response_model=ScenarioRead, status_code=CREATED)
def save_scenario(
    *,
    body: ScenarioCreate,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    member: Member = None,
) -> ScenarioRead:
    """Save a scenario."""
    actor = principal.acting_for(Role.ANALYST, member)
    return disruption.save(session, body, actor=actor, clock=clock)


@router.get("/scenarios/{scenario_id}/run", response_model=DisruptionReport)
def run_saved(*, scenario_id: ChainId, session: SessionDep) -> DisruptionReport:
    """Run a saved scenario."""
    return disruption.run_saved(session, scenario_id, level_sources=EpidemicLevels())
