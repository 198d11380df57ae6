"""A seeded generator of synthetic residents and their inputs, for tests and benchmarks.

Nothing here describes real people or real risk areas: jurisdictions are drawn in proportion to
the 2019 resident populations of the four YRD jurisdictions only to give the partitions
realistic sizes; every other share is an arbitrary round number chosen to exercise each rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import polars as pl

from dyrd.healthcode.compute.features import SCHEMAS, Inputs

JURISDICTIONS = ("310000", "320000", "330000", "340000")
POPULATION_SHARE = (2428.14, 8070.0, 5850.0, 6366.0)
"""2019 resident population, 10k persons: Shanghai from the bundled region data; Jiangsu,
Zhejiang, Anhui from their 2019 statistical communiqués (rounded). Used only as weights."""


def _draw_cities(rng: np.random.Generator, n: int, cities: Sequence[int]) -> np.ndarray:
    return np.asarray(cities, dtype=np.int32)[rng.integers(0, len(cities), n)]


def synthetic_inputs(
    n: int,
    *,
    rng: np.random.Generator,
    today: date,
    cities: Sequence[int],
    stays_per_resident: float = 2.0,
    days: int = 14,
) -> Inputs:
    """``n`` residents (``rid`` 0..n-1) with stays, tests, vaccinations, contacts, symptoms.

    Risk areas: three cities with a high-risk district, three medium-risk whole cities.
    """
    weights = np.asarray(POPULATION_SHARE) / sum(POPULATION_SHARE)
    jurisdiction = np.asarray(JURISDICTIONS)[rng.choice(4, size=n, p=weights)]
    residents = pl.DataFrame(
        {
            "rid": np.arange(n, dtype=np.int64),
            "jurisdiction": jurisdiction,
            "birth_year": rng.integers(1930, 2020, n, dtype=np.int32),
        },
        schema=SCHEMAS["residents"],
    )
    counts = rng.poisson(stays_per_resident, n)
    m = int(counts.sum())
    stay_city = _draw_cities(rng, m, cities)
    district = np.where(rng.random(m) < 0.5, stay_city + rng.integers(1, 20, m), 0)
    stays = pl.DataFrame(
        {
            "rid": np.repeat(np.arange(n, dtype=np.int64), counts),
            "city_code": stay_city,
            "district_code": district.astype(np.int32),
            "stay_date": np.datetime64(today, "D") - rng.integers(0, days, m).astype("m8[D]"),
        }
    ).with_columns(
        pl.when(pl.col("district_code") == 0).then(None).otherwise(pl.col("district_code"))
        .cast(pl.Int32).alias("district_code"),
        pl.col("stay_date").cast(pl.Date),
    )  # fmt: skip
    chosen = [int(c) for c in rng.choice(np.asarray(cities), size=6, replace=False)]
    areas = pl.DataFrame(
        {
            "city_code": chosen,
            "district_code": [c + 1 for c in chosen[:3]] + [None] * 3,
            "level": ["high"] * 3 + ["medium"] * 3,
            "effective_from": [today - timedelta(days=10)] * 6,
            "effective_until": [None] * 6,
        },
        schema=SCHEMAS["areas"],
    )
    return Inputs(
        residents=residents,
        stays=stays.select(list(SCHEMAS["stays"])),
        areas=areas,
        tests=_tests(rng, n, today),
        vaccinations=_vaccinations(rng, n, today),
        contacts=_flags(rng, n, today),
        symptoms=_symptoms(rng, n, today),
    )


def _sample(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < share).astype(np.int64)


def _tests(rng: np.random.Generator, n: int, today: date) -> pl.DataFrame:
    who = _sample(rng, n, 0.3)
    hours = rng.integers(1, 24 * 10, who.size)
    start = np.datetime64(today, "h") + np.timedelta64(8, "h")
    return pl.DataFrame(
        {
            "rid": who,
            "test_type": np.where(rng.random(who.size) < 0.8, "pcr", "antigen"),
            "result": np.where(rng.random(who.size) < 0.01, "positive", "negative"),
            "tested_at": (start - hours.astype("m8[h]")).astype("datetime64[us]"),
        }
    ).with_columns(pl.col("tested_at").dt.replace_time_zone("UTC"))


def _vaccinations(rng: np.random.Generator, n: int, today: date) -> pl.DataFrame:
    who = _sample(rng, n, 0.6)
    return pl.DataFrame(
        {
            "rid": who,
            "dose": np.ones(who.size, dtype=np.int32),
            "vaccinated_on": np.datetime64(today, "D")
            - rng.integers(30, 300, who.size).astype("m8[D]"),
        }
    ).with_columns(pl.col("vaccinated_on").cast(pl.Date))


def _flags(rng: np.random.Generator, n: int, today: date) -> pl.DataFrame:
    who = _sample(rng, n, 0.002)
    flagged = np.datetime64(today, "D") - rng.integers(0, 14, who.size).astype("m8[D]")
    cleared = rng.random(who.size) < 0.5
    return pl.DataFrame({"rid": who, "flagged_on": flagged, "cleared": cleared}).select(
        "rid",
        pl.col("flagged_on").cast(pl.Date),
        pl.when(pl.col("cleared"))
        .then(pl.col("flagged_on").cast(pl.Date) + pl.duration(days=7))
        .otherwise(None)
        .alias("cleared_on"),
    )


def _symptoms(rng: np.random.Generator, n: int, today: date) -> pl.DataFrame:
    who = _sample(rng, n, 0.01)
    return pl.DataFrame(
        {
            "rid": who,
            "declared_on": np.datetime64(today, "D")
            - rng.integers(0, 14, who.size).astype("m8[D]"),
            "count": rng.integers(0, 3, who.size, dtype=np.int32),
        }
    ).with_columns(pl.col("declared_on").cast(pl.Date))
