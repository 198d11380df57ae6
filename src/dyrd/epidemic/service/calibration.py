"""Use case: calibrate the metapopulation model with the IF-EAKF (Li et al. 2020 data).

No storage: a calibration is a computation on bundled data; its report is returned (and printed
by the CLI), so it needs no migration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from dyrd.epidemic.bundled import PEI_SOURCE, read_pei2020
from dyrd.epidemic.compute.eakf import EAKFSettings, Progress, calibrate, li2020_initial
from dyrd.epidemic.compute.model import Scheme
from dyrd.epidemic.errors import InvalidParameter, field
from dyrd.epidemic.types import LI2020_POSTERIOR, PARAMETERS, ModelParams

PEI_DAY0 = date(2020, 1, 10)
PEI_MOBILITY_DAYS = 14
"""Li et al.'s trips cover 10-23 Jan 2020, the window before the travel ban."""


@dataclass(frozen=True, slots=True)
class PosteriorRow:
    """One parameter of a calibration, with Li et al.'s published value where there is one."""

    name: str
    estimate: float
    median: float
    low: float
    high: float
    paper_median: float | None
    paper_low: float | None
    paper_high: float | None

    @property
    def inside_paper_interval(self) -> bool | None:
        """Whether the estimate falls inside the paper's 95% interval (None: no published value)."""
        if self.paper_low is None or self.paper_high is None:
            return None
        return self.paper_low <= self.estimate <= self.paper_high


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """What a calibration run found, and how it was run."""

    dataset: str
    first_day: date
    last_day: date
    seed: int
    members: int
    iterations: int
    scheme: str
    seconds: float
    rows: tuple[PosteriorRow, ...]
    estimate: ModelParams
    """The IF point estimates of the six parameters."""
    ensemble: tuple[tuple[float, ...], ...]
    """The final posterior members (``PARAMETERS`` order), for forecasts."""
    iteration_means: tuple[tuple[float, ...], ...]
    """Parameter means that started each iteration (iterations + 1 rows): the convergence."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json``)."""
        return {
            "dataset": self.dataset,
            "window": [self.first_day.isoformat(), self.last_day.isoformat()],
            "seed": self.seed,
            "members": self.members,
            "iterations": self.iterations,
            "scheme": self.scheme,
            "seconds": round(self.seconds, 2),
            "posterior": [
                {
                    "name": r.name,
                    "estimate": r.estimate,
                    "median": r.median,
                    "low": r.low,
                    "high": r.high,
                    "paper": None
                    if r.paper_median is None
                    else {"median": r.paper_median, "low": r.paper_low, "high": r.paper_high},
                    "inside_paper_interval": r.inside_paper_interval,
                }
                for r in self.rows
            ],
        }


def calibrate_li2020(
    *,
    seed: int = 0,
    members: int = 300,
    iterations: int = 10,
    days: int = PEI_MOBILITY_DAYS,
    scheme: Scheme = "rk4",
    progress: Progress | None = None,
) -> CalibrationReport:
    """Fit the model to Li et al.'s 375 cities from 10 Jan 2020 for ``days`` days (at most 14)."""
    if not 1 <= days <= PEI_MOBILITY_DAYS:
        raise InvalidParameter(
            f"days must be between 1 and {PEI_MOBILITY_DAYS} (the trips cover 10-23 Jan 2020)",
            f"天数须在 1 至 {PEI_MOBILITY_DAYS} 之间 (出行数据覆盖 2020 年 1 月 10-23 日)",
            errors=[field("days", "out of range", "超出范围", days)],
        )
    settings = EAKFSettings(n_members=members, iterations=iterations, scheme=scheme)
    data = read_pei2020()
    start = li2020_initial(data.population, data.mobility[0], data.index("Wuhan"))
    began = time.perf_counter()
    result = calibrate(
        data.incidence[:days],
        data.mobility[:days],
        start,
        rng=np.random.default_rng(seed),
        settings=settings,
        progress=progress,
    )
    seconds = time.perf_counter() - began
    rows = []
    for s in result.summary:
        paper = LI2020_POSTERIOR.get(s.name) if days == PEI_MOBILITY_DAYS else None
        rows.append(
            PosteriorRow(
                name=s.name,
                estimate=s.estimate,
                median=s.median,
                low=s.low,
                high=s.high,
                paper_median=None if paper is None else paper.median,
                paper_low=None if paper is None else paper.low,
                paper_high=None if paper is None else paper.high,
            )
        )
    return CalibrationReport(
        dataset=PEI_SOURCE,
        first_day=PEI_DAY0,
        last_day=PEI_DAY0 + timedelta(days=days - 1),
        seed=seed,
        members=members,
        iterations=iterations,
        scheme=scheme,
        seconds=seconds,
        rows=tuple(rows),
        estimate=ModelParams(
            **{s.name: s.estimate for s in result.summary if s.name in PARAMETERS}
        ),
        ensemble=tuple(tuple(float(v) for v in row) for row in result.params),
        iteration_means=tuple(tuple(float(v) for v in row) for row in result.iteration_means),
    )
