"""City restriction scenarios as a days x cities array of capacity shares lost (pure).

A period names a city (6-digit code) or a province (code ending in ``0000``: every city whose
code starts with its first two digits). Overlapping periods take the largest share: two
measures on the same workers do not add up beyond the stricter one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray


def covers(jurisdiction: str, city: str) -> bool:
    """A period for ``jurisdiction`` applies to ``city`` (same city, or its province)."""
    if jurisdiction == city:
        return True
    return jurisdiction.endswith("0000") and city[:2] == jurisdiction[:2]


def from_periods(
    cities: Sequence[str],
    start: date,
    days: int,
    periods: Sequence[tuple[str, date, date, float]],
) -> NDArray[np.float64]:
    """Shares lost per day and city from (jurisdiction, first day, last day, share) periods."""
    out = np.zeros((days, len(cities)))
    for where, first, last, share in periods:
        lo = max((first - start).days, 0)
        hi = min((last - start).days + 1, days)
        if hi <= lo:
            continue
        cols = [j for j, c in enumerate(cities) if covers(where, c)]
        if cols:
            out[lo:hi, cols] = np.maximum(out[lo:hi, cols], share)
    return out


def from_levels(
    cities: Sequence[str],
    start: date,
    days: int,
    level: Callable[[str, date], int | None],
    shares: Mapping[int, float],
) -> NDArray[np.float64]:
    """Shares lost per day and city from a response-level lookup and a level -> share table.

    A day without a level (None) or with a level missing from ``shares`` loses nothing.
    """
    out = np.zeros((days, len(cities)))
    for t in range(days):
        day = start + timedelta(days=t)
        for j, city in enumerate(cities):
            lvl = level(city, day)
            if lvl is not None:
                out[t, j] = shares.get(lvl, 0.0)
    return out


def level_lookup(
    periods: Sequence[tuple[str, date, date, int]],
) -> Callable[[str, date], int | None]:
    """A level lookup from (jurisdiction, first day, last day, level) periods: the highest
    (numerically lowest) level in force for the city that day."""

    def level(city: str, day: date) -> int | None:
        found = [
            lvl
            for where, first, last, lvl in periods
            if first <= day <= last and covers(where, city)
        ]
        return min(found) if found else None

    return level
