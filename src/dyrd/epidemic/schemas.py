"""Pydantic I/O of the epidemic domain: forecasts, backtest, response levels, scenarios."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator, model_validator

from dyrd.epidemic.compute.scenarios import InterventionKind


class QuantileForecast(BaseModel):
    """Weekly reported cases ending ``target_end_date`` (inclusive), as the hub quantiles."""

    horizon_days: int = Field(
        description="7, 14, 21 or 28: end of the target week after the origin"
    )
    target_start_date: date
    target_end_date: date
    quantiles: list[float]
    median: float
    observed: float | None = Field(description="Reported cases that week, if inside the series")


class CityForecastRead(BaseModel):
    """One city's observed daily reports up to the origin and its weekly forecasts."""

    code: str
    name_zh: str
    name_en: str
    population: float
    observed_dates: list[date]
    observed_daily: list[float]
    forecasts: list[QuantileForecast]


class ForecastReport(BaseModel):
    """Forecasts of all cities at one origin."""

    origin: date = Field(description="First forecast day; data up to the day before are used")
    quantile_levels: list[float]
    target: str
    method: str
    transmission_factor: float = Field(description="Median fitted multiplier kappa on beta")
    parameters: str = Field(description="Where the model parameters come from")
    inputs: str = Field(description="Where the case series and the trips come from")
    n_members: int
    seed: int
    cities: list[CityForecastRead]


class ModelScores(BaseModel):
    """Mean WIS and interval coverage of one forecaster."""

    mean_wis: float
    mean_log_wis: float = Field(description="Mean WIS of log(x + 1)-transformed forecasts")
    coverage_50: float
    coverage_95: float


class BacktestCityRow(BaseModel):
    """Scores of one city over all origins and horizons."""

    code: str
    name_zh: str
    name_en: str
    forecasts: int
    observed_total: float
    wis_model: float
    wis_no_mobility: float
    wis_flat: float
    coverage_50: float
    coverage_95: float


class BacktestReport(BaseModel):
    """The headline figures the issue asks for, plus per-forecaster and per-city detail."""

    origins: list[date]
    forecasts: int
    relative_wis_vs_flat: float
    relative_wis_vs_no_mobility: float
    coverage_50: float
    coverage_95: float
    relative_log_wis_vs_flat: float
    relative_log_wis_vs_no_mobility: float
    models: dict[str, ModelScores]
    parameters: str = Field(description="Where the model parameters come from")
    inputs: str = Field(description="Where the case series and the trips come from")
    n_members: int
    seed: int
    cities: list[BacktestCityRow]


class Comparison(StrEnum):
    """Recommended against declared level (lower number = more serious)."""

    SAME = "same"
    MORE_SERIOUS = "more-serious"
    LESS_SERIOUS = "less-serious"
    NONE_DECLARED = "none-declared"


class LevelThresholdsIn(BaseModel):
    """Configurable thresholds (defaults in compute/response_levels.py, with sources)."""

    incidence_level_iii: float = Field(10.0, gt=0, le=1e6)
    incidence_level_ii: float = Field(50.0, gt=0, le=1e6)
    incidence_level_i: float = Field(100.0, gt=0, le=1e6)
    growth_escalation_ratio: float = Field(2.0, gt=1, le=1000)
    bed_share_level_ii: float = Field(0.10, gt=0, le=1)
    bed_share_level_i: float = Field(0.15, gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> LevelThresholdsIn:
        if not self.incidence_level_iii < self.incidence_level_ii < self.incidence_level_i:
            raise ValueError("incidence thresholds must increase: III < II < I")
        if not self.bed_share_level_ii < self.bed_share_level_i:
            raise ValueError("bed-share thresholds must increase: II < I")
        return self


class LevelRead(BaseModel):
    """Recommended level of one city with its reason and the level declared that day."""

    code: str
    name_zh: str
    name_en: str
    province_code: str
    level: int = Field(ge=1, le=4)
    level_roman: str
    level_zh: str
    incidence_per_100k: float
    growth_ratio: float | None
    bed_share: float | None
    reason_zh: str
    reason_en: str
    declared_level: int | None
    comparison: Comparison


class LevelReport(BaseModel):
    """Recommendations for all cities at one origin."""

    origin: date
    thresholds: LevelThresholdsIn
    agreement: float | None = Field(description="Share of cities where recommended = declared")
    declared_source: str
    parameters: str = Field(description="Where the forecast's model parameters come from")
    inputs: str = Field(description="Where the case series and the trips come from")
    cities: list[LevelRead]


class InterventionIn(BaseModel):
    """A mobility or transmission reduction in some cities (all if ``cities`` is empty)."""

    kind: InterventionKind
    reduction: float = Field(ge=0, le=1, description="Share removed, 0..1")

    @field_validator("reduction", mode="before")
    @classmethod
    def _not_bool(cls, v: object) -> object:
        # JSON true/false is not a share: pydantic's lax mode would read it as 1.0/0.0.
        if isinstance(v, bool):
            raise ValueError("reduction must be a number, not a boolean")  # noqa: TRY004 - pydantic wants ValueError
        return v

    start: date
    end: date | None = None
    cities: list[str] = Field(default_factory=list, max_length=41)

    @field_validator("cities")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        for c in v:
            if not (len(c) == 6 and c.isdigit()):
                raise ValueError(f"{c!r} is not a 6-digit division code")
        return v

    @model_validator(mode="after")
    def _span(self) -> InterventionIn:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ScenarioRequest(BaseModel):
    """A scenario on the 41-city network, started from the observed state on ``start``."""

    name: str = Field("scenario", min_length=1, max_length=80)
    start: date = Field(date(2020, 1, 24), description="Day 0; the state is warm-started there")
    days: StrictInt = Field(90, ge=7, le=150)
    interventions: list[InterventionIn] = Field(default_factory=list, max_length=20)
    n_members: StrictInt = Field(20, ge=1, le=50)
    stochastic: StrictBool = True
    seed: StrictInt = Field(0, ge=0, le=2**32 - 1)
    arrival_threshold: float = Field(1.0, gt=0, le=1e6)

    @field_validator("arrival_threshold", mode="before")
    @classmethod
    def _not_bool(cls, v: object) -> object:
        # As above: a boolean is not a case count.
        if isinstance(v, bool):
            raise ValueError("arrival_threshold must be a number, not a boolean")  # noqa: TRY004
        return v


class CityImpactRead(BaseModel):
    """Effect of a scenario on one city."""

    code: str
    name_zh: str
    name_en: str
    infections_baseline: float
    infections_scenario: float
    infections_averted: float
    documented_baseline: float
    documented_scenario: float
    peak_date_baseline: date
    peak_date_scenario: date
    arrival_date_baseline: date | None
    arrival_date_scenario: date | None
    arrival_delay_days: float | None
    exposed_gdp_share: float
    exposed_gdp_100m_yuan: float | None


class ScenarioReport(BaseModel):
    """Per-city impacts and the median daily infections of both runs (all cities summed)."""

    name: str
    start: date
    days: int
    dates: list[date]
    total_baseline: list[float]
    total_scenario: list[float]
    infections_averted: float
    parameters: str = Field(description="Where the model parameters come from")
    inputs: str = Field(description="Where the case series and the trips come from")
    cities: list[CityImpactRead]


class PaperValue(BaseModel):
    """Li et al. (2020) Table 1: median and 95% interval."""

    median: float
    low: float
    high: float


class PosteriorRowRead(BaseModel):
    """One parameter of a calibration against the paper."""

    name: str
    estimate: float = Field(description="Iterated-filtering point estimate")
    median: float = Field(description="Median of the final ensemble")
    low: float = Field(description="2.5th percentile of the final ensemble")
    high: float = Field(description="97.5th percentile of the final ensemble")
    paper: PaperValue | None
    inside_paper_interval: bool | None


class CalibrationRead(BaseModel):
    """The bundled IF-EAKF calibration on Li et al.'s data: posterior and convergence."""

    source: str
    seconds: float
    parameters: list[str]
    posterior: list[PosteriorRowRead]
    iteration_means: list[list[float]] = Field(
        description="Parameter means that started each iteration, in `parameters` order"
    )
    ensemble_size: int
