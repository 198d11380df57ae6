"""The epidemic domain's response levels as supply's ``ResponseLevels`` (its public surface only).

Declared 2020 levels are provincial: a city takes its province's level on each day (province
code = the city code's first two digits + ``0000``, the GB/T 2260 layout). Recommended levels
are per city at one forecast origin (the scenario's start) and held for the whole scenario,
since the epidemic domain recommends from a two-week forecast made at one origin.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dyrd import epidemic
from dyrd.supply.ports import ResponseLevels
from dyrd.supply.types import LevelsSource


class Declared2020:
    """The level declared in force in the city's province on each day (None outside them)."""

    def __init__(self) -> None:
        self._periods = epidemic.declared_periods()

    def level(self, city: str, day: date) -> int | None:
        """The province's declared level that day."""
        found = epidemic.declared_level(self._periods, city[:2] + "0000", day)
        return None if found is None else int(found)


class FixedLevels:
    """One level per city, the same every day."""

    def __init__(self, by_city: dict[str, int]) -> None:
        self._by_city = dict(by_city)

    def level(self, city: str, day: date) -> int | None:
        """The city's level (any day)."""
        return self._by_city.get(city)


class EpidemicLevels:
    """``LevelSources`` backed by the epidemic domain."""

    def __init__(self, *, n_members: int = 200, seed: int = 0) -> None:
        # The ensemble size and seed are the epidemic domain's own defaults for its levels
        # (epidemic.service.levels.response_levels); tests pass a smaller ensemble.
        self._n_members = n_members
        self._seed = seed

    def levels(self, session: Session, source: LevelsSource, origin: date) -> ResponseLevels:
        """The named source's levels."""
        if source is LevelsSource.DECLARED_2020:
            return Declared2020()
        report = epidemic.response_levels(
            session, origin=origin, n_members=self._n_members, seed=self._seed
        )
        return FixedLevels({c.code: c.level for c in report.cities})
