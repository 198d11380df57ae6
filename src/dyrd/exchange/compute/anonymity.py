"""k-anonymity and l-diversity of a release, and a simple deterministic generalisation.

An *equivalence class* is the set of rows that share the values of every quasi-identifier
column. A release is k-anonymous when each class has at least k rows (Sweeney 2002,
"k-anonymity: a model for protecting privacy", IJUFKS 10(5)), and distinct-l-diverse when each
class holds at least l distinct values of every sensitive column (Machanavajjhala et al. 2007,
"l-diversity: privacy beyond k-anonymity", ACM TKDD 1(1), §4.1 "distinct l-diversity").

When a table fails, :func:`anonymise` generalises quasi-identifiers one level at a time, always
on the column that currently has the most distinct values (the Datafly heuristic of Sweeney
2002, "Achieving k-anonymity privacy protection using generalization and suppression",
IJUFKS 10(5)), and suppresses whole failing classes once they are few enough. It is greedy,
not optimal; it is deterministic, so the same table always gives the same release.

Missing values (None) count as one value of their own, both in classes and in diversity.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dyrd.exchange.types import ColumnSpec, ColumnType, PersonalDataRole

DEFAULT_K = 5
"""k of the release gate. The model is Sweeney 2002; the value 5 is the project's requirement
(research note, goal 6: "k >= 5 (configurable)"), not a standard."""

DEFAULT_L = 2
"""Distinct l of the release gate (Machanavajjhala et al. 2007); 2, the project's requirement,
is the smallest l that rules out a class in which everyone shares the sensitive value."""

DEFAULT_MAX_SUPPRESSION = 0.05
"""Largest share of rows that may be dropped to reach k and l. A policy choice of the project
(the issue's "e.g. <= 5%"), not a standard: more suppression biases what the consumer sees."""

MASK = "*"
"""What a fully generalised value becomes."""

_MAX_NUMERIC_LEVELS = 40  # a guard only: widths grow at least fivefold per two levels


@dataclass(frozen=True, slots=True)
class AnonymityPolicy:
    """What a release of personal data must satisfy."""

    k: int = DEFAULT_K
    l: int = DEFAULT_L  # noqa: E741  # the literature's name for the parameter
    max_suppression: float = DEFAULT_MAX_SUPPRESSION

    def __post_init__(self) -> None:
        if self.k < 1 or self.l < 1:
            raise ValueError("k and l must be at least 1")
        if not 0.0 <= self.max_suppression < 1.0:
            raise ValueError("max_suppression must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class EquivalenceClass:
    """One class: its (generalised) quasi-identifier values, size and distinct sensitive values."""

    key: tuple[Any, ...]
    size: int
    diversity: Mapping[str, int] = field(hash=False)


@dataclass(frozen=True, slots=True)
class AnonymityReport:
    """k and l of a table as it stands, and the classes that break the policy."""

    rows: int
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    k: int
    l: int  # noqa: E741
    classes: int
    min_class_size: int
    min_diversity: Mapping[str, int] = field(hash=False)
    violating: tuple[EquivalenceClass, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every class has k rows and l distinct values of each sensitive column."""
        return not self.violating

    @property
    def violating_rows(self) -> int:
        """Rows in classes that break the policy."""
        return sum(c.size for c in self.violating)

    def summary(self) -> dict[str, Any]:
        """Counts only, safe to show the consumer (class keys would single out rare people)."""
        return {
            "rows": self.rows,
            "k": self.k,
            "l": self.l,
            "classes": self.classes,
            "min_class_size": self.min_class_size,
            "min_diversity": dict(self.min_diversity),
            "violating_classes": len(self.violating),
            "violating_rows": self.violating_rows,
        }


def columns_with_role(columns: Sequence[ColumnSpec], role: PersonalDataRole) -> tuple[str, ...]:
    """Names of the columns with ``role``, in schema order."""
    return tuple(c.name for c in columns if c.personal_data is role)


def equivalence_classes(
    rows: Sequence[Mapping[str, Any]], quasi_identifiers: Sequence[str]
) -> dict[tuple[Any, ...], list[int]]:
    """Row indices grouped by their quasi-identifier values, in first-seen order."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[tuple(row.get(q) for q in quasi_identifiers)].append(i)
    return dict(groups)


def check_anonymity(
    rows: Sequence[Mapping[str, Any]],
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str],
    *,
    k: int = DEFAULT_K,
    l: int = DEFAULT_L,  # noqa: E741
) -> AnonymityReport:
    """Equivalence classes of ``rows`` and which of them have fewer than k rows or l values."""
    classes: list[EquivalenceClass] = []
    for key, members in equivalence_classes(rows, quasi_identifiers).items():
        diversity = {s: len({_hashable(rows[i].get(s)) for i in members}) for s in sensitive}
        classes.append(EquivalenceClass(key, len(members), diversity))
    violating = tuple(c for c in classes if c.size < k or any(d < l for d in c.diversity.values()))
    return AnonymityReport(
        rows=len(rows),
        quasi_identifiers=tuple(quasi_identifiers),
        sensitive=tuple(sensitive),
        k=k,
        l=l,
        classes=len(classes),
        min_class_size=min((c.size for c in classes), default=0),
        min_diversity={s: min((c.diversity[s] for c in classes), default=0) for s in sensitive},
        violating=violating,
    )


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- generalisation hierarchies -------------------------------------------------------------


# ISO 8601 text keeps its prefixes: YYYY-MM-DD -> YYYY-MM -> YYYY.
_TIME_LEVELS = {ColumnType.DATE: (7, 4), ColumnType.DATETIME: (10, 7, 4)}
_TIME_NAMES = {10: "date", 7: "month", 4: "year"}


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Generalisation levels of one column: level 0 is the value itself, ``top`` is ``*``."""

    column: str
    kind: ColumnType
    top: int
    widths: tuple[float, ...] = ()  # numeric columns: bin width of levels 1..top-1
    integer: bool = False

    def describe(self, level: int) -> str:
        """What ``level`` does to a value, in words."""
        if level == 0:
            return "exact"
        if level >= self.top:
            return "suppressed (*)"
        if self.widths:
            return f"ranges of width {_fmt(self.widths[level - 1])}"
        if self.kind in _TIME_LEVELS:
            return _TIME_NAMES[_TIME_LEVELS[self.kind][level - 1]]
        return f"last {level} character(s) masked"

    def apply(self, value: Any, level: int) -> Any:
        """``value`` generalised to ``level``."""
        if level == 0:
            return value
        if level >= self.top:
            return MASK
        if value is None:
            return None
        if self.widths:
            return _bin(value, self.widths[level - 1], integer=self.integer)
        if self.kind in _TIME_LEVELS:
            return str(value)[: _TIME_LEVELS[self.kind][level - 1]]
        text = str(value)
        kept = max(0, len(text) - level)
        return text[:kept] + MASK * (len(text) - kept)


def _fmt(x: float) -> str:
    return format(round(x, 12), ".12g")


def _bin(value: Any, width: float, *, integer: bool) -> str:
    if integer:
        w = int(width)
        lo = (int(value) // w) * w
        return f"{lo}–{lo + w - 1}"
    index = math.floor(float(value) / width)
    return f"[{_fmt(index * width)}, {_fmt((index + 1) * width)})"


def _numeric_widths(values: Sequence[float], *, integer: bool) -> tuple[float, ...]:
    """Widths 5b, 10b, 50b, 100b, ... until one bin holds every value.

    b is a power of ten two orders below the data's span (at least 1 for integers), so ages
    (span about 100) get 5, 10, 50, 100: 37 -> 35–39 -> 30–39 -> 0–49 -> 0–99. Each width
    divides the next, so every level merges whole bins of the level below.
    """
    lo, hi = min(values), max(values)
    if hi == lo:
        return ()
    exponent = math.floor(math.log10(hi - lo)) - 2
    base: float = 10.0**exponent
    if integer:
        base = max(1, round(base))
    widths: list[float] = []
    for step in range(_MAX_NUMERIC_LEVELS):
        width = base * (5 if step % 2 == 0 else 10) * 10 ** (step // 2)
        widths.append(width)
        if math.floor(lo / width) == math.floor(hi / width):
            break
    return tuple(widths)


def hierarchy(spec: ColumnSpec, rows: Sequence[Mapping[str, Any]]) -> Hierarchy:
    """The generalisation hierarchy of one quasi-identifier column, fitted to its values."""
    values = [r.get(spec.name) for r in rows]
    present = [v for v in values if v is not None]
    if spec.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        numbers = [v for v in present if isinstance(v, (int, float)) and not isinstance(v, bool)]
        integer = spec.type is ColumnType.INTEGER
        widths = _numeric_widths(numbers, integer=integer) if numbers else ()
        return Hierarchy(spec.name, spec.type, len(widths) + 1, widths, integer)
    if spec.type in _TIME_LEVELS:
        return Hierarchy(spec.name, spec.type, len(_TIME_LEVELS[spec.type]) + 1)
    if spec.type is ColumnType.BOOLEAN:
        return Hierarchy(spec.name, spec.type, 1)
    longest = max((len(str(v)) for v in present), default=0)
    return Hierarchy(spec.name, spec.type, max(1, longest))


def generalise(
    rows: Sequence[Mapping[str, Any]],
    hierarchies: Sequence[Hierarchy],
    levels: Mapping[str, int],
) -> list[dict[str, Any]]:
    """Copies of ``rows`` with each hierarchy's column generalised to its level."""
    out: list[dict[str, Any]] = []
    for row in rows:
        new = dict(row)
        for h in hierarchies:
            level = levels.get(h.column, 0)
            if level:
                new[h.column] = h.apply(row.get(h.column), level)
        out.append(new)
    return out


# --- anonymisation ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnGeneralisation:
    """What was done to one quasi-identifier column."""

    column: str
    level: int
    max_level: int
    description: str


@dataclass(frozen=True, slots=True)
class Anonymisation:
    """Outcome of :func:`anonymise`: the rows to release (if ``ok``) and everything done to them."""

    ok: bool
    rows: list[dict[str, Any]] = field(hash=False)
    before: AnonymityReport
    after: AnonymityReport
    generalisations: tuple[ColumnGeneralisation, ...]
    suppressed: int
    reason: str = ""

    @property
    def levels(self) -> dict[str, int]:
        """Generalisation level per quasi-identifier column."""
        return {g.column: g.level for g in self.generalisations}


def _outcome(
    rows: list[dict[str, Any]],
    before: AnonymityReport,
    after: AnonymityReport,
    hierarchies: Sequence[Hierarchy],
    levels: Mapping[str, int],
    *,
    ok: bool,
    suppressed: int = 0,
    reason: str = "",
) -> Anonymisation:
    done = tuple(
        ColumnGeneralisation(h.column, levels[h.column], h.top, h.describe(levels[h.column]))
        for h in hierarchies
    )
    return Anonymisation(ok, rows if ok else [], before, after, done, suppressed, reason)


def anonymise(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[ColumnSpec],
    policy: AnonymityPolicy,
    *,
    allow_generalisation: bool = True,
) -> Anonymisation:
    """Generalise and suppress until every class has k rows and l values, or say why not.

    Each round first suppresses the failing classes if they hold at most
    ``policy.max_suppression`` of the rows; otherwise it raises by one level the
    quasi-identifier with the most distinct values (ties: schema order). When no column can be
    generalised further the release is refused. Without ``allow_generalisation`` only that
    first suppression check is made.
    """
    qis = columns_with_role(columns, PersonalDataRole.QUASI_IDENTIFIER)
    sensitive = columns_with_role(columns, PersonalDataRole.SENSITIVE)
    by_name = {c.name: c for c in columns}
    hierarchies = [hierarchy(by_name[q], rows) for q in qis]
    levels = dict.fromkeys(qis, 0)
    allowed = math.floor(policy.max_suppression * len(rows))
    before = report = check_anonymity(rows, qis, sensitive, k=policy.k, l=policy.l)
    current = [dict(r) for r in rows]
    while True:
        if report.ok:
            return _outcome(current, before, report, hierarchies, levels, ok=True)
        if report.violating_rows <= allowed:
            dropped = {c.key for c in report.violating}
            kept = [r for r in current if tuple(r.get(q) for q in qis) not in dropped]
            after = check_anonymity(kept, qis, sensitive, k=policy.k, l=policy.l)
            suppressed = len(current) - len(kept)
            return _outcome(
                kept, before, after, hierarchies, levels, ok=True, suppressed=suppressed
            )
        candidates = [h for h in hierarchies if levels[h.column] < h.top]
        if not allow_generalisation or not candidates:
            why = (
                "generalisation was not allowed"
                if not allow_generalisation
                else "every quasi-identifier is fully generalised"
            )
            reason = (
                f"{report.violating_rows} of {report.rows} rows are in classes with fewer than "
                f"k={policy.k} rows or l={policy.l} distinct sensitive values, more than the "
                f"{allowed} that may be suppressed, and {why}"
            )
            return _outcome([], before, report, hierarchies, levels, ok=False, reason=reason)
        target = max(candidates, key=lambda h: len({r.get(h.column) for r in current}))
        levels[target.column] += 1
        current = generalise(rows, hierarchies, levels)
        report = check_anonymity(current, qis, sensitive, k=policy.k, l=policy.l)
