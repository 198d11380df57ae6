"""Rolling-origin backtest: weekly forecasts scored by WIS and coverage against two baselines.

At every origin the model is re-fitted on the data before it (``forecast.forecast_at``), and
three forecasters are scored on the same targets (weekly reported cases per city, 1-4 weeks
ahead): the model, the same model without mobility (ablation), and the hubs' flat baseline on
weekly counts (``baselines.flat_baseline``). Only targets whose week lies inside the series are
scored. Relative WIS is the ratio of mean WIS over identical forecasts (``scoring.relative_wis``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from dyrd.epidemic.compute.baselines import flat_baseline
from dyrd.epidemic.compute.forecast import ForecastSettings, forecast_at
from dyrd.epidemic.compute.scoring import (
    coverage,
    log_transform,
    relative_wis,
    weighted_interval_score,
)
from dyrd.epidemic.types import ModelParams

FloatArray = npt.NDArray[np.float64]

MODELS = ("model", "no_mobility", "flat")


@dataclass(frozen=True, slots=True)
class ScoredForecast:
    """One scored target: origin, horizon (weeks), city index, truth and each model's scores."""

    origin: int
    horizon: int
    city: int
    truth: float
    median: dict[str, float]
    wis: dict[str, float]
    log_wis: dict[str, float]
    """WIS of log(x + 1) of quantiles and truth (log1p is monotone, so quantiles map)."""
    cover50: dict[str, float]
    cover95: dict[str, float]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """All scored targets and the headline figures."""

    origins: list[int]
    scored: list[ScoredForecast]

    def mean_wis(self, model: str, *, log: bool = False) -> float:
        """Mean WIS (or log-scale WIS) of one forecaster over all scored targets."""
        if not self.scored:
            return float("nan")
        return float(np.mean([(s.log_wis if log else s.wis)[model] for s in self.scored]))

    def relative(self, model: str, baseline: str, *, log: bool = False) -> float:
        """Ratio of mean WIS of ``model`` to ``baseline`` on the same targets."""
        if not self.scored:
            return float("nan")
        a = [(s.log_wis if log else s.wis)[model] for s in self.scored]
        b = [(s.log_wis if log else s.wis)[baseline] for s in self.scored]
        return relative_wis(a, b)

    def coverage(self, model: str, nominal: float) -> float:
        """Share of targets inside the model's central ``nominal`` interval."""
        key = "cover50" if nominal == 0.5 else "cover95"
        vals = [getattr(s, key)[model] for s in self.scored]
        return float(np.mean(vals)) if vals else float("nan")


def weekly_origins(n_days: int, *, first: int, step: int = 7) -> list[int]:
    """Origins every ``step`` days from ``first`` while at least one target week remains."""
    return list(range(first, n_days - 7 + 1, step))


def run_backtest(
    incidence: npt.ArrayLike,
    population: npt.ArrayLike,
    mobility: npt.ArrayLike,
    origins: list[int],
    *,
    params: ModelParams,
    rng: np.random.Generator,
    settings: ForecastSettings | None = None,
    ensemble: npt.ArrayLike | None = None,
) -> BacktestResult:
    """Forecast at every origin with the three forecasters and score every available target.

    ``params`` and ``ensemble`` are passed to ``forecast_at`` for the model and its ablation."""
    st = settings or ForecastSettings()
    y = np.asarray(incidence, dtype=np.float64)
    n_days, n = y.shape
    scored: list[ScoredForecast] = []
    for origin in origins:
        full = forecast_at(
            y,
            origin,
            population,
            mobility,
            params=params,
            rng=rng,
            settings=st,
            ensemble=ensemble,
        )
        ablate = forecast_at(
            y,
            origin,
            population,
            mobility,
            params=params,
            rng=rng,
            settings=replace(st, use_mobility=False),
            ensemble=ensemble,
        )
        # The flat baseline on weekly counts: complete weeks ending at the origin.
        n_weeks_hist = origin // 7
        hist = y[origin - 7 * n_weeks_hist : origin].reshape(n_weeks_hist, 7, n).sum(axis=1)
        horizons = tuple(range(1, st.weeks + 1))
        flat = np.stack(
            [flat_baseline(hist[:, i], horizons, rng=rng) for i in range(n)], axis=-1
        )  # (23, weeks, n)
        quant = {"model": full.quantiles, "no_mobility": ablate.quantiles, "flat": flat}
        for h in horizons:
            lo, hi = origin + 7 * (h - 1), origin + 7 * h
            if hi > n_days:
                break
            truth = y[lo:hi].sum(axis=0)
            per = {m: quant[m][:, h - 1, :] for m in MODELS}
            wis = {m: weighted_interval_score(per[m], truth) for m in MODELS}
            lwis = {
                m: weighted_interval_score(log_transform(per[m]), log_transform(truth))
                for m in MODELS
            }
            c50 = {m: coverage(per[m], truth, 0.5) for m in MODELS}
            c95 = {m: coverage(per[m], truth, 0.95) for m in MODELS}
            for i in range(n):
                scored.append(
                    ScoredForecast(
                        origin=origin,
                        horizon=h,
                        city=i,
                        truth=float(truth[i]),
                        median={m: float(per[m][11, i]) for m in MODELS},
                        wis={m: float(wis[m][i]) for m in MODELS},
                        log_wis={m: float(lwis[m][i]) for m in MODELS},
                        cover50={m: float(c50[m][i]) for m in MODELS},
                        cover95={m: float(c95[m][i]) for m in MODELS},
                    )
                )
    return BacktestResult(origins=list(origins), scored=scored)
