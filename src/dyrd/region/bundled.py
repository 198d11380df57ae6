"""Reference data shipped with the package: which CSV column is which indicator, and its source."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from dyrd.region.types import IndicatorDefinition, StatisticRecord

ENVCAUSAL = (
    "EnvCausal data/snapshot_data.csv @72f6745 (MIT); values match the 2019 city statistical "
    "communiqués (see region/data/README.md, note E)"
)


@dataclass(frozen=True, slots=True)
class BundledColumn:
    """A column of cities.csv that holds one indicator for one year."""

    column: str
    year: int
    definition: IndicatorDefinition


BUNDLED_COLUMNS: tuple[BundledColumn, ...] = (
    BundledColumn(
        "pop_resident_2019_10k",
        2019,
        IndicatorDefinition(
            "population_resident",
            "常住人口",
            "Resident population",
            "10k persons",
            "Year-end resident population",
        ),
    ),
    BundledColumn(
        "gdp_2019_100m_yuan",
        2019,
        IndicatorDefinition(
            "gdp",
            "地区生产总值",
            "GDP",
            "100m yuan",
            "Gross domestic product, current prices",
        ),
    ),
    BundledColumn(
        "gdp_primary_2019_100m_yuan",
        2019,
        IndicatorDefinition(
            "gdp_primary", "第一产业增加值", "Primary sector value added", "100m yuan"
        ),
    ),
    BundledColumn(
        "gdp_secondary_2019_100m_yuan",
        2019,
        IndicatorDefinition(
            "gdp_secondary",
            "第二产业增加值",
            "Secondary sector value added",
            "100m yuan",
        ),
    ),
    BundledColumn(
        "gdp_tertiary_2019_100m_yuan",
        2019,
        IndicatorDefinition(
            "gdp_tertiary",
            "第三产业增加值",
            "Tertiary sector value added",
            "100m yuan",
        ),
    ),
    BundledColumn(
        "share_pop_age60plus_2019",
        2019,
        IndicatorDefinition(
            "share_pop_age60plus",
            "60岁及以上人口占比",
            "Share of population aged 60+",
            "fraction",
        ),
    ),
    BundledColumn(
        "hospital_beds_per_1000_2019",
        2019,
        IndicatorDefinition(
            "hospital_beds_per_1000",
            "每千人医院床位数",
            "Hospital beds per 1,000",
            "per 1000 persons",
        ),
    ),
    BundledColumn(
        "doctors_per_1000_2019",
        2019,
        IndicatorDefinition(
            "doctors_per_1000",
            "每千人执业医师数",
            "Doctors per 1,000",
            "per 1000 persons",
        ),
    ),
    BundledColumn(
        "nurses_per_1000_2019",
        2019,
        IndicatorDefinition(
            "nurses_per_1000",
            "每千人注册护士数",
            "Nurses per 1,000",
            "per 1000 persons",
        ),
    ),
)


def _read_text(name: str) -> str:
    return (
        resources.files("dyrd.region").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    )


def read_provinces() -> list[dict[str, str]]:
    """Rows of provinces.csv."""
    return list(csv.DictReader(_read_text("provinces.csv").splitlines()))


def read_cities() -> list[dict[str, str]]:
    """Rows of cities.csv."""
    return list(csv.DictReader(_read_text("cities.csv").splitlines()))


def read_boundaries() -> dict[str, dict[str, Any]]:
    """GeoJSON geometry of each city, by division code."""
    collection = json.loads(_read_text("boundaries.geojson"))
    return {f["properties"]["code"]: f["geometry"] for f in collection["features"]}


def bundled_statistics(cities: list[dict[str, str]]) -> list[StatisticRecord]:
    """Long-form statistics from cities.csv; empty cells stay missing (no row)."""
    out: list[StatisticRecord] = []
    for row in cities:
        for col in BUNDLED_COLUMNS:
            raw = row[col.column].strip()
            if raw:
                out.append(
                    StatisticRecord(
                        city_code=row["code"],
                        indicator=col.definition.code,
                        year=col.year,
                        value=float(raw),
                        unit=col.definition.unit,
                        source=ENVCAUSAL,
                    )
                )
    return out
