"""Pydantic I/O of the supply domain (enterprises, chains, matching, disruption)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dyrd.supply.compute.disruption import DEFAULT_BUFFER_DAYS, DEFAULT_TAU_DAYS
from dyrd.supply.types import CreditGrade, DecisionKind, DecisionOutcome, LevelsSource, Severity

CityCode = Annotated[str, Field(pattern=r"^\d{6}$", description="GB/T 2260 city code")]
# GB/T 4754-2017 codes: a section letter, then 2-4 digits (e.g. C36, C3670, C3973).
ProductClass = Annotated[
    str, Field(pattern=r"^[A-T](\d{2}|\d{3}|\d{4})?$", description="GB/T 4754-2017 class")
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
CreditCodeStr = Annotated[str, Field(min_length=1, max_length=40, description="GB 32100 code")]
Positive = Annotated[float, Field(gt=0, le=1e15)]
LevelKey = Annotated[str, Field(pattern=r"^[1-4]$")]
Share = Annotated[float, Field(ge=0, le=1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EnterpriseCreate(_In):
    """A new enterprise; the code's check character is validated (GB 32100-2015)."""

    code: CreditCodeStr
    name_zh: Name
    name_en: Name
    city_code: CityCode
    industry: ProductClass
    credit_grade: CreditGrade | None = None
    gln: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    final_demand_per_day: Annotated[float, Field(ge=0, le=1e15)] = 0.0


class CertificationCreate(_In):
    """A certification held on [valid_from, valid_until]."""

    name: Name
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _ordered(self) -> CertificationCreate:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from / 有效期结束早于开始")
        return self


class ViolationCreate(_In):
    """A recorded violation."""

    occurred_on: date
    severity: Severity
    authority: Name


class CertificationRead(_Read):
    """A certification."""

    name: str
    valid_from: date
    valid_until: date


class ViolationRead(_Read):
    """A violation."""

    occurred_on: date
    severity: Severity
    authority: str


class EnterpriseRead(_Read):
    """An enterprise with its decoded code, certifications and violations."""

    code: str
    name_zh: str
    name_en: str
    city_code: str
    industry: str
    credit_grade: CreditGrade | None
    gln: str | None
    final_demand_per_day: float
    registration_division: str = ""
    certifications: list[CertificationRead] = []
    violations: list[ViolationRead] = []
    chains: list[str] = []


class ProductCreate(_In):
    """A product by GTIN-8/12/13/14 (check digit validated; stored as GTIN-14)."""

    gtin: Annotated[str, Field(min_length=1, max_length=20)]
    name: Name
    product_class: ProductClass
    enterprise_code: CreditCodeStr


class ProductRead(_Read):
    """A product."""

    gtin: str
    name: str
    product_class: str
    enterprise_code: str


class ChainCreate(_In):
    """A chain with its first rule set (see ``compute.join_rules`` for the rule kinds)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    name_zh: Name
    name_en: Name
    product_class: ProductClass
    description: Annotated[str, Field(max_length=4000)] = ""
    rules: dict[str, Any]


class RulesUpdate(_In):
    """A new version of a chain's rules (earlier decisions keep the version they applied)."""

    rules: dict[str, Any]


class ChainRead(_Read):
    """A chain, its current rules and members."""

    id: str
    name_zh: str
    name_en: str
    product_class: str
    description: str
    rule_version: int
    rules: dict[str, Any]
    members: list[str] = []
    cities: list[str] = []


class JoinRequest(_In):
    """Apply to join a chain; the rules are evaluated on ``on`` (default: today)."""

    enterprise_code: CreditCodeStr
    on: date | None = None


class ExitRequest(_In):
    """Leave a chain voluntarily, or have a member reviewed against the exit rules."""

    enterprise_code: CreditCodeStr
    voluntary: bool = False
    note: Annotated[str, Field(max_length=500)] = ""
    on: date | None = None


class RuleResultRead(BaseModel):
    """One rule's result and reason."""

    index: int
    kind: str
    passed: bool
    reason: str
    reason_zh: str


class DecisionRead(_Read):
    """A join or exit decision, the rule version applied, and its ledger entry."""

    id: str
    chain_id: str
    enterprise_code: str
    kind: DecisionKind
    outcome: DecisionOutcome
    rule_version: int
    decided_on: date
    results: list[RuleResultRead]
    note: str
    ledger_seq: int
    created_by: str
    created_at: datetime


class LinkCreate(_In):
    """A standing supply relation (daily value) used by the disruption model."""

    supplier_code: CreditCodeStr
    customer_code: CreditCodeStr
    product_class: ProductClass
    value_per_day: Positive


class LinkRead(_Read):
    """A supply relation."""

    supplier_code: str
    customer_code: str
    product_class: str
    value_per_day: float


class OfferCreate(_In):
    """Supply offered: quantity of a class, lead time, from the enterprise's city unless given."""

    enterprise_code: CreditCodeStr
    product_class: ProductClass
    gtin: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    quantity: Positive
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    lead_days: Annotated[float, Field(ge=0, le=3650)]
    city_code: CityCode | None = None


class NeedCreate(_In):
    """Demand posted: quantity of a class within a lead time and distance."""

    enterprise_code: CreditCodeStr
    product_class: ProductClass
    quantity: Positive
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    max_lead_days: Annotated[float, Field(gt=0, le=3650)]
    max_km: Annotated[float, Field(gt=0, le=5000)]
    city_code: CityCode | None = None


class OfferRead(_Read):
    """An offer."""

    id: str
    enterprise_code: str
    product_class: str
    gtin: str | None
    quantity: float
    unit: str
    lead_days: float
    city_code: str
    status: str
    created_at: datetime


class NeedRead(_Read):
    """A need."""

    id: str
    enterprise_code: str
    product_class: str
    quantity: float
    unit: str
    max_lead_days: float
    max_km: float
    city_code: str
    status: str
    created_at: datetime


class MatchRead(BaseModel):
    """One proposed allocation with its explanation."""

    offer_id: str
    need_id: str
    supplier: str
    buyer: str
    supplier_city: str
    buyer_city: str
    product_class: str
    quantity: float
    unit: str
    score: float
    distance_km: float
    lead_days: float
    coverage: float
    explanation: str
    explanation_zh: str


class MatchReport(BaseModel):
    """All matches of the open offers and needs, and the needs left (partly) unmatched."""

    weights: dict[str, float]
    matches: list[MatchRead]
    unmatched_needs: list[str]


class RestrictionPeriod(_In):
    """Share of a city's labour/production capacity lost on each day of [start, end]."""

    city: CityCode
    start: date
    end: date
    share: Annotated[float, Field(ge=0, le=1)]

    @model_validator(mode="after")
    def _ordered(self) -> RestrictionPeriod:
        if self.end < self.start:
            raise ValueError("end is before start / 结束日期早于开始日期")
        return self


class LevelPeriod(_In):
    """A public-health response level (1 = I highest ... 4 = IV) in force on [start, end]
    for a province (its cities) or a city."""

    jurisdiction: CityCode
    start: date
    end: date
    level: Annotated[int, Field(ge=1, le=4)]

    @model_validator(mode="after")
    def _ordered(self) -> LevelPeriod:
        if self.end < self.start:
            raise ValueError("end is before start / 结束日期早于开始日期")
        return self


class ScenarioSpec(_In):
    """A disruption scenario: restrictions per city and day, and model parameters.

    ``level_shares`` maps response levels ("1"-"4") to a capacity share lost; it has no
    default because no source gives one: the scenario's author states it. ``levels_source``
    adds the epidemic domain's levels (declared in 2020, or recommended at ``start``); the
    table must then give a share for every level I-IV.
    """

    name: Name
    start: date
    days: Annotated[int, Field(ge=1, le=366)]
    restrictions: Annotated[list[RestrictionPeriod], Field(max_length=2000)] = []
    levels: Annotated[list[LevelPeriod], Field(max_length=2000)] = []
    level_shares: dict[LevelKey, Share] = {}
    levels_source: LevelsSource | None = None
    chain: str | None = None
    buffer_days: Annotated[float, Field(ge=0, le=365)] = DEFAULT_BUFFER_DAYS
    tau_days: Annotated[float, Field(ge=1, le=365)] = DEFAULT_TAU_DAYS

    @model_validator(mode="after")
    def _levels_need_shares(self) -> ScenarioSpec:
        used = {str(p.level) for p in self.levels}
        if self.levels_source is not None:
            used |= {"1", "2", "3", "4"}
        missing = sorted(used - set(self.level_shares))
        if missing:
            raise ValueError(
                f"level_shares lacks levels {missing} / level_shares 缺少响应级别 {missing}"
            )
        return self


class ScenarioCreate(_In):
    """A scenario saved under an id."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    spec: ScenarioSpec


class ScenarioRead(_Read):
    """A saved scenario."""

    id: str
    name: str
    spec: ScenarioSpec
    created_at: datetime


class LossRow(BaseModel):
    """Direct, indirect and total loss of a city or a chain (value units x days)."""

    key: str
    name_zh: str
    name_en: str
    direct: float
    indirect: float
    total: float


class CriticalNode(BaseModel):
    """An enterprise whose shortfall most often bound its customers' production."""

    enterprise_code: str
    name_zh: str
    name_en: str
    city_code: str
    bottleneck_loss: float
    own_loss: float
    days_input_bound: int


class DisruptionReport(BaseModel):
    """Result of a scenario on the stored supply network."""

    scenario: str
    start: date
    days: int
    buffer_days: float
    tau_days: float
    nodes: int
    links: int
    direct: float
    indirect: float
    total: float
    indirect_to_direct: float | None
    baseline_per_day: float
    daily_output_share: list[float]
    cities: list[LossRow]
    chains: list[LossRow]
    critical: list[CriticalNode]
    method: str
