"""The 41-city inputs of forecasts, levels and scenarios: cases, population, GDP, beds, trips.

* Cases: the bundled 2020 YRD series, daily incidence from the revised cumulative counts
  (``compute.incidence``).
* Population (常住人口), GDP and hospital beds per 1000: the region domain's statistics, latest
  year (2019 in the bundled table). A missing value stays missing (no beds: capacity not assessed).
* Trips: Li et al.'s (2020) Tencent matrix restricted to the 41 cities (Chaohu merged into
  Hefei), mean of 10-23 Jan 2020, trips per day M[dest, orig].
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from dyrd.core.errors import NotFoundError
from dyrd.epidemic.bundled import pei_for_codes, read_pei2020, read_yrd_2020
from dyrd.epidemic.compute.incidence import daily_from_cumulative
from dyrd.epidemic.errors import DataUnavailable, UnknownCity
from dyrd.epidemic.service.data import UserData, read_case_file, read_od_file
from dyrd.region import service as region

FloatArray = NDArray[np.float64]
BUNDLED = (
    "bundled 2020 YRD case series (daily from revised cumulative counts) and Li et al. (2020) "
    "Tencent trips among the 41 cities, mean of 10-23 Jan 2020"
)
BEDS_INDICATOR = "hospital_beds_per_1000"


@dataclass(frozen=True, slots=True, eq=False)
class YrdInputs:
    """Everything the 41-city computations need, in one city order."""

    codes: tuple[str, ...]
    names_zh: tuple[str, ...]
    names_en: tuple[str, ...]
    province_codes: tuple[str, ...]
    dates: tuple[date, ...]
    incidence: FloatArray
    population: FloatArray
    gdp: tuple[float | None, ...]
    """GDP, 100 million yuan (亿元), or None when missing."""
    beds_per_1000: tuple[float | None, ...]
    mobility: FloatArray

    def index(self, code: str) -> int:
        """Position of a city code; UnknownCity if it is not one of the 41."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise UnknownCity(
                f"{code!r} is not one of the {len(self.codes)} cities of the 2020 series.",
                f"{code} 不在 2020 年序列的 {len(self.codes)} 个城市之中。",
                hint="Use a 6-digit division code from GET /api/v1/region/cities "
                "(Shanghai is 310000).",
            ) from None

    def day(self, on: date) -> int:
        """Index of a date of the series (the first day not yet observed at that origin)."""
        if not self.dates[0] <= on <= self.dates[-1]:
            raise DataUnavailable(
                f"{on} is outside the case series ({self.dates[0]} to {self.dates[-1]}).",
                f"{on} 不在病例序列范围内（{self.dates[0]} 至 {self.dates[-1]}）。",
                hint=f"Choose a date from {self.dates[0]} to {self.dates[-1]}.",
            )
        return (on - self.dates[0]).days


@lru_cache(maxsize=1)
def _cases_and_trips() -> tuple[
    tuple[str, ...], tuple[str, ...], tuple[date, ...], FloatArray, FloatArray
]:
    series = read_yrd_2020()
    inc = daily_from_cumulative(series.confirmed, cities=list(series.codes)).daily
    pei = pei_for_codes(read_pei2020(), list(series.codes))
    dates = tuple(date.fromisoformat(d) for d in series.dates)
    return series.codes, series.names_zh, dates, inc, pei.mobility.mean(axis=0)


@dataclass(frozen=True, slots=True, eq=False)
class BundledSeries:
    """The parts of the inputs that come from the package alone (no database)."""

    incidence: FloatArray
    mobility: FloatArray


def bundled_inputs() -> BundledSeries:
    """Daily incidence and trips of the 41 cities from the bundled files (cached)."""
    _, _, _, inc, mob = _cases_and_trips()
    return BundledSeries(incidence=inc, mobility=mob)


def yrd_inputs(session: Session) -> YrdInputs:
    """The bundled series joined with the region's statistics (read-only)."""
    codes, names_zh, dates, inc, mob = _cases_and_trips()
    cities = {c.code: c for c in region.list_cities(session)}
    missing = [c for c in codes if c not in cities or cities[c].population is None]
    if missing:
        raise DataUnavailable(
            f"The region reference data lack {len(missing)} of the 41 cities or their "
            f"population (first: {missing[0]}).",
            f"区域参考数据缺少 {len(missing)} 个城市或其人口（首个：{missing[0]}）。",
            hint="Load it with `dyrd region load`.",
        )
    try:
        beds = region.indicator_values(session, BEDS_INDICATOR, 2019)
    except NotFoundError:
        beds = {}
    pop = np.array([cities[c].population.value * 1e4 for c in codes])  # type: ignore[union-attr]
    return YrdInputs(
        codes=codes,
        names_zh=names_zh,
        names_en=tuple(cities[c].name_en for c in codes),
        province_codes=tuple(cities[c].province_code for c in codes),
        dates=dates,
        incidence=inc,
        population=pop,
        gdp=tuple(g.value if (g := cities[c].gdp) is not None else None for c in codes),
        beds_per_1000=tuple(beds[c].value if c in beds else None for c in codes),
        mobility=mob,
    )


def with_user_data(data: YrdInputs, user: UserData) -> YrdInputs:
    """The inputs with a user's case series and/or trips in place of the bundled ones.

    Cities are matched by code or by Chinese or English name. A trip table with dates becomes
    its mean day (the forecasts run on one daily matrix, as on the bundled Li et al. trips).
    """
    aliases = {
        name: code
        for code, zh, en in zip(data.codes, data.names_zh, data.names_en, strict=True)
        for name in (zh, en)
    }
    cities = list(data.codes)
    out = data
    if user.cases is not None:
        series = read_case_file(user.cases, cities, aliases=aliases, cumulative=user.cumulative)
        out = replace(out, dates=series.dates, incidence=series.daily)
    if user.trips is not None:
        od = read_od_file(user.trips, cities, aliases=aliases)
        out = replace(out, mobility=od.trips.mean(axis=0))
    return out


def inputs_for(session: Session, user: UserData | None) -> YrdInputs:
    """The bundled inputs, or those with the user's files in their place when any is named."""
    data = yrd_inputs(session)
    return data if user is None or not user.given else with_user_data(data, user)


def inputs_source(user: UserData | None) -> str:
    """What a forecast or scenario ran on: the bundled series or the user's files."""
    if user is None or not user.given:
        return BUNDLED
    bundled = []
    if user.cases is None:
        bundled.append("bundled 2020 cases")
    if user.trips is None:
        bundled.append("bundled Li et al. trips")
    return "; ".join([user.describe(), *bundled])
