"""Daily incidence from cumulative case counts, with revisions handled openly.

A cumulative series that goes down was revised: an earlier total was too high (double counting,
a case re-assigned to another city). Clipping the negative differences at 0 would keep the
excess and inflate the total; spreading the drop over earlier days would invent a timing.
We take the later, revised total as the truth: each day's cumulative count becomes the minimum
of itself and every later count (a running minimum from the end). The daily differences are
then >= 0, their sum equals the last reported total, and the cases removed come off the days
that over-reported. Every revision is returned (city, day, size of the drop) so callers can
show it. User-supplied series can instead be refused (``strict``), naming the first bad row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dyrd.epidemic.errors import InvalidCaseSeries, InvalidShape, field

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Revision:
    """A fall of a cumulative count: on ``day`` the total was ``drop`` lower than before."""

    city: int
    day: int
    drop: float


@dataclass(frozen=True, slots=True, eq=False)
class Incidence:
    """Daily new cases (days, cities) derived from a cumulative series, and the revisions met."""

    daily: FloatArray
    revisions: tuple[Revision, ...]


def _check(cumulative: FloatArray, cities: list[str] | None) -> FloatArray:
    arr = np.asarray(cumulative, dtype=np.float64)
    if arr.ndim != 2:
        raise InvalidShape(
            f"a case series must be (days, cities), got {arr.shape}",
            f"病例序列须为 (天数, 城市数), 实为 {arr.shape}",
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        t, c = (int(x) for x in np.argwhere(bad)[0])
        name = cities[c] if cities else str(c)
        raise InvalidCaseSeries(
            f"case count of {name} on day {t} is {arr[t, c]}: counts must be finite and >= 0",
            f"{name} 第 {t} 天的病例数为 {arr[t, c]}: 须为非负有限数",
            errors=[field(f"{name}[{t}]", "negative or non-finite", "为负或非有限", arr[t, c])],
        )
    return arr


def revisions(cumulative: FloatArray) -> tuple[Revision, ...]:
    """Every day on which a cumulative count fell, with the size of the fall."""
    arr = np.asarray(cumulative, dtype=np.float64)
    diff = np.diff(arr, axis=0)
    return tuple(
        Revision(city=int(c), day=int(t) + 1, drop=float(-diff[t, c]))
        for t, c in np.argwhere(diff < 0)
    )


def daily_from_cumulative(
    cumulative: FloatArray,
    *,
    cities: list[str] | None = None,
    strict: bool = False,
    initial: FloatArray | None = None,
) -> Incidence:
    """Daily incidence (days, cities) from cumulative counts (see the module docstring).

    ``initial`` is the cumulative count before the first day (0 by default), so the first row of
    the result is ``cumulative[0] - initial``. ``strict`` refuses any fall instead of absorbing
    it, naming the city and day.
    """
    arr = _check(cumulative, cities)
    start = np.zeros(arr.shape[1]) if initial is None else np.asarray(initial, dtype=np.float64)
    found = revisions(np.vstack([start, arr]))
    found = tuple(Revision(r.city, r.day - 1, r.drop) for r in found)
    if strict and found:
        r = found[0]
        name = cities[r.city] if cities else str(r.city)
        raise InvalidCaseSeries(
            f"cumulative count of {name} falls by {r.drop:g} on day {r.day}: a cumulative series"
            " must not decrease (give daily counts, or correct the revision)",
            f"{name} 的累计病例数在第 {r.day} 天下降 {r.drop:g}: 累计序列不得下降",
            errors=[field(f"{name}[{r.day}]", "cumulative count falls", "累计数下降", r.drop)],
        )
    full = np.vstack([start, arr])
    # Running minimum from the end: the revised (later) total is the truth.
    revised = np.minimum.accumulate(full[::-1], axis=0)[::-1]
    daily = np.diff(revised, axis=0)
    return Incidence(daily=daily, revisions=found)


def weekly(daily: FloatArray, *, week: int = 7) -> FloatArray:
    """Sums over consecutive blocks of ``week`` days (a trailing partial week is dropped)."""
    arr = np.asarray(daily, dtype=np.float64)
    n = arr.shape[0] // week
    return np.asarray(arr[: n * week].reshape(n, week, *arr.shape[1:]).sum(axis=1), np.float64)
