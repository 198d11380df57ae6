"""Shared helpers of the health-code tests: cities, a fixed evaluation instant, small inputs."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from dyrd.healthcode.compute.features import Inputs
from dyrd.healthcode.compute.synthetic import synthetic_inputs

CITIES_CSV = Path(__file__).resolve().parents[2] / "src" / "dyrd" / "region" / "data" / "cities.csv"
AT = datetime(2020, 2, 5, 2, 0, tzinfo=UTC)  # 10:00 in China
TODAY = date(2020, 2, 5)


def city_names() -> dict[str, tuple[str, str]]:
    """The 41 cities from the region domain's bundled table."""
    with CITIES_CSV.open(encoding="utf-8") as fh:
        return {r["code"]: (r["name_zh"], r["name_en"]) for r in csv.DictReader(fh)}


def city_codes() -> list[int]:
    """GB/T 2260 codes of the 41 cities as integers."""
    return sorted(int(c) for c in city_names())


def population(n: int, seed: int = 7) -> Inputs:
    """A seeded synthetic population of ``n`` residents."""
    return synthetic_inputs(n, rng=np.random.default_rng(seed), today=TODAY, cities=city_codes())
