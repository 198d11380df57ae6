"""Pure value types of the supply domain (shared by the compute cores, services and edges)."""

from __future__ import annotations

from enum import StrEnum


class CreditGrade(StrEnum):
    """Tax credit grade (纳税信用等级), best first.

    Grades A, B, C, D: State Taxation Administration announcement 2014 No. 40 (纳税信用管理办法);
    grade M added by announcement 2018 No. 8, ranked between B and C.
    """

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"

    @property
    def rank(self) -> int:
        """0 for the best grade (A), growing as the grade worsens."""
        return list(CreditGrade).index(self)


class Severity(StrEnum):
    """Severity of a recorded violation (严重违法失信 versus an ordinary one)."""

    SERIOUS = "serious"
    MINOR = "minor"


class DecisionKind(StrEnum):
    """What a chain decision is about."""

    JOIN = "join"
    EXIT = "exit"


class DecisionOutcome(StrEnum):
    """The result of a join application or an exit review."""

    ADMITTED = "admitted"
    REFUSED = "refused"
    EXITED = "exited"
    RETAINED = "retained"


class LevelsSource(StrEnum):
    """Where a scenario's response levels come from besides its own ``levels`` periods."""

    #: The provincial levels declared in 2020, day by day (the epidemic domain's bundled table).
    DECLARED_2020 = "declared-2020"
    #: The epidemic domain's recommended level per city at the scenario's start, held throughout.
    RECOMMENDED = "recommended"
