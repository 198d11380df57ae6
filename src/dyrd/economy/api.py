"""HTTP routes of the economy domain under /api/v1/economy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.types import Role
from dyrd.economy import service
from dyrd.economy.compute.composite import Method
from dyrd.economy.compute.tiva import Post
from dyrd.economy.schemas import (
    AlertsReport,
    ConvergenceReport,
    CouplingReport,
    IndexReport,
    IndicatorRead,
    InequalityReport,
    ValueAddedReport,
    YearbookImportReport,
)
from dyrd.economy.service import export
from dyrd.economy.service.imports import MAX_IMPORT_BYTES
from dyrd.economy.service.index import MissingPolicy
from dyrd.economy.service.inequality import Grouping, Weighting
from dyrd.economy.service.radar import radar_png
from dyrd.economy.types import (
    Aggregation,
    Concept,
    EntropyVariant,
    Normalisation,
    WeightScheme,
)

router = APIRouter(prefix="/api/v1/economy", tags=["economy"])

Year = Annotated[int, Query(ge=1949, le=2100)]
Code = Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Catalog indicator")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/indicators", response_model=list[IndicatorRead])
def indicators(session: SessionDep) -> list[IndicatorRead]:
    """The indicator catalog under the five development concepts, with years that have values."""
    return service.list_indicators(session)


def _index_report(
    *,
    session: SessionDep,
    year: Annotated[list[Annotated[int, Query(ge=1949, le=2100)]], Query(max_length=30)],
    indicator: Annotated[list[str] | None, Query(max_length=60)] = None,
    aggregation: Aggregation = Aggregation.TOPSIS,
    normalisation: Normalisation = Normalisation.MINMAX,
    entropy: EntropyVariant = EntropyVariant.MINMAX,
    weights: WeightScheme = WeightScheme.POOLED,
    missing: MissingPolicy = MissingPolicy.DROP_INDICATOR,
    stability: Annotated[int, Query(ge=0, le=5000)] = 0,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
) -> IndexReport:
    # One set of query parameters for the JSON, CSV and XLSX forms of the index.
    return service.composite_index(
        session,
        years=year,
        indicators=indicator,
        method=Method(
            aggregation=aggregation, normalisation=normalisation, entropy=entropy, scheme=weights
        ),
        missing=missing,
        stability_draws=stability,
        seed=seed,
    )


IndexDep = Annotated[IndexReport, Depends(_index_report)]


@router.get("/index", response_model=IndexReport)
def index(report: IndexDep) -> IndexReport:
    """Composite index with its method, weights, ranks, sub-indices and what was left out."""
    return report


@router.get("/index.csv", response_class=Response)
def index_csv(report: IndexDep) -> Response:
    """The composite index as CSV: one row per city and year, sub-indices, method columns."""
    return Response(
        content=export.index_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="economy-index.csv"'},
    )


@router.get("/index.xlsx", response_class=Response)
def index_xlsx(report: IndexDep) -> Response:
    """The composite index as an XLSX workbook: index, method and indicator-weight sheets."""
    return Response(
        content=export.index_xlsx(report),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="economy-index.xlsx"'},
    )


@router.get("/radar.png", response_class=Response)
def radar(
    report: IndexDep,
    city: Annotated[str, Query(pattern=r"^\d{6}$", description="City code in the index")],
) -> Response:
    """One city's five concept sub-indices as a PNG radar (same parameters as /index)."""
    return Response(content=radar_png(report, city), media_type="image/png")


@router.get("/inequality", response_model=InequalityReport)
def inequality(
    *,
    session: SessionDep,
    indicator: Code,
    year: Year,
    weight: Weighting = Weighting.NONE,
    groups: Grouping = Grouping.NONE,
) -> InequalityReport:
    """Gini, Theil T/L (decomposed by province if asked), CV and Dagum of one indicator."""
    return service.inequality(session, indicator=indicator, year=year, weight=weight, groups=groups)


@router.get("/convergence", response_model=ConvergenceReport)
def convergence(
    *, session: SessionDep, indicator: Code, start: Year, end: Year
) -> ConvergenceReport:
    """σ-convergence per year and β-convergence between the first and last year with values."""
    return service.convergence(session, indicator=indicator, start=start, end=end)


@router.get("/coupling", response_model=CouplingReport)
def coupling(
    *,
    session: SessionDep,
    year: Year,
    concept: Annotated[list[Concept] | None, Query(max_length=5)] = None,
) -> CouplingReport:
    """Coupling-coordination degree D of the concept sub-indices, with its band per city."""
    return service.coupling(session, year=year, concepts=concept)


@router.get("/alerts", response_model=AlertsReport)
def alerts(session: SessionDep) -> AlertsReport:
    """Early-warning rules (sample rules labelled) over the stored series; no data is reported."""
    return service.evaluate_alerts(session)


@router.post(
    "/statistics/import",
    response_model=YearbookImportReport,
    status_code=status.HTTP_201_CREATED,
)
def import_yearbook(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="Long-form CSV/XLSX")],
    source: Annotated[str | None, Form(max_length=2000)] = None,
    replace: Annotated[bool, Form()] = False,
    member: Annotated[str | None, Form(max_length=128)] = None,
) -> YearbookImportReport:
    """Import a yearbook table (code, indicator, year, value, unit, source); data_steward role."""
    actor = principal.acting_for(Role.DATA_STEWARD, member or None)
    return service.import_yearbook(
        session,
        content=file.file.read(MAX_IMPORT_BYTES + 1),
        filename=file.filename or "",
        actor=actor,
        clock=clock,
        source=source,
        replace=replace,
    )


@router.post("/value-added", response_model=ValueAddedReport)
def value_added(
    *,
    inter: Annotated[UploadFile, File(description="Z: region-sector x region-sector CSV")],
    final: Annotated[UploadFile, File(description="Y: region-sector x destination region CSV")],
    output: Annotated[UploadFile, File(description="x: gross output CSV")],
    sectors: Annotated[int, Form(ge=1, le=1000)],
    post: Annotated[Post, Form()] = Post.EXPORTS,
) -> ValueAddedReport:
    """Leontief value-added origin of exports from an uploaded multi-region IO table."""
    limit = 5 * 1024 * 1024
    return service.value_added(
        inter=inter.file.read(limit),
        final=final.file.read(limit),
        output=output.file.read(limit),
        n_sectors=sectors,
        post=post,
    )
