"""Pure value types of the region domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dyrd.core.errors import FieldError


@dataclass(frozen=True, slots=True)
class IndicatorDefinition:
    """What an indicator measures, in which unit, with bilingual names."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class StatisticRecord:
    """One long-form statistic: (city, indicator, year, value, unit, source)."""

    city_code: str
    indicator: str
    year: int
    value: float
    unit: str
    source: str


class TableLayout(StrEnum):
    """Shape of an uploaded statistics table."""

    LONG = "long"
    """One value per row: city_code, indicator, year, value, unit[, source]."""
    WIDE = "wide"
    """One row per city (and year), one column per indicator headed ``code [unit]``."""


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A statistic read from a table, with the spreadsheet row it came from (header = row 1)."""

    row: int
    record: StatisticRecord


@dataclass(frozen=True, slots=True)
class ParsedTable:
    """A table that passed every check: its values and the indicators it introduces."""

    layout: TableLayout
    rows_read: int
    """Non-blank data rows in the file (a wide row holds several values)."""
    rows: tuple[ParsedRow, ...]
    new_indicators: tuple[IndicatorDefinition, ...]
    """Indicators absent from the stored definitions, in order of first appearance."""

    @property
    def records(self) -> tuple[StatisticRecord, ...]:
        """The statistics alone, in file order."""
        return tuple(r.record for r in self.rows)


@dataclass(frozen=True, slots=True)
class TableRejected:
    """A table with problems: every one found, each at its row and column."""

    errors: tuple[FieldError, ...]
    layout: TableLayout | None = None
    """The layout, when the header was readable enough to tell."""
