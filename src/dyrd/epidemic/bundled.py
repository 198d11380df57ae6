"""Data shipped with the package (see data/README.md): Li et al. 2020 and the 2020 YRD series."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np
import polars as pl
from numpy.typing import NDArray

from dyrd.epidemic.compute.mobility import CHAOHU_CODE, HEFEI_CODE, PEI_NAME_FIXES, merge_node

FloatArray = NDArray[np.float64]

PEI_SOURCE = (
    "Li, Pei et al., Science 368:489 (2020); github SenPei-CU/COVID-19 @0356d8d9 (Apache-2.0)"
)
YRD_SERIES_SOURCE = "github canghailan/Wuhan-2019-nCoV @0dfcac45 (MIT)"
PEI_START = "2020-01-10"
"""Day 0 of Li et al.'s incidence (30 days) and mobility (14 days) files."""
PEI_WUHAN = "Wuhan"


@dataclass(frozen=True, slots=True, eq=False)
class PeiData:
    """Li et al.'s 375-node network: names, codes, population, daily reports and trips."""

    names: tuple[str, ...]
    codes: tuple[str, ...]
    population: FloatArray
    lat: FloatArray
    lon: FloatArray
    incidence: FloatArray
    """Reported cases (30, n): 10 Jan - 8 Feb 2020."""
    mobility: FloatArray
    """Trips M[day, dest, orig] (14, n, n): 10-23 Jan 2020."""

    def index(self, name: str) -> int:
        """Node of a city name (Li et al.'s spelling)."""
        return self.names.index(name)


def _text(*parts: str) -> str:
    res = resources.files("dyrd.epidemic").joinpath("data")
    for p in parts:
        res = res.joinpath(p)
    return res.read_text(encoding="utf-8")


def read_pei2020() -> PeiData:
    """The 375-node data exactly as published (names as spelt there)."""
    pop_rows = list(csv.DictReader(_text("pei2020", "pop.csv").splitlines()))
    coord_rows = list(csv.DictReader(_text("pei2020", "city_coordinates.csv").splitlines()))
    names = tuple(r["City"] for r in pop_rows)
    pos = {name: k for k, name in enumerate(names)}
    inc_lines = _text("pei2020", "Incidence.csv").splitlines()
    header = inc_lines[0].split(",")[1:]
    order = [pos[h] for h in header]
    incidence = np.zeros((len(inc_lines) - 1, len(names)))
    for t, line in enumerate(inc_lines[1:]):
        # The Date column is corrupted upstream: the row order is the date (10 Jan + t).
        incidence[t, order] = [float(v) for v in line.split(",")[1:]]
    raw = resources.files("dyrd.epidemic").joinpath("data").joinpath("pei2020")
    with raw.joinpath("Mobility.csv.gz").open("rb") as fh:
        trips = pl.read_csv(gzip.decompress(fh.read()))
    lookup = pl.DataFrame({"name": list(names), "node": list(range(len(names)))})
    trips = trips.join(lookup.rename({"name": "Origin", "node": "o"}), on="Origin").join(
        lookup.rename({"name": "Destination", "node": "d"}), on="Destination"
    )
    days = int(trips["Day"].max())  # type: ignore[arg-type]
    mobility = np.zeros((days, len(names), len(names)))
    np.add.at(
        mobility,
        (trips["Day"].to_numpy() - 1, trips["d"].to_numpy(), trips["o"].to_numpy()),
        trips["Mobility Index"].to_numpy().astype(np.float64),
    )
    return PeiData(
        names=names,
        codes=tuple(r["Code"] for r in coord_rows),
        population=np.array([float(r["Population"]) for r in pop_rows]),
        lat=np.array([float(r["Lat"]) for r in coord_rows]),
        lon=np.array([float(r["Long"]) for r in coord_rows]),
        incidence=incidence,
        mobility=mobility,
    )


def pei_for_codes(data: PeiData, codes: list[str]) -> PeiData:
    """The sub-network of the given division codes, in that order, Chaohu merged into Hefei."""
    pop, mob, inc = data.population, data.mobility, data.incidence
    node_codes = list(data.codes)
    names = [PEI_NAME_FIXES.get(n, n) for n in data.names]
    lat, lon = data.lat, data.lon
    if CHAOHU_CODE in node_codes and HEFEI_CODE in node_codes:
        src, dst = node_codes.index(CHAOHU_CODE), node_codes.index(HEFEI_CODE)
        mob, pop = merge_node(mob, pop, source=src, target=dst)
        inc = inc.copy()
        inc[:, dst] += inc[:, src]
        keep = [k for k in range(len(node_codes)) if k != src]
        inc, lat, lon = inc[:, keep], lat[keep], lon[keep]
        node_codes = [node_codes[k] for k in keep]
        names = [names[k] for k in keep]
    idx = np.array([node_codes.index(c) for c in codes])
    return PeiData(
        names=tuple(names[k] for k in idx),
        codes=tuple(codes),
        population=pop[idx],
        lat=lat[idx],
        lon=lon[idx],
        incidence=inc[:, idx],
        mobility=mob[:, idx[:, None], idx[None, :]],
    )


@dataclass(frozen=True, slots=True, eq=False)
class CumulativeSeries:
    """The bundled 2020 YRD series: cumulative confirmed cases (days, cities)."""

    dates: tuple[str, ...]
    codes: tuple[str, ...]
    names_zh: tuple[str, ...]
    confirmed: FloatArray


def read_yrd_2020() -> CumulativeSeries:
    """Cumulative confirmed cases of the 41 cities, 15 Jan - 31 Mar 2020, as published."""
    rows = list(csv.DictReader(_text("covid19_yrd_city_daily.csv").splitlines()))
    dates = tuple(sorted({r["date"] for r in rows}))
    codes: list[str] = []
    names: dict[str, str] = {}
    for r in rows:
        if r["code"] not in names:
            codes.append(r["code"])
            names[r["code"]] = r["name_zh"]
    d_pos = {d: k for k, d in enumerate(dates)}
    c_pos = {c: k for k, c in enumerate(codes)}
    out = np.zeros((len(dates), len(codes)))
    for r in rows:
        out[d_pos[r["date"]], c_pos[r["code"]]] = float(r["confirmed"])
    return CumulativeSeries(dates, tuple(codes), tuple(names[c] for c in codes), out)
