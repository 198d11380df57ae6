"""The hubs' flat baseline: median at the last value, symmetric spread that widens with horizon."""

from __future__ import annotations

import numpy as np
import pytest

from dyrd.epidemic.compute.baselines import flat_baseline


def test_median_is_the_last_value_and_spread_is_symmetric() -> None:
    rng = np.random.default_rng(1)
    hist = np.array([100.0, 120.0, 90.0, 140.0, 130.0, 160.0])
    q = flat_baseline(hist, (1, 2, 3, 4), rng=rng)
    assert q.shape == (23, 4)
    assert np.allclose(q[11], 160.0)
    # Symmetrised differences, antithetic paths: q_tau - m = m - q_(1-tau) (no truncation here).
    assert np.allclose(q[11] - q[:11], (q[12:] - q[11])[::-1], atol=1e-9)
    widths = q[-2] - q[1]
    assert np.all(np.diff(widths) > 0)


def test_truncated_at_zero() -> None:
    q = flat_baseline([50.0, 5.0, 40.0, 2.0], (1, 4), rng=np.random.default_rng(2))
    assert np.all(q >= 0.0)
    assert q[0, 1] == 0.0


def test_no_variation_gives_a_point_mass() -> None:
    q = flat_baseline([7.0, 7.0, 7.0], (1, 2), rng=np.random.default_rng(3))
    assert np.all(q == 7.0)
    q1 = flat_baseline([7.0], (1,), rng=np.random.default_rng(3))
    assert np.all(q1 == 7.0)


def test_bad_history_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        flat_baseline([1.0, -2.0], (1,), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="horizons"):
        flat_baseline([1.0, 2.0], (0,), rng=np.random.default_rng(0))
