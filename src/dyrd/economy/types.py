"""Pure value types of the economy domain: concepts, directions, method choices, indicator specs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Concept(StrEnum):
    """The five new development concepts (五大发展理念, 5th Plenum of the 18th CPC CC, 2015)."""

    INNOVATION = "innovation"
    COORDINATION = "coordination"
    GREEN = "green"
    OPENNESS = "openness"
    SHARING = "sharing"

    @property
    def zh(self) -> str:
        """Chinese name."""
        return _CONCEPT_ZH[self]


_CONCEPT_ZH = {
    Concept.INNOVATION: "创新",
    Concept.COORDINATION: "协调",
    Concept.GREEN: "绿色",
    Concept.OPENNESS: "开放",
    Concept.SHARING: "共享",
}


class Direction(StrEnum):
    """Whether more of an indicator is better (benefit, +) or worse (cost, −)."""

    BENEFIT = "benefit"
    COST = "cost"


class Normalisation(StrEnum):
    """How raw values become comparable scores before weighting."""

    MINMAX = "minmax"
    """(x − min)/(max − min) for benefit, (max − x)/(max − min) for cost: aligned, in [0, 1]."""
    VECTOR = "vector"
    """x / sqrt(Σ x²) per column, not direction-aligned: TOPSIS picks the ideal by direction."""


class EntropyVariant(StrEnum):
    """Which shares the entropy is computed from."""

    MINMAX = "minmax"
    """Chinese HQD papers: shares of the aligned min–max scores (plus an optional shift)."""
    RAW_SUM = "raw_sum"
    """Shares of the raw values, x / Σx (pymcdm ``entropy_weights``); needs x >= 0."""


class Aggregation(StrEnum):
    """How weighted scores become one composite value."""

    TOPSIS = "topsis"
    LINEAR = "linear"


class WeightScheme(StrEnum):
    """Entropy weights for a panel: one set over all years, or one set per year."""

    POOLED = "pooled"
    PER_YEAR = "per_year"


class InputError(ValueError):
    """Input a computation cannot use (constant column, negative value under a log, too few units).

    Carries the message in English and Chinese; services turn it into ``ValidationFailed``.
    """

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Ratio:
    """A derived indicator: (Σ numerators) / denominator x factor, all inputs of the same year."""

    numerators: tuple[str, ...]
    denominator: str
    factor: float = 1.0

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every base indicator the formula reads."""
        return (*self.numerators, self.denominator)


@dataclass(frozen=True, slots=True)
class TwoGroupTheil:
    """Urban–rural Theil T of one city: Σ_k (I_k/I) ln((I_k/I)/(P_k/P)) over k = urban, rural.

    Incomes are per-capita; group income I_k = income_k x population_k.
    """

    income_urban: str
    income_rural: str
    pop_urban: str
    pop_rural: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every base indicator the formula reads."""
        return (self.income_urban, self.income_rural, self.pop_urban, self.pop_rural)


Formula = Ratio | TwoGroupTheil


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One catalog indicator: what it measures, its unit and direction, where values come from.

    ``formula`` is None for a base indicator (values read as stored, with their source);
    a derived indicator is computed from its inputs of the same year, never typed in.
    """

    code: str
    name_zh: str
    name_en: str
    concept: Concept
    direction: Direction
    unit: str
    definition: str
    formula: Formula | None = None
    in_default_index: bool = True
    reference: str = ""
    """Where the indicator is used in the literature."""
    data_gap: str = ""
    """Why the platform ships no values for it (licensed sources checked); empty if it does."""
    data_gap_zh: str = ""


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one indicator for one unit and year, with its unit and source."""

    value: float
    unit: str
    source: str
