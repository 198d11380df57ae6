"""HTTP routes of the region domain under /api/v1/region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile, status
from pydantic import Field

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.pagination import MAX_OFFSET, MAX_PAGE_SIZE, PageRequest
from dyrd.core.types import Role
from dyrd.region import service
from dyrd.region.compute.cells import INDICATOR_CODE
from dyrd.region.repository import StatisticFilter
from dyrd.region.schemas import (
    CityDetail,
    CityRead,
    GeoJSONFeature,
    GeoJSONFeatureCollection,
    ImportReport,
    IndicatorRead,
    JurisdictionRead,
    StatisticPage,
)

router = APIRouter(prefix="/api/v1/region", tags=["region"])

CityCode = Annotated[
    str, Path(pattern=r"^\d{6}$", description="6-digit division code, e.g. 320500 (Suzhou)")
]
ProvinceCode = Annotated[
    str | None, Query(pattern=r"^\d{6}$", description="Province code, e.g. 320000 (Jiangsu)")
]


@router.get("/jurisdictions", response_model=list[JurisdictionRead])
def jurisdictions(session: SessionDep) -> list[JurisdictionRead]:
    """The four province-level jurisdictions."""
    return service.list_jurisdictions(session)


@router.get("/cities", response_model=list[CityRead])
def cities(session: SessionDep, province: ProvinceCode = None) -> list[CityRead]:
    """The 41 cities with their headline population and GDP."""
    return service.list_cities(session, province=province)


@router.get("/cities/{code}", response_model=CityDetail)
def city(session: SessionDep, code: CityCode) -> CityDetail:
    """One city with all its statistics and their sources."""
    return service.get_city(session, code)


@router.get("/cities/{code}/boundary", response_model=GeoJSONFeature)
def city_boundary(session: SessionDep, code: CityCode) -> GeoJSONFeature:
    """The city's boundary as a GeoJSON Feature."""
    return service.city_boundary(session, code)


@router.get("/boundaries", response_model=GeoJSONFeatureCollection)
def boundaries(session: SessionDep, province: ProvinceCode = None) -> GeoJSONFeatureCollection:
    """All city boundaries as a GeoJSON FeatureCollection."""
    return service.boundaries(session, province=province)


@router.get("/indicators", response_model=list[IndicatorRead])
def indicators(session: SessionDep) -> list[IndicatorRead]:
    """Indicator definitions and the years that have values."""
    return service.list_indicators(session)


@router.get("/statistics", response_model=StatisticPage)
def statistics(
    *,
    session: SessionDep,
    indicator: Annotated[
        list[Annotated[str, Field(pattern=INDICATOR_CODE.pattern)]] | None, Query(max_length=50)
    ] = None,
    year: Annotated[
        list[Annotated[int, Field(ge=1949, le=2100)]] | None, Query(max_length=50)
    ] = None,
    city: Annotated[
        list[Annotated[str, Field(pattern=r"^\d{6}$")]] | None, Query(max_length=50)
    ] = None,
    province: Annotated[
        list[Annotated[str, Field(pattern=r"^\d{6}$")]] | None, Query(max_length=4)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> StatisticPage:
    """Long-form statistics, filtered and paged."""
    flt = StatisticFilter(
        indicators=tuple(indicator or ()),
        years=tuple(year or ()),
        cities=tuple(city or ()),
        provinces=tuple(province or ()),
    )
    return service.query_statistics(session, flt, PageRequest(limit=limit, offset=offset))


MAX_UPLOAD_BYTES = service.MAX_IMPORT_BYTES


@router.post(
    "/statistics/import",
    response_model=ImportReport,
    status_code=status.HTTP_201_CREATED,
    summary="Import a table of statistics (CSV or XLSX, long or wide)",
)
def import_statistics(
    *,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8 or GBK) or XLSX; long or wide layout")
    ],
    source: Annotated[
        str | None,
        Form(max_length=2000, description="Source of rows whose source cell is empty"),
    ] = None,
    replace: Annotated[
        bool, Form(description="Overwrite values already stored for the same key")
    ] = False,
    year: Annotated[
        int | None, Form(ge=1949, le=2100, description="Year of a table without a year column")
    ] = None,
    member: Annotated[
        str | None,
        Form(max_length=128, description="Member to record the import for (default: your own)"),
    ] = None,
    sheet: Annotated[
        str | None, Form(max_length=255, description="XLSX sheet name (default: the first)")
    ] = None,
) -> ImportReport:
    """Import every row of an uploaded table, or none; needs the data_steward role.

    422 lists every problem by row and column; 409 lists values already stored (send
    replace=true to overwrite them).
    """
    actor = principal.acting_for(Role.DATA_STEWARD, member or None)
    # Read one byte past the cap so the service can tell "too large" without reading it all.
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    return service.import_statistics(
        session,
        content=content,
        filename=file.filename or "",
        actor=actor,
        clock=clock,
        source=source,
        replace=replace,
        year=year,
        sheet=sheet or None,
        max_bytes=MAX_UPLOAD_BYTES,
    )
