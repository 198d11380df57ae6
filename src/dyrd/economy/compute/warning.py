"""Early-warning rules as data, evaluated over indicator time series; pure.

A rule is a frozen value (id, kind, bilingual description, indicator codes, parameters, whether it
is a sample). Evaluating it over a series gives a ``Finding``: ``alert``, ``clear`` or ``no_data``
with the reason; a rule is never silent. Four kinds:

* ``threshold``: the latest value is above (or below) a limit;
* ``trend``: the least-squares slope over the last ``years`` years, relative to the mean, is beyond
  ``min_rate`` per year (rising or falling); a constant series has slope 0 and never triggers;
* ``divergence``: the compound annual growth of ``indicator`` lags that of ``other`` by more than
  ``margin`` over the last ``years`` years (wages behind productivity or profits);
* ``widening``: a between-unit gap measure (Gini, Theil T between provinces) computed per year
  rises by more than ``min_rise`` over the last ``years`` years.

Trend, divergence and widening are ratio-based: multiplying every value by a positive constant
changes none of them. Parameters of the sample rules are illustrations chosen for the bundled
demonstration, not official thresholds, and are labelled ``sample``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class RuleKind(StrEnum):
    """What a rule tests."""

    THRESHOLD = "threshold"
    TREND = "trend"
    DIVERGENCE = "divergence"
    WIDENING = "widening"


class Scope(StrEnum):
    """Whether a rule is evaluated per city or once over the region's cities."""

    CITY = "city"
    REGION = "region"


class GapMeasure(StrEnum):
    """Between-unit gap measures of a widening rule."""

    GINI = "gini"
    THEIL_BETWEEN = "theil_t_between"


class Status(StrEnum):
    """Outcome of a rule on one unit."""

    ALERT = "alert"
    CLEAR = "clear"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class Rule:
    """One early-warning rule, as data."""

    id: str
    kind: RuleKind
    description_zh: str
    description_en: str
    indicator: str
    params: Mapping[str, float | str] = field(default_factory=dict)
    other: str | None = None
    """Second indicator of a divergence rule (the one ``indicator`` should keep up with)."""
    scope: Scope = Scope.CITY
    sample: bool = True
    source: str = ""
    """Where the rule's idea comes from."""


Series = Mapping[int, float]
"""Year -> value."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule evaluated on one series (or pair of series)."""

    status: Status
    years: tuple[int, ...] = ()
    values: tuple[float, ...] = ()
    other_values: tuple[float, ...] = ()
    statistic: float | None = None
    """The number the rule compares: latest value, relative slope, growth gap or rise."""
    reason: str = ""
    reason_zh: str = ""


def _last(series: Series, n: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    years = tuple(sorted(series)[-n:])
    return years, tuple(float(series[y]) for y in years)


def _no_data(have: int, need: int, what: str) -> Finding:
    return Finding(
        Status.NO_DATA,
        reason=f"{what}: {have} year(s) with values, the rule needs {need}",
        reason_zh=f"{what}：仅 {have} 个年份有数值，规则需要 {need} 个",
    )


def threshold(series: Series, *, limit: float, above: bool = True) -> Finding:
    """Alert when the latest value is strictly above (or below) ``limit``."""
    if not series:
        return _no_data(0, 1, "threshold")
    years, values = _last(series, 1)
    v = values[-1]
    hit = v > limit if above else v < limit
    return Finding(Status.ALERT if hit else Status.CLEAR, years, values, statistic=v)


def relative_slope(years: tuple[int, ...], values: tuple[float, ...]) -> float:
    """Least-squares slope per year divided by the mean |value| (0 for a zero mean)."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    mean = float(np.mean(np.abs(y)))
    if mean == 0.0:
        return 0.0
    xc = x - x.mean()
    slope = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    rel = slope / mean
    # A constant series has an exact zero slope up to rounding: treat |rel| < 1e-12 as 0.
    return 0.0 if abs(rel) < 1e-12 else rel


def trend(series: Series, *, years: int, min_rate: float, rising: bool = True) -> Finding:
    """Alert when the relative slope over the last ``years`` years exceeds ``min_rate`` (> 0)."""
    if min_rate <= 0:
        raise ValueError("min_rate must be positive: a flat series must not trigger")
    need = max(years, 2)
    if len(series) < need:
        return _no_data(len(series), need, "trend")
    ys, vs = _last(series, need)
    rel = relative_slope(ys, vs)
    hit = rel > min_rate if rising else rel < -min_rate
    return Finding(Status.ALERT if hit else Status.CLEAR, ys, vs, statistic=rel)


def cagr(first: float, last: float, span: int) -> float | None:
    """Compound annual growth from ``first`` to ``last`` over ``span`` years; None if undefined."""
    if span <= 0 or first <= 0 or last <= 0:
        return None
    return math.exp(math.log(last / first) / span) - 1.0


def divergence(series: Series, other: Series, *, years: int, margin: float) -> Finding:
    """Alert when growth of ``series`` lags growth of ``other`` by more than ``margin`` a year.

    Uses the last ``years`` years that both series have; growth is compound annual.
    """
    common = sorted(set(series) & set(other))
    need = max(years, 2)
    if len(common) < need:
        return _no_data(len(common), need, "divergence (years both indicators have)")
    ys = tuple(common[-need:])
    a = tuple(float(series[y]) for y in ys)
    b = tuple(float(other[y]) for y in ys)
    span = ys[-1] - ys[0]
    ga, gb = cagr(a[0], a[-1], span), cagr(b[0], b[-1], span)
    if ga is None or gb is None:
        return Finding(
            Status.NO_DATA,
            ys,
            a,
            b,
            reason="growth undefined: a value is zero or negative",
            reason_zh="增长率无定义：存在零值或负值",
        )
    gap = gb - ga
    # Growth gaps within rounding of the margin are not signals.
    hit = gap > margin + 1e-12
    return Finding(Status.ALERT if hit else Status.CLEAR, ys, a, b, statistic=gap)


def widening(gaps: Series, *, years: int, min_rise: float) -> Finding:
    """Alert when a gap measure rose by more than ``min_rise`` over the last ``years`` years."""
    need = max(years, 2)
    if len(gaps) < need:
        return _no_data(len(gaps), need, "widening (years with a gap measure)")
    ys, vs = _last(gaps, need)
    rise = vs[-1] - vs[0]
    hit = rise > min_rise + 1e-12
    return Finding(Status.ALERT if hit else Status.CLEAR, ys, vs, statistic=rise)


def evaluate(rule: Rule, series: Series, other: Series | None = None) -> Finding:
    """Evaluate a city- or region-scope rule on its series (a gap series for widening rules)."""
    p = rule.params
    n = int(p.get("years", 3))
    if rule.kind is RuleKind.THRESHOLD:
        return threshold(series, limit=float(p["limit"]), above=p.get("direction") != "below")
    if rule.kind is RuleKind.TREND:
        return trend(
            series,
            years=n,
            min_rate=float(p["min_rate"]),
            rising=p.get("direction") != "falling",
        )
    if rule.kind is RuleKind.DIVERGENCE:
        return divergence(series, other or {}, years=n, margin=float(p["margin"]))
    return widening(series, years=n, min_rise=float(p["min_rise"]))


SAMPLE_SOURCE = "sample rule for demonstration (样例规则，非官方阈值)"

SAMPLE_RULES: tuple[Rule, ...] = (
    Rule(
        "sample.urban_rural_ratio_high",
        RuleKind.THRESHOLD,
        "样例：城乡居民收入比高于 2.5",
        "Sample: urban–rural income ratio above 2.5",
        "urban_rural_income_ratio",
        {"limit": 2.5, "direction": "above"},
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.urban_rural_ratio_rising",
        RuleKind.TREND,
        "样例：城乡居民收入比近 3 年上升（年均相对斜率 > 1%）",
        "Sample: urban–rural income ratio rising over 3 years (relative slope > 1 %/yr)",
        "urban_rural_income_ratio",
        {"years": 3, "min_rate": 0.01, "direction": "rising"},
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.gdp_per_capita_falling",
        RuleKind.TREND,
        "样例：人均 GDP 近 3 年下降（年均相对斜率 < −1%）",
        "Sample: GDP per capita falling over 3 years (relative slope < −1 %/yr)",
        "gdp_per_capita",
        {"years": 3, "min_rate": 0.01, "direction": "falling"},
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.wage_lags_productivity",
        RuleKind.DIVERGENCE,
        "样例：平均工资增速落后劳动生产率增速 1 个百分点以上（3 年）",
        "Sample: average wage growth lags labour productivity growth by > 1 point (3 years)",
        "average_wage",
        {"years": 3, "margin": 0.01},
        other="labour_productivity",
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.wage_lags_profit",
        RuleKind.DIVERGENCE,
        "样例：平均工资增速落后工业企业利润增速 1 个百分点以上（3 年）",
        "Sample: average wage growth lags industrial profit growth by > 1 point (3 years)",
        "average_wage",
        {"years": 3, "margin": 0.01},
        other="industrial_profit",
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.province_gap_widening",
        RuleKind.WIDENING,
        "样例：人均 GDP 省际差距扩大（泰尔 T 省间分量 3 年上升 > 0.001）",
        "Sample: between-province gap in GDP per capita widening (Theil T between rises "
        "> 0.001 over 3 years)",
        "gdp_per_capita",
        {"years": 3, "min_rise": 0.001, "measure": GapMeasure.THEIL_BETWEEN.value},
        scope=Scope.REGION,
        source=SAMPLE_SOURCE,
    ),
    Rule(
        "sample.city_gini_widening",
        RuleKind.WIDENING,
        "样例：城市间人均 GDP 基尼系数扩大（3 年上升 > 0.005）",
        "Sample: Gini of GDP per capita across cities widening (rises > 0.005 over 3 years)",
        "gdp_per_capita",
        {"years": 3, "min_rise": 0.005, "measure": GapMeasure.GINI.value},
        scope=Scope.REGION,
        source=SAMPLE_SOURCE,
    ),
)
"""The bundled sample rules (every one labelled sample; parameters illustrative)."""
