"""Use case: a complete 41-city YRD trip matrix from a gravity model.

Li et al.'s matrix keeps only each city's top flows (370 of 1,640 YRD pairs are non-zero), so
the model fits T_ij = k P_i^a P_j^b / d_ij^gamma to those observed flows (mean of 10-23 Jan
2020) with the region's 2019 resident populations and the great-circle distances between the
city centroids, and predicts every pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from dyrd.epidemic.bundled import pei_for_codes, read_pei2020
from dyrd.epidemic.compute.mobility import GravityModel, fit_gravity, great_circle_km
from dyrd.epidemic.errors import DataUnavailable, field
from dyrd.region import service as region

POPULATION_UNITS = {"10k persons": 1e4, "persons": 1.0}


@dataclass(frozen=True, slots=True, eq=False)
class YrdMobility:
    """The fitted model and its predicted daily trips M[dest, orig] among the 41 cities."""

    codes: tuple[str, ...]
    population: NDArray[np.float64]
    model: GravityModel
    trips: NDArray[np.float64]


def yrd_gravity(session: Session) -> YrdMobility:
    """Fit the gravity model to Li et al.'s YRD flows with the region's populations."""
    cities = region.list_cities(session)
    pop = []
    for c in cities:
        if c.population is None or c.population.unit not in POPULATION_UNITS:
            raise DataUnavailable(
                f"no resident population in a known unit for {c.name_en} ({c.code})",
                f"{c.name_zh} ({c.code}) 缺少可用单位的常住人口",
                hint="load the region reference data: dyrd region load",
                errors=[field(c.code, "population missing", "缺少人口")],
            )
        pop.append(c.population.value * POPULATION_UNITS[c.population.unit])
    codes = [c.code for c in cities]
    population = np.asarray(pop, dtype=np.float64)
    distance = great_circle_km(np.array([c.lat for c in cities]), np.array([c.lon for c in cities]))
    observed = pei_for_codes(read_pei2020(), codes).mobility.mean(axis=0)
    model = fit_gravity(observed, population, distance)
    return YrdMobility(tuple(codes), population, model, model.predict(population, distance))
