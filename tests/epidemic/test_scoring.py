"""WIS, interval score and coverage against hand-computed values and their defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.epidemic.compute.quantiles import (
    HUB_QUANTILES,
    check_levels,
    ensemble_quantiles,
    interval_alphas,
)
from dyrd.epidemic.compute.scoring import (
    coverage,
    interval_score,
    pinball_wis,
    relative_wis,
    weighted_interval_score,
)

FIVE = (0.025, 0.25, 0.5, 0.75, 0.975)


def test_hub_levels_are_the_23_of_the_forecast_hubs() -> None:
    assert len(HUB_QUANTILES) == 23
    assert HUB_QUANTILES[:3] == (0.01, 0.025, 0.05)
    assert HUB_QUANTILES[-3:] == (0.95, 0.975, 0.99)
    assert HUB_QUANTILES[11] == 0.5
    check_levels(HUB_QUANTILES)
    assert interval_alphas() == (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def test_interval_score_by_hand() -> None:
    # [2, 8] at alpha 0.2, y = 10: width 6 + (2/0.2) * (10 - 8) = 26.
    assert interval_score(2.0, 8.0, 10.0, 0.2) == pytest.approx(26.0)
    assert interval_score(2.0, 8.0, 5.0, 0.2) == pytest.approx(6.0)
    assert interval_score(2.0, 8.0, 0.0, 0.5) == pytest.approx(6.0 + 4.0 * 2.0)


def test_wis_by_hand_three_levels() -> None:
    # Bracher et al. eq. 2 with K = 1: [0.5 * |10 - 5| + 0.1 * 26] / 1.5 = 3.4
    wis = weighted_interval_score([2.0, 5.0, 8.0], 10.0, levels=(0.1, 0.5, 0.9))
    assert float(wis) == pytest.approx(3.4)


def test_wis_by_hand_five_levels() -> None:
    # q = 0, 3, 5, 7, 12 and y = 1:
    # median 0.5 * 4 = 2; IS_0.5 = 4 + 4 * 2 = 12, weight 0.25 -> 3;
    # IS_0.05 = 12, weight 0.025 -> 0.3
    # WIS = (2 + 3 + 0.3) / 2.5 = 2.12
    wis = weighted_interval_score([0.0, 3.0, 5.0, 7.0, 12.0], 1.0, levels=FIVE)
    assert float(wis) == pytest.approx(2.12)
    assert float(pinball_wis([0.0, 3.0, 5.0, 7.0, 12.0], 1.0, levels=FIVE)) == pytest.approx(2.12)


sorted_quantiles = st.lists(
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False), min_size=23, max_size=23
).map(sorted)


@settings(max_examples=80, deadline=None)
@given(q=sorted_quantiles, y=st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
def test_wis_is_non_negative_and_equals_the_pinball_form(q: list[float], y: float) -> None:
    a = float(weighted_interval_score(q, y))
    b = float(pinball_wis(q, y))
    assert a >= 0.0
    assert a == pytest.approx(b, rel=1e-9, abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(y=st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
def test_point_mass_at_the_truth_scores_zero(y: float) -> None:
    assert float(weighted_interval_score([y] * 23, y)) == 0.0


@settings(max_examples=25, deadline=None)
@given(
    shift=st.floats(min_value=0.3, max_value=3.0) | st.floats(min_value=-3.0, max_value=-0.3),
    scale=st.floats(min_value=0.3, max_value=3.0),
)
def test_true_quantiles_score_best_on_average(shift: float, scale: float) -> None:
    # Propriety sanity: outcomes drawn from a distribution are scored better on average by its
    # own quantiles than by a shifted or rescaled quantile set.
    rng = np.random.default_rng(11)
    truth = ensemble_quantiles(rng.gamma(4.0, 25.0, size=400_000))
    y = rng.gamma(4.0, 25.0, size=20_000)
    centre = truth[11]
    wrong = centre + (truth - centre) * scale + shift * 20.0
    best = weighted_interval_score(truth[:, None], y).mean()
    other = weighted_interval_score(wrong[:, None], y).mean()
    assert best < other


def test_coverage_counts_closed_intervals() -> None:
    q = np.arange(23, dtype=float)[:, None] * np.ones((1, 4))
    y = np.array([11.0, 6.0, 5.0, 30.0])
    # 50% interval [q_0.25, q_0.75] = [6, 16]; 95% interval [q_0.025, q_0.975] = [1, 21].
    assert coverage(q, y, 0.5).tolist() == [1.0, 1.0, 0.0, 0.0]
    assert coverage(q, y, 0.95).tolist() == [1.0, 1.0, 1.0, 0.0]
    with pytest.raises(ValueError, match="interval"):
        coverage(q, y, 0.33)


def test_refuses_crossing_or_missing_quantiles() -> None:
    q = list(range(23))
    q[5], q[6] = q[6], q[5]
    with pytest.raises(ValueError, match="crossing"):
        weighted_interval_score(q, 3.0)
    with pytest.raises(ValueError, match="23"):
        weighted_interval_score([1.0, 2.0], 3.0)
    with pytest.raises(ValueError, match="NaN"):
        weighted_interval_score([float("nan")] * 23, 3.0)


def test_relative_wis_is_the_ratio_of_means() -> None:
    assert relative_wis([1.0, 3.0], [2.0, 6.0]) == pytest.approx(0.5)
    assert np.isnan(relative_wis([1.0], [0.0]))
    with pytest.raises(ValueError, match="same"):
        relative_wis([1.0], [1.0, 2.0])


def test_ensemble_quantiles_are_monotone_and_level_first() -> None:
    rng = np.random.default_rng(3)
    x = rng.poisson(50.0, size=(300, 5, 7)).astype(float)
    q = ensemble_quantiles(x)
    assert q.shape == (23, 5, 7)
    assert np.all(np.diff(q, axis=0) >= 0)
