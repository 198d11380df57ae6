"""Coupling-coordination degree: closed forms, invariants, bands and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.economy.compute import coupling as ccd
from dyrd.economy.types import InputError


def test_two_subsystems_match_the_textbook_closed_form() -> None:
    # For k = 2 the normative C is 2√(U1 U2)/(U1 + U2) (王淑佳 et al. 2021, eq. for n = 2).
    u = np.array([[0.3, 0.6], [0.5, 0.5], [0.9, 0.1]])
    r = ccd.coupling_coordination(u)
    for i, (a, b) in enumerate(u):
        c = 2 * math.sqrt(a * b) / (a + b)
        t = (a + b) / 2
        assert r.coupling[i] == pytest.approx(c, abs=1e-15)
        assert r.development[i] == pytest.approx(t, abs=1e-15)
        assert r.coordination[i] == pytest.approx(math.sqrt(c * t), abs=1e-15)
    assert r.coupling[1] == 1.0


def test_weights_alpha_change_t_only() -> None:
    u = [[0.2, 0.8, 0.5]]
    a = ccd.coupling_coordination(u, [1, 1, 1])
    b = ccd.coupling_coordination(u, [2, 1, 1])
    assert a.coupling[0] == b.coupling[0]
    assert b.development[0] == pytest.approx((2 * 0.2 + 0.8 + 0.5) / 4)


def test_zero_subsystems_follow_the_stated_convention() -> None:
    r = ccd.coupling_coordination([[0.0, 0.0], [0.0, 0.7]])
    assert r.coupling.tolist() == [0.0, 0.0]
    assert r.coordination.tolist() == [0.0, 0.0]
    assert r.band.tolist() == [0, 0]


@pytest.mark.parametrize(
    ("d", "level"), [(0.0, 1), (0.1, 1), (0.1000001, 2), (0.55, 6), (0.9, 9), (0.95, 10), (1.0, 10)]
)
def test_band_edges_are_left_open_right_closed(d: float, level: int) -> None:
    assert ccd.band_of(d).level == level


def test_bands_tile_zero_to_one() -> None:
    assert ccd.BANDS[0].lower == 0.0
    assert ccd.BANDS[-1].upper == 1.0
    for a, b in zip(ccd.BANDS, ccd.BANDS[1:], strict=False):
        assert a.upper == b.lower


@pytest.mark.parametrize(
    ("u", "alpha"),
    [
        ([[0.5]], None),
        ([[0.5, 1.2]], None),
        ([[0.5, -0.1]], None),
        ([[0.5, float("nan")]], None),
        ([[0.5, 0.5]], [1.0]),
        ([[0.5, 0.5]], [0.0, 0.0]),
    ],
)
def test_bad_input_is_refused(u: list[list[float]], alpha: list[float] | None) -> None:
    with pytest.raises(InputError):
        ccd.coupling_coordination(u, alpha)


def test_band_of_refuses_out_of_range() -> None:
    with pytest.raises(InputError):
        ccd.band_of(1.5)


scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), k=st.integers(min_value=2, max_value=5), n=st.integers(1, 8))
def test_ranges_and_equality_gives_full_coupling(data: st.DataObject, k: int, n: int) -> None:
    u = np.array(
        data.draw(st.lists(st.lists(scores, min_size=k, max_size=k), min_size=n, max_size=n))
    )
    r = ccd.coupling_coordination(u)
    assert ((r.coupling >= 0) & (r.coupling <= 1)).all()
    assert ((r.coordination >= 0) & (r.coordination <= 1)).all()
    assert np.allclose(r.development, u.mean(axis=1))
    # D never exceeds T's square root and equals √T when the subsystems are level.
    assert (r.coordination <= np.sqrt(r.development) + 1e-12).all()
    level = np.repeat(u[:, :1], k, axis=1)
    same = ccd.coupling_coordination(level)
    positive = level[:, 0] > 0
    assert np.allclose(same.coupling[positive], 1.0)
    for d, b in zip(r.coordination, r.band, strict=True):
        band = ccd.BANDS[int(b)]
        assert band.lower <= d <= band.upper
