"""What the supply domain needs from the outside world, as Protocols.

``CityRestrictions`` is how a disruption run gets "share of capacity lost per city per day"
from elsewhere (a scenario file, or any ``ResponseLevels`` through
``adapters.scenario_file.LevelRestrictions``). ``LevelSources`` hands a run the epidemic
domain's response levels named by a scenario's ``levels_source``
(``adapters.epidemic_levels``; the epidemic domain is never imported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dyrd.supply.types import LevelsSource


class CityRestrictions(Protocol):
    """Share of labour/production capacity lost, per day and city."""

    def shares(self, cities: Sequence[str], start: date, days: int) -> NDArray[np.float64]:
        """A (days, len(cities)) array of shares in [0, 1]."""
        ...


class ResponseLevels(Protocol):
    """The public-health response level (1 = I highest ... 4 = IV) in force in a city on a day."""

    def level(self, city: str, day: date) -> int | None:
        """The level, or None when no response is in force (or it is unknown)."""
        ...


class LevelSources(Protocol):
    """Response levels from a named outside source, for a run starting on ``origin``."""

    def levels(self, session: Session, source: LevelsSource, origin: date) -> ResponseLevels:
        """The source's levels (may read the database through ``session``)."""
        ...
