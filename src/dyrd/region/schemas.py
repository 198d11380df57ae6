"""Pydantic I/O schemas of the region domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from dyrd.region.types import TableLayout


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class JurisdictionRead(_Read):
    """A province-level jurisdiction."""

    code: str
    name_zh: str
    name_en: str
    n_cities: int


class StatisticValue(BaseModel):
    """A value with its year, unit and source."""

    value: float
    year: int
    unit: str
    source: str


class CityRead(_Read):
    """A city with its headline statistics (latest year available)."""

    code: str
    name_zh: str
    name_en: str
    province_code: str
    province_zh: str
    province_en: str
    lat: float
    lon: float
    area_km2: float | None
    population: StatisticValue | None
    gdp: StatisticValue | None


class StatisticRead(_Read):
    """One long-form statistic and who recorded it."""

    city_code: str
    indicator: str
    year: int
    value: float
    unit: str
    source: str
    recorded_by: str
    recorded_for: str
    recorded_at: datetime


class StatisticPage(BaseModel):
    """A page of statistics."""

    items: list[StatisticRead]
    total: int
    limit: int
    offset: int


class IndicatorRead(_Read):
    """An indicator definition and the years that have values."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    description: str
    years: list[int]


class CityDetail(CityRead):
    """A city with every statistic stored for it."""

    statistics: list[StatisticRead]


class GeoJSONFeature(BaseModel):
    """A GeoJSON Feature (RFC 7946)."""

    type: str = "Feature"
    properties: dict[str, Any]
    geometry: dict[str, Any]


class GeoJSONFeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    type: str = "FeatureCollection"
    features: list[GeoJSONFeature]


class ImportReport(BaseModel):
    """What importing one table did."""

    filename: str
    layout: TableLayout
    rows_read: int
    """Non-blank data rows read (a wide row holds one value per indicator column)."""
    statistics_inserted: int
    statistics_replaced: int
    indicators_created: list[str]
    recorded_by: str
    recorded_for: str
    recorded_at: datetime
