"""Forecasts and the rolling backtest on synthetic data from the model itself."""

from __future__ import annotations

import numpy as np
import pytest

from dyrd.epidemic.compute.backtest import run_backtest, weekly_origins
from dyrd.epidemic.compute.forecast import ForecastSettings, forecast_at
from dyrd.epidemic.compute.model import initial_state, simulate
from dyrd.epidemic.errors import InvalidParameter, InvalidShape
from dyrd.epidemic.types import ModelParams

POP = np.array([8e6, 3e6, 2e6, 1e6])
MOB = np.array(
    [
        [0.0, 4000.0, 2000.0, 800.0],
        [4000.0, 0.0, 600.0, 300.0],
        [2000.0, 600.0, 0.0, 200.0],
        [800.0, 300.0, 200.0, 0.0],
    ]
)
SMALL = ForecastSettings(n_members=60)


def _synthetic(kappa: float, days: int, seed: int) -> np.ndarray:
    p = ModelParams()
    arr = np.asarray([p.as_tuple()])
    arr[0, 0] *= kappa
    init = initial_state(POP, n_members=1, E=np.array([[400.0, 80.0, 40.0, 10.0]]))
    traj = simulate(arr, init, MOB, days, rng=np.random.default_rng(seed), stochastic=True)
    assert traj.reported is not None
    return traj.reported[:, 0, :]


def test_forecast_shapes_monotone_quantiles_and_recovers_transmission() -> None:
    y = _synthetic(0.5, 70, seed=1)
    f = forecast_at(
        y, 42, POP, MOB, params=ModelParams(), rng=np.random.default_rng(2), settings=SMALL
    )
    assert f.quantiles.shape == (23, 4, 4)
    assert np.all(np.diff(f.quantiles, axis=0) >= 0)
    assert f.samples.shape == (60, 4, 4)
    # The data were made with kappa = 0.5 throughout; the fit lands near it.
    assert 0.3 <= f.kappa_median <= 0.7
    truth = y[42:70].reshape(4, 7, 4).sum(axis=1)
    lo, hi = f.quantiles[1], f.quantiles[-2]
    assert np.mean((truth >= lo) & (truth <= hi)) >= 0.75


def test_forecast_refuses_bad_input() -> None:
    y = _synthetic(0.5, 30, seed=3)
    with pytest.raises(ValueError, match="origin"):
        forecast_at(y, 5, POP, MOB, params=ModelParams(), rng=np.random.default_rng(0))
    bad = y.copy()
    bad[3, 1] = -1.0
    with pytest.raises(ValueError, match="non-negative"):
        forecast_at(bad, 20, POP, MOB, params=ModelParams(), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="matching"):
        forecast_at(y[:, :3], 20, POP, MOB, params=ModelParams(), rng=np.random.default_rng(0))


def test_backtest_scores_every_available_target() -> None:
    y = _synthetic(0.6, 56, seed=5)
    origins = weekly_origins(56, first=35)
    assert origins == [35, 42, 49]
    res = run_backtest(
        y, POP, MOB, origins, params=ModelParams(), rng=np.random.default_rng(6), settings=SMALL
    )
    # 3 + 2 + 1 target weeks inside the series, 4 cities each.
    assert len(res.scored) == (3 + 2 + 1) * 4
    for model in ("model", "no_mobility", "flat"):
        assert res.mean_wis(model) >= 0
        assert 0.0 <= res.coverage(model, 0.5) <= res.coverage(model, 0.95) <= 1.0
    # Data from the model itself: it should beat the flat line on its own epidemic.
    assert res.relative("model", "flat") < 1.0


def test_a_posterior_ensemble_carries_parameter_uncertainty_into_the_intervals() -> None:
    y = _synthetic(0.5, 56, seed=5)
    base = np.asarray(ModelParams().as_tuple())
    same = np.tile(base, (50, 1))
    spread = same.copy()
    spread[:, 4] = np.linspace(0.05, 0.6, 50)  # alpha: documented share from 5% to 60%
    runs = {
        name: forecast_at(
            y,
            42,
            POP,
            MOB,
            params=ModelParams(),
            rng=np.random.default_rng(6),
            settings=SMALL,
            ensemble=ens,
        )
        for name, ens in (("same", same), ("spread", spread))
    }
    width = {k: float((f.quantiles[-2] - f.quantiles[1]).sum()) for k, f in runs.items()}
    assert width["spread"] > 1.2 * width["same"]


def test_a_bad_posterior_ensemble_is_refused_with_the_member_named() -> None:
    y = _synthetic(0.5, 30, seed=3)
    ens = np.tile(np.asarray(ModelParams().as_tuple()), (12, 1))
    ens[7, 4] = 1.5  # alpha above 1
    with pytest.raises(InvalidParameter, match=r"alpha of member 7"):
        forecast_at(
            y, 20, POP, MOB, params=ModelParams(), rng=np.random.default_rng(0), ensemble=ens
        )
    with pytest.raises(InvalidShape):
        forecast_at(
            y, 20, POP, MOB, params=ModelParams(), rng=np.random.default_rng(0), ensemble=ens[:, :5]
        )
