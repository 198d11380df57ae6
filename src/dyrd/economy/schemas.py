"""Pydantic I/O of the economy domain."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dyrd.economy.types import (
    Aggregation,
    Concept,
    Direction,
    EntropyVariant,
    Normalisation,
    WeightScheme,
)


class IndicatorRead(BaseModel):
    """A catalog indicator with the years that have values for it."""

    code: str
    name_zh: str
    name_en: str
    concept: Concept
    concept_zh: str
    direction: Direction
    unit: str
    definition: str
    derived: bool
    inputs: list[str]
    in_default_index: bool
    reference: str
    years: list[int] = Field(description="Years with at least one value (derived: every input)")
    no_data_reason: str | None = Field(
        default=None, description="Why there are no values (no licensed source, inputs missing)"
    )
    no_data_reason_zh: str | None = None


class MissingValue(BaseModel):
    """A unit without a value, and why."""

    city_code: str
    indicator: str
    year: int
    reason: str
    reason_zh: str


class MethodRead(BaseModel):
    """Every choice behind an index, recorded with it."""

    aggregation: Aggregation
    normalisation: Normalisation
    entropy: EntropyVariant | None = Field(description="None: weights were given, not entropy")
    entropy_convention: str = "0·ln0 = 0"
    shift: float
    weights: WeightScheme
    missing: str


class IndexIndicator(BaseModel):
    """One indicator of an index with its weight(s) and entropy(ies), one per year."""

    code: str
    concept: Concept
    direction: Direction
    unit: str
    weight: list[float]
    entropy: list[float | None]


class Stability(BaseModel):
    """How the rank moves when the weights are perturbed."""

    median_rank: float
    rank_p05: float
    rank_p95: float
    unchanged_share: float


class IndexCity(BaseModel):
    """One city's score, rank and sub-indices in one year."""

    city_code: str
    name_zh: str
    name_en: str
    province_code: str
    year: int
    score: float
    rank: int
    sub_indices: dict[str, float]
    stability: Stability | None = None


class IndexReport(BaseModel):
    """A composite index: method, indicators and weights, cities, and what was left out."""

    years: list[int]
    method: MethodRead
    indicators: list[IndexIndicator]
    cities: list[IndexCity]
    concepts_without_data: list[Concept]
    dropped_indicators: dict[str, str]
    dropped_cities: list[str]
    missing: list[MissingValue]
    stability_draws: int = 0
    stability_spread: float = 0.0
    stability_seed: int | None = None
    sources: list[str]


class GroupPart(BaseModel):
    """One group of a decomposition."""

    group: str
    n: int
    theil_t: float
    income_share: float
    population_share: float


class DagumRead(BaseModel):
    """Dagum Gini decomposition (cities weighted equally, or by population with --weight)."""

    total: float
    within: float
    net_between: float
    transvariation: float


class InequalityReport(BaseModel):
    """Inequality of one indicator across cities in one year."""

    indicator: str
    year: int
    weighted_by: str | None
    grouped_by: str | None
    n: int
    gini: float
    theil_t: float
    theil_t_between: float | None
    theil_t_within: float | None
    theil_l: float | None
    theil_l_between: float | None
    theil_l_within: float | None
    cv: float
    dagum: DagumRead | None
    groups: list[GroupPart]
    missing: list[MissingValue]
    notes: list[str]
    sources: list[str]

    def brief(self) -> dict[str, float | int | None]:
        """The six headline figures (`dyrd economy inequality --json`)."""
        return {
            "gini": self.gini,
            "theil_t": self.theil_t,
            "theil_t_between": self.theil_t_between,
            "theil_t_within": self.theil_t_within,
            "theil_l": self.theil_l,
            "n": self.n,
        }


class ConvergenceReport(BaseModel):
    """σ-convergence over the years with values and β-convergence from the first to the last."""

    indicator: str
    years: list[int]
    sigma: list[float]
    cv: list[float]
    n: list[int]
    beta: float | None
    alpha: float | None
    se_beta: float | None
    r_squared: float | None
    speed: float | None
    half_life: float | None
    beta_n: int
    missing: list[MissingValue]
    notes: list[str]


class YearbookImportReport(BaseModel):
    """What an economy yearbook import stored."""

    filename: str
    rows: int
    statistics_inserted: int
    statistics_replaced: int
    indicators_created: list[str]


class LoadReport(BaseModel):
    """What loading the bundled economy panel stored."""

    rows: int
    inserted: int
    already_stored: int


class ValueAddedRegion(BaseModel):
    """Gross exports and their domestic / foreign value added for one region."""

    region: str
    exports: float
    domestic_value_added: float
    foreign_value_added: float
    dva_share: float | None


class ValueAddedReport(BaseModel):
    """Leontief value-added decomposition of an uploaded multi-region IO table."""

    post: str
    labels: list[str]
    exports: list[float]
    domestic_value_added: list[float]
    foreign_value_added: list[float]
    regions: list[ValueAddedRegion]
    matrix: list[list[float]]


class AlertRuleRead(BaseModel):
    """An early-warning rule as data: what it tests and with which parameters."""

    id: str
    kind: str
    scope: str
    description_zh: str
    description_en: str
    indicator: str
    other: str | None
    params: dict[str, int | float | str]
    sample: bool
    source: str


class AlertRead(BaseModel):
    """One triggered rule on one unit (a city, or the region for gap rules), with its data."""

    rule_id: str
    unit: str = Field(description="City code, or 'region' for a region-scope rule")
    name_zh: str
    name_en: str
    years: list[int]
    values: list[float]
    other_values: list[float]
    statistic: float | None = Field(description="Latest value, relative slope, growth gap or rise")
    sources: list[str]


class RuleResult(BaseModel):
    """A rule evaluated over every unit: alerts, how many were clear, and what had no data."""

    rule: AlertRuleRead
    status: str = Field(description="alert (any unit), clear, or no_data (no unit had data)")
    alerts: list[AlertRead]
    units_evaluated: int
    units_clear: int
    units_no_data: int
    no_data_reason: str
    no_data_reason_zh: str


class AlertsReport(BaseModel):
    """Every early-warning rule evaluated over the stored indicator time series."""

    results: list[RuleResult]
    alerts: int
    rules_without_data: list[str]


class CouplingBand(BaseModel):
    """One class of the coupling-coordination degree: lower < D <= upper."""

    level: int
    lower: float
    upper: float
    name_zh: str
    name_en: str


class CouplingCity(BaseModel):
    """One city's subsystem scores U, coupling C, development T, coordination D and its band."""

    city_code: str
    name_zh: str
    name_en: str
    province_code: str
    subsystems: dict[str, float]
    coupling: float
    development: float
    coordination: float
    band: int
    band_zh: str
    band_en: str


class CouplingReport(BaseModel):
    """Coupling-coordination degree of the concept sub-indices of a composite index."""

    year: int
    subsystems: list[Concept]
    alpha: list[float]
    formula: str
    reference: str
    bands: list[CouplingBand]
    cities: list[CouplingCity]
    concepts_without_data: list[Concept]
    index_method: MethodRead
    sources: list[str]
