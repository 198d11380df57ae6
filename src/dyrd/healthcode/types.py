"""Value types of the health-code domain: colours, risk levels, test kinds, verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Colour(StrEnum):
    """Health-code colours (Hangzhou's three-colour scheme, adopted across the YRD in 2020)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def zh(self) -> str:
        """Chinese name as shown on the code: 绿码 / 黄码 / 红码."""
        return {"green": "绿码", "yellow": "黄码", "red": "红码"}[self.value]

    @property
    def en(self) -> str:
        """English name: Green / Yellow / Red."""
        return self.value.capitalize()

    @property
    def severity(self) -> int:
        """0 green < 1 yellow < 2 red."""
        return ["green", "yellow", "red"].index(self.value)


class RiskLevel(StrEnum):
    """Levels of a risk area as published in the daily lists (高 / 中 / 低风险地区)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class TestType(StrEnum):
    """Kinds of test result accepted as input."""

    __test__ = False  # not a pytest class

    PCR = "pcr"
    ANTIGEN = "antigen"
    ANTIBODY = "antibody"


class TestResult(StrEnum):
    """Outcome of a test."""

    __test__ = False  # not a pytest class

    NEGATIVE = "negative"
    POSITIVE = "positive"


class AppealStatus(StrEnum):
    """Where an appeal against a colour stands."""

    PENDING = "pending"
    CORRECTED = "corrected"
    REJECTED = "rejected"


JURISDICTION_PREFIX: dict[str, str] = {
    "310000": "SH",
    "320000": "JS",
    "330000": "ZJ",
    "340000": "AH",
}
"""GB/T 2260 code of each YRD jurisdiction -> the prefix of its rule ids (SH-HC-001...)."""


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Which rule version decided a colour."""

    rule_id: str
    version: int


@dataclass(frozen=True, slots=True)
class ColourVerdict:
    """A resident's colour with the rule that decided it and why, in Chinese and English."""

    colour: Colour
    rule: RuleRef
    reason_zh: str
    reason_en: str
