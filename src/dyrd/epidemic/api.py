"""HTTP routes of the epidemic domain under /api/v1/epidemic (forecasts, levels, scenarios,
the calibration's diagnostics)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from dyrd.core.deps import SessionDep
from dyrd.epidemic.errors import InvalidParameter, field
from dyrd.epidemic.schemas import (
    CalibrationRead,
    ForecastReport,
    LevelReport,
    LevelThresholdsIn,
    PaperValue,
    PosteriorRowRead,
    ScenarioReport,
    ScenarioRequest,
)
from dyrd.epidemic.service.forecasts import forecast
from dyrd.epidemic.service.levels import response_levels
from dyrd.epidemic.service.posterior import bundled_calibration
from dyrd.epidemic.service.scenarios import scenario
from dyrd.epidemic.types import PARAMETERS

router = APIRouter(prefix="/api/v1/epidemic", tags=["epidemic"])

Origin = Annotated[
    date | None,
    Query(description="First forecast day (data before it are used); default: end of series"),
]
Members = Annotated[int, Query(ge=10, le=300, description="Ensemble members")]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1)]


@router.get("/forecasts", response_model=ForecastReport)
def forecasts(
    session: SessionDep, origin: Origin = None, members: Members = 200, seed: Seed = 0
) -> ForecastReport:
    """7/14/21/28-day-ahead weekly reported cases per city as the hubs' 23 quantiles."""
    return forecast(session, origin=origin, n_members=members, seed=seed)


@router.get("/levels", response_model=LevelReport)
def levels(  # noqa: PLR0917 - each threshold is its own query parameter
    session: SessionDep,
    origin: Origin = None,
    level_iii: Annotated[float, Query(gt=0, le=1e6)] = 10.0,
    level_ii: Annotated[float, Query(gt=0, le=1e6)] = 50.0,
    level_i: Annotated[float, Query(gt=0, le=1e6)] = 100.0,
    growth: Annotated[float, Query(gt=1, le=1000)] = 2.0,
    bed_share_ii: Annotated[float, Query(gt=0, le=1)] = 0.10,
    bed_share_i: Annotated[float, Query(gt=0, le=1)] = 0.15,
    members: Members = 200,
    seed: Seed = 0,
) -> LevelReport:
    """Recommended level I-IV per city with reasons, and the level declared that day."""
    try:
        th = LevelThresholdsIn(
            incidence_level_iii=level_iii,
            incidence_level_ii=level_ii,
            incidence_level_i=level_i,
            growth_escalation_ratio=growth,
            bed_share_level_ii=bed_share_ii,
            bed_share_level_i=bed_share_i,
        )
    except ValidationError as exc:
        msg = "; ".join(str(e["msg"]) for e in exc.errors())
        raise InvalidParameter(
            f"invalid thresholds: {msg}",
            "阈值无效：须 III < II < I，床位占比 II < I",
            errors=[field("thresholds", msg, "阈值顺序无效")],
        ) from None
    return response_levels(session, origin=origin, thresholds=th, n_members=members, seed=seed)


@router.post("/scenarios", response_model=ScenarioReport)
def scenarios(session: SessionDep, request: ScenarioRequest) -> ScenarioReport:
    """Run a mobility and/or transmission cut against the baseline (nothing is stored)."""
    return scenario(session, request=request)


@router.get("/calibration", response_model=CalibrationRead)
def calibration() -> CalibrationRead:
    """The bundled IF-EAKF calibration (Li et al. 10-23 Jan 2020): posterior against the paper."""
    diag = bundled_calibration()
    return CalibrationRead(
        source=diag.posterior.source,
        seconds=diag.seconds,
        parameters=[str(p) for p in PARAMETERS],
        posterior=[
            PosteriorRowRead(
                name=r.name,
                estimate=r.estimate,
                median=r.median,
                low=r.low,
                high=r.high,
                paper=None
                if r.paper_median is None or r.paper_low is None or r.paper_high is None
                else PaperValue(median=r.paper_median, low=r.paper_low, high=r.paper_high),
                inside_paper_interval=r.inside_paper_interval,
            )
            for r in diag.rows
        ],
        iteration_means=[list(row) for row in diag.iteration_means],
        ensemble_size=len(diag.posterior.ensemble),
    )
