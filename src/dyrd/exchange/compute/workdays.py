"""Working-day arithmetic for answer deadlines (Mon-Fri, minus holidays, plus make-up days).

China moves weekend days around its public holidays (调休): a holiday can fall on a weekday and a
Saturday or Sunday can be a working day. A calendar is therefore the weekend rule plus two sets of
dates from the State Council's yearly notice: days off, and weekend days that are worked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
"""UTC+8 without daylight saving (none since 1991): the clock government offices answer on."""

MAX_WORKING_DAYS = 365
"""Longest deadline this arithmetic accepts; far beyond any rule, it only bounds the loop."""


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which dates are working days: Mon-Fri, minus ``holidays``, plus ``workdays``."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """True on a working day (a listed make-up day wins over everything else)."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5  # Monday=0 .. Friday=4

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts).

        A request submitted on any day, working or not, is due at the end of the ``n``-th working
        day that follows it, as "within N working days" is read in the sharing rules.
        """
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"n must be 1..{MAX_WORKING_DAYS}, not {n}")
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` (0 when ``end <= start``)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def local_date(at: datetime) -> date:
    """The date in China Standard Time of an aware instant."""
    return at.astimezone(CHINA_STANDARD_TIME).date()


def end_of_day(day: date) -> datetime:
    """The instant (UTC) at which ``day`` ends in China Standard Time."""
    start_next = datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA_STANDARD_TIME)
    return start_next.astimezone(UTC)
