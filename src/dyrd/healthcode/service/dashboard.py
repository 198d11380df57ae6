"""Read-only views for the dashboard: colours counted per city, rule versions with signature status.

Nothing here writes: the counts are computed now from the stored inputs and the verified rules
(the same computation as batch re-evaluation), and no access-log row is written because no one
resident's status is read, only totals.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from sqlalchemy.orm import Session

from dyrd.healthcode.compute import batch
from dyrd.healthcode.compute.features import local_date
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import RuleRead
from dyrd.healthcode.service.colours import load_inputs
from dyrd.healthcode.service.rules import rule_read, verified_rules, verify_rule
from dyrd.healthcode.types import Colour


@dataclass(frozen=True, slots=True)
class ColourCounts:
    """Residents per colour in one place (a city or a jurisdiction)."""

    code: str
    green: int
    yellow: int
    red: int

    @property
    def total(self) -> int:
        """Residents counted."""
        return self.green + self.yellow + self.red

    @property
    def not_green(self) -> int:
        """Yellow and red together."""
        return self.yellow + self.red


@dataclass(frozen=True, slots=True)
class ColourDistribution:
    """Current colours of every resident, counted per city and per home jurisdiction.

    A resident's city is the city of their latest recorded stay up to ``at``'s local date;
    residents without any stay are counted in ``without_city`` (and in their jurisdiction).
    """

    at: datetime
    residents: int
    by_city: tuple[ColourCounts, ...]
    by_jurisdiction: tuple[ColourCounts, ...]
    without_city: int


def _counts(frame: pl.DataFrame, key: str) -> tuple[ColourCounts, ...]:
    if frame.height == 0:
        return ()
    wide = frame.group_by(key, "colour").len()
    tally: dict[str, dict[str, int]] = {}
    for code, colour, n in wide.iter_rows():
        tally.setdefault(str(code), {})[str(colour)] = int(n)
    return tuple(
        ColourCounts(
            code=code,
            green=c.get(Colour.GREEN.value, 0),
            yellow=c.get(Colour.YELLOW.value, 0),
            red=c.get(Colour.RED.value, 0),
        )
        for code, c in sorted(tally.items())
    )


def colour_distribution(session: Session, *, at: datetime) -> ColourDistribution:
    """Every resident's colour at ``at`` (verified rules only), counted per city and jurisdiction.

    Raises RuleSignatureInvalid, as colouring does, when a stored rule does not verify.
    """
    rules = verified_rules(session)
    inputs = load_inputs(session)
    if inputs.residents.height == 0:
        return ColourDistribution(at, 0, (), (), 0)
    status = batch.colour_table(inputs, rules, at).select("rid", "colour")
    homes = inputs.residents.select("rid", "jurisdiction")
    today = local_date(at)
    latest = (
        inputs.stays.filter(pl.col("stay_date") <= today)
        .sort("stay_date", "city_code")
        .group_by("rid")
        .agg(pl.col("city_code").last().cast(pl.String).alias("city"))
    )
    joined = status.join(homes, on="rid", how="left").join(latest, on="rid", how="left")
    placed = joined.filter(pl.col("city").is_not_null())
    return ColourDistribution(
        at=at,
        residents=status.height,
        by_city=_counts(placed, "city"),
        by_jurisdiction=_counts(joined, "jurisdiction"),
        without_city=joined.height - placed.height,
    )


class DistributionCache:
    """Colour distributions by (input data version, minute): the map is not recomputed per view.

    A distribution depends on the stored inputs and rules and on the time; it is computed once
    per minute of validation time and per version of the inputs (``input_data_version``), and
    reused for ``max_age`` at most (so a rule whose signature stops verifying is seen again).
    """

    max_age = timedelta(minutes=5)
    size = 8
    """Distributions kept (a few minutes' worth of views)."""

    def __init__(self, *, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._held: OrderedDict[tuple[object, ...], tuple[datetime, ColourDistribution]] = (
            OrderedDict()
        )
        self.computed = 0
        """Distributions computed (not served from the cache)."""

    def distribution(self, session: Session, *, at: datetime) -> ColourDistribution:
        """The distribution at ``at`` to the minute; raises as ``colour_distribution`` does."""
        minute = at.replace(second=0, microsecond=0)
        key = (HealthcodeRepository(session).input_data_version(), minute)
        now = self._clock()
        with self._lock:
            hit = self._held.get(key)
            if hit is not None and now - hit[0] < self.max_age:
                self._held.move_to_end(key)
                return hit[1]
        dist = colour_distribution(session, at=minute)
        with self._lock:
            self.computed += 1
            self._held[key] = (now, dist)
            while len(self._held) > self.size:
                self._held.popitem(last=False)
        return dist


def rules_with_signatures(
    session: Session, *, jurisdiction: str | None = None
) -> list[tuple[RuleRead, bool]]:
    """Every stored rule version (the rule browser) and whether its signature verifies."""
    rows = HealthcodeRepository(session).rule_versions(jurisdiction=jurisdiction)
    return [(rule_read(r), verify_rule(session, r)) for r in rows]
