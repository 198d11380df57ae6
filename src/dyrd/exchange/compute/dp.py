"""Differentially private aggregates (count, sum, mean, histogram) and a per-grant ε budget.

The maths is OpenDP's (opendp.org, Rust core): its transformations compute the exact aggregate
with clamping and give the L1 sensitivity (the stability map at ``d_in``), its Laplace
measurement gives the privacy map. OpenDP is treated here as a numeric library like numpy: its
functions are pure, it does no I/O; ``dp.enable_features("contrib")`` flips a process-wide
flag that only unlocks those functions, and is set on first use, never at import.

Neighbouring tables differ by adding or removing the rows of one person (symmetric distance);
``contributions`` is how many rows one person can have (1 unless the owner says otherwise).
The noise scale of each mechanism is sensitivity / ε (Dwork, McSherry, Nissim & Smith 2006,
"Calibrating noise to sensitivity in private data analysis", TCC), raised by floating-point
ulps until OpenDP's privacy map confirms ε. Integer outputs (counts, sums of integer columns,
histograms) get discrete Laplace noise (Canonne, Kamath & Steinke 2020), floats Laplace noise.

Noise source: with ``rng=None`` the measurement itself is invoked, so the noise comes from
OpenDP's samplers, which use the operating system's CSPRNG and are exact (no floating-point
attack: Mironov 2012, "On significance of the least significant bits for differential
privacy", CCS). That is the production path. With a ``numpy.random.Generator`` the same
calibrated scale is sampled from that generator instead, so a seed makes results reproducible
(tests, simulations); such noise is predictable to whoever knows the seed and must never be
used for a real release.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

import numpy as np
import opendp.prelude as dp

from dyrd.exchange.types import ColumnSpec, ColumnType, PersonalDataRole

DEFAULT_EPSILON_PER_GRANT = 1.0
"""Total ε one grant may spend. A policy choice of the platform, not a standard: values of
0.1-10 appear in practice; 1.0 is the order of magnitude the literature calls strong."""

MICRO = 1_000_000
"""Budgets are kept in integer millionths of ε so that sums are exact on every database."""

OTHER_CATEGORY = "__other__"
"""Histogram bucket for values outside the declared categories (and missing values)."""

MAX_CATEGORIES = 1000
"""Cap on declared histogram categories: bounds the response, not the privacy loss."""


class Aggregate(StrEnum):
    """Aggregate queries the gateway answers with differential privacy."""

    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    HISTOGRAM = "histogram"


class DPQueryError(ValueError):
    """A query that cannot be answered as declared (unknown column, no bounds, bad ε)."""


@dataclass(frozen=True, slots=True)
class DPQuery:
    """One aggregate query: what to compute, over which column, and the ε it may spend.

    Clamping ``bounds`` of sums and means, and histogram ``categories``, must be public: taking
    them from the data would leak it, so the query declares them.
    """

    aggregate: Aggregate
    epsilon: float
    column: str | None = None
    bounds: tuple[float, float] | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Noise:
    """One noise draw of a result: mechanism, L1 sensitivity, scale and the ε it costs."""

    target: str
    mechanism: str
    sensitivity: float
    scale: float
    epsilon: float


@dataclass(frozen=True, slots=True)
class DPResult:
    """A released aggregate, with the ε charged and every noise scale used."""

    aggregate: Aggregate
    column: str | None
    value: int | float | dict[str, int]
    epsilon: float
    noise: tuple[Noise, ...]
    bounds: tuple[float, float] | None = None
    seeded: bool = False
    categories: tuple[str, ...] = field(default=())


# --- the budget accountant -------------------------------------------------------------------


def to_micro(epsilon: float) -> int:
    """ε in whole millionths, rounded up (a charge is never smaller than the ε declared).

    The decimal of ``repr`` is used so that 0.1 costs exactly 100000, not 100001.
    """
    if not math.isfinite(epsilon) or epsilon <= 0:
        raise DPQueryError("epsilon must be a positive finite number")
    return int(Decimal(repr(epsilon)).scaleb(6).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True, slots=True)
class EpsilonBudget:
    """A grant's ε budget: total and spent, in millionths. Immutable: spending returns a new one."""

    total_micro: int
    spent_micro: int = 0

    def __post_init__(self) -> None:
        if self.total_micro < 0 or not 0 <= self.spent_micro <= self.total_micro:
            raise ValueError("a budget needs 0 <= spent <= total")

    @classmethod
    def of(cls, total: float, spent: float = 0.0) -> EpsilonBudget:
        """A budget from ε values."""
        return cls(to_micro(total), to_micro(spent) if spent else 0)

    @property
    def total(self) -> float:
        """Total ε."""
        return self.total_micro / MICRO

    @property
    def spent(self) -> float:
        """ε spent so far."""
        return self.spent_micro / MICRO

    @property
    def remaining(self) -> float:
        """ε still available."""
        return (self.total_micro - self.spent_micro) / MICRO

    def can_spend(self, epsilon: float) -> bool:
        """Whether a query of ``epsilon`` fits in what remains."""
        return self.spent_micro + to_micro(epsilon) <= self.total_micro

    def spend(self, epsilon: float) -> EpsilonBudget:
        """The budget after charging ``epsilon``; ValueError if it does not fit."""
        if not self.can_spend(epsilon):
            raise ValueError(
                f"epsilon {epsilon} exceeds the remaining budget {self.remaining} of {self.total}"
            )
        return EpsilonBudget(self.total_micro, self.spent_micro + to_micro(epsilon))


# --- queries ---------------------------------------------------------------------------------


def _spec(query: DPQuery, columns: Sequence[ColumnSpec]) -> ColumnSpec | None:
    if query.aggregate is Aggregate.COUNT and query.column is None:
        return None
    if query.column is None:
        raise DPQueryError(f"a {query.aggregate.value} query needs a column")
    spec = next((c for c in columns if c.name == query.column), None)
    if spec is None:
        raise DPQueryError(f"unknown column {query.column!r}")
    if spec.personal_data is PersonalDataRole.IDENTIFIER:
        raise DPQueryError(f"column {spec.name!r} is an identifier; aggregate other columns")
    return spec


def validate(query: DPQuery, columns: Sequence[ColumnSpec]) -> ColumnSpec | None:
    """The column the query reads, after checking the query against the schema."""
    to_micro(query.epsilon)
    spec = _spec(query, columns)
    if query.aggregate in (Aggregate.SUM, Aggregate.MEAN):
        assert spec is not None  # noqa: S101  # _spec refuses column-less sums and means
        if spec.type not in (ColumnType.INTEGER, ColumnType.NUMBER):
            raise DPQueryError(f"column {spec.name!r} is not numeric")
        if query.bounds is None:
            raise DPQueryError("sum and mean need public clamping bounds (lower, upper)")
        lo, hi = query.bounds
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise DPQueryError("bounds must be finite with lower < upper")
        if spec.type is ColumnType.INTEGER and (lo != int(lo) or hi != int(hi)):
            raise DPQueryError("bounds of an integer column must be integers")
    if query.aggregate is Aggregate.HISTOGRAM:
        cats = query.categories
        if not cats or len(cats) > MAX_CATEGORIES or len(set(cats)) != len(cats):
            raise DPQueryError(
                f"a histogram needs 1 to {MAX_CATEGORIES} distinct public categories"
            )
        if OTHER_CATEGORY in cats:
            raise DPQueryError(f"{OTHER_CATEGORY!r} is reserved for values outside the categories")
    return spec


def _enable() -> None:
    if "contrib" not in dp.GLOBAL_FEATURES:
        dp.enable_features("contrib")


def _measure(trans: Any, epsilon: float, d_in: int) -> tuple[Any, float, float, float]:
    """Laplace measurement after ``trans`` costing at most ``epsilon``: (meas, sens, scale, ε)."""
    sensitivity = float(trans.map(d_in))
    scale = sensitivity / epsilon
    for _ in range(64):
        meas = trans >> dp.m.then_laplace(scale)
        spent = float(meas.map(d_in))
        if spent <= epsilon:
            return meas, sensitivity, scale, spent
        scale = math.nextafter(scale, math.inf) * (1 + 1e-15)
    raise DPQueryError("could not calibrate the noise scale")  # pragma: no cover


def _draw(
    meas: Any, trans: Any, data: list[Any], scale: float, rng: np.random.Generator | None
) -> Any:
    if rng is None:
        return meas(data)
    exact = trans(data)
    if isinstance(exact, list):
        return [int(v) + _discrete_laplace(rng, scale) for v in exact]
    if isinstance(exact, int):
        return exact + _discrete_laplace(rng, scale)
    return float(exact) + float(rng.laplace(0.0, scale))


def _discrete_laplace(rng: np.random.Generator, scale: float) -> int:
    """P(x) ∝ exp(-|x|/scale): the difference of two geometric variables (Inusah & Kozubowski
    2006, "A discrete analogue of the Laplace distribution", JSPI 136)."""
    p = -math.expm1(-1.0 / scale)
    return int(rng.geometric(p)) - int(rng.geometric(p))


def _numbers(rows: Sequence[Mapping[str, Any]], column: str, *, integer: bool) -> list[Any]:
    # Dropping missing cells row by row is 1-stable, so the sensitivity is unchanged.
    out: list[Any] = []
    for row in rows:
        v = row.get(column)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if integer:
            out.append(int(v))
        elif math.isfinite(v):
            out.append(float(v))
    return out


def dp_aggregate(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[ColumnSpec],
    query: DPQuery,
    *,
    rng: np.random.Generator | None = None,
    contributions: int = 1,
) -> DPResult:
    """Answer ``query`` over ``rows`` with ε-differential privacy (see the module docstring)."""
    spec = validate(query, columns)
    if contributions < 1:
        raise DPQueryError("contributions must be at least 1")
    _enable()
    sym = dp.symmetric_distance()
    eps, d_in = query.epsilon, contributions
    if query.aggregate is Aggregate.COUNT:
        data: list[Any] = [1] * len(rows)
        trans = dp.t.make_count(dp.vector_domain(dp.atom_domain(T=dp.i64)), sym)
        meas, sens, scale, spent = _measure(trans, eps, d_in)
        value = int(_draw(meas, trans, data, scale, rng))
        noise = (Noise("count", "discrete_laplace", sens, scale, spent),)
        return DPResult(query.aggregate, query.column, value, eps, noise, seeded=rng is not None)
    assert spec is not None  # noqa: S101  # validate() requires a column for the others
    if query.aggregate is Aggregate.HISTOGRAM:
        cats = list(query.categories)
        data = [OTHER_CATEGORY if r.get(spec.name) is None else str(r[spec.name]) for r in rows]
        trans = dp.t.make_count_by_categories(
            dp.vector_domain(dp.atom_domain(T=str)), sym, categories=cats, null_category=True
        )
        meas, sens, scale, spent = _measure(trans, eps, d_in)
        counts = _draw(meas, trans, data, scale, rng)
        hist = {c: int(n) for c, n in zip([*cats, OTHER_CATEGORY], counts, strict=True)}
        noise = (Noise("histogram", "discrete_laplace", sens, scale, spent),)
        return DPResult(
            query.aggregate,
            spec.name,
            hist,
            eps,
            noise,
            seeded=rng is not None,
            categories=query.categories,
        )
    integer = spec.type is ColumnType.INTEGER
    assert query.bounds is not None  # noqa: S101  # validate() requires bounds
    lo, hi = query.bounds
    bounds = (int(lo), int(hi)) if integer else (float(lo), float(hi))
    values = _numbers(rows, spec.name, integer=integer)
    atom = dp.atom_domain(T=dp.i64) if integer else dp.atom_domain(T=float, nan=False)
    clamped = (dp.vector_domain(atom), sym) >> dp.t.then_clamp(bounds)
    sum_t = clamped >> dp.t.then_sum()  # type: ignore[no-untyped-call]  # opendp leaves it bare
    mechanism = "discrete_laplace" if integer else "laplace"
    if query.aggregate is Aggregate.SUM:
        meas, sens, scale, spent = _measure(sum_t, eps, d_in)
        drawn = _draw(meas, sum_t, values, scale, rng)
        total = int(drawn) if integer else float(drawn)
        noise = (Noise("sum", mechanism, sens, scale, spent),)
        return DPResult(query.aggregate, spec.name, total, eps, noise, (lo, hi), rng is not None)
    # Mean = noisy sum / noisy count, half of ε each (sequential composition).
    count_t = dp.t.make_count(dp.vector_domain(atom), sym)
    s_meas, s_sens, s_scale, s_spent = _measure(sum_t, eps / 2, d_in)
    c_meas, c_sens, c_scale, c_spent = _measure(count_t, eps / 2, d_in)
    noisy_sum = float(_draw(s_meas, sum_t, values, s_scale, rng))
    noisy_count = int(_draw(c_meas, count_t, values, c_scale, rng))
    # Post-processing keeps the guarantee; with no (noisy) rows the bounds' midpoint is the answer.
    mean = noisy_sum / noisy_count if noisy_count > 0 else (lo + hi) / 2
    noise_pair = (
        Noise("sum", mechanism, s_sens, s_scale, s_spent),
        Noise("count", "discrete_laplace", c_sens, c_scale, c_spent),
    )
    return DPResult(
        query.aggregate,
        spec.name,
        min(max(mean, lo), hi),
        eps,
        noise_pair,
        (lo, hi),
        rng is not None,
    )


# --- the gateway's query string --------------------------------------------------------------

QUERY_PARAMS = ("aggregate", "epsilon", "column", "lower", "upper", "category")
"""Parameters of ``GET /r1/{member}/{service}/aggregate``; only ``category`` may repeat."""


def query_params(query: DPQuery) -> list[tuple[str, str]]:
    """``query`` as the query-string pairs :func:`parse_query_params` reads back."""
    pairs = [("aggregate", query.aggregate.value), ("epsilon", repr(float(query.epsilon)))]
    if query.column is not None:
        pairs.append(("column", query.column))
    if query.bounds is not None:
        pairs += [("lower", repr(float(query.bounds[0]))), ("upper", repr(float(query.bounds[1])))]
    pairs += [("category", c) for c in query.categories]
    return pairs


def _finite(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DPQueryError(f"{name} must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise DPQueryError(f"{name} must be finite")
    return value


def parse_query_params(pairs: Sequence[tuple[str, str]]) -> DPQuery:
    """The aggregate query of decoded query-string pairs (DPQueryError when malformed).

    Only the shape is checked here; :func:`validate` checks it against the table's schema.
    """
    seen: dict[str, str] = {}
    categories: list[str] = []
    for name, value in pairs:
        if name == "category":
            categories.append(value)
            continue
        if name not in QUERY_PARAMS or name in seen:
            raise DPQueryError(
                f"unknown or repeated parameter {name!r}; use {', '.join(QUERY_PARAMS)}"
            )
        seen[name] = value
    try:
        aggregate = Aggregate(seen.get("aggregate", ""))
    except ValueError:
        names = ", ".join(a.value for a in Aggregate)
        raise DPQueryError(f"aggregate must be one of {names}") from None
    if "epsilon" not in seen:
        raise DPQueryError("epsilon is required")
    epsilon = _finite("epsilon", seen["epsilon"])
    bounds: tuple[float, float] | None = None
    if "lower" in seen or "upper" in seen:
        if "lower" not in seen or "upper" not in seen:
            raise DPQueryError("give both lower and upper, or neither")
        bounds = (_finite("lower", seen["lower"]), _finite("upper", seen["upper"]))
    column = seen.get("column") or None
    return DPQuery(aggregate, epsilon, column, bounds, tuple(categories))
