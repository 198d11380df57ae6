"""What the supply domain needs from the outside world, as Protocols.

``CityRestrictions`` is how a disruption run gets "share of capacity lost per city per day"
from elsewhere. The scenario-file adapter implements it today; the epidemic domain's response
levels will come in through ``ResponseLevels`` and ``adapters.scenario_file.LevelRestrictions``
once that domain exists (wired in ``bootstrap.py``, never imported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


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
