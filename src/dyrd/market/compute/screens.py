"""Bid-rigging screens per tender (Imhof 2017; Imhof, Karagök & Rutz 2018; Huber & Imhof 2019).

Each tender's bids b_1 <= ... <= b_n give descriptive statistics that move in a known direction
under collusion: cover bids bunch together (low CV and spread, high relative distance, high
kurtosis, negative skew) and the winner stands apart from them. Formulas as in Huber & Imhof (2019,
IJIO 65: 277-301); skewness and kurtosis are the bias-corrected sample moments (equal to
``scipy.stats.skew/kurtosis(bias=False)``); KS is the Kolmogorov-Smirnov distance to the uniform
distribution on [b_1, b_n].

Thresholds. A fixed cut-off can be given per screen. Without one, the benchmark is taken from the
screened tenders themselves (the benchmark approach of Imhof, Karagök & Rutz 2018): a tender is
extreme on a screen when it lies beyond the Tukey fence (Q1 − 1.5·IQR or Q3 + 1.5·IQR) of that
screen's values. The one fixed default is RD >= 1: by RD's definition, the gap between the two
lowest bids then exceeds the standard deviation of all losing bids, the cover-bidding pattern Imhof
(2017) describes. A tender is flagged when at least ``min_screens`` screens agree and, by default,
both families are among them: a variance screen (CV, SPD, KURT: the bids bunch) and a distance
screen (DIFFP, RD, RDNOR, RDALT, SKEW: the winner stands apart), the mutually reinforcing
combination of Imhof et al. (2018).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from dyrd.market.compute.red_flags import TUKEY_K, quartiles
from dyrd.market.types import OcdsInputError


class Screen(StrEnum):
    """The screens, by their names in Huber & Imhof (2019)."""

    CV = "cv"
    SPD = "spd"
    DIFFP = "diffp"
    RD = "rd"
    RDNOR = "rdnor"
    RDALT = "rdalt"
    SKEW = "skew"
    KURT = "kurt"
    KS = "ks"


class Signal(StrEnum):
    """Which end of a screen's range points to collusion."""

    LOW = "low"
    HIGH = "high"


SIGNAL: Mapping[Screen, Signal] = {
    Screen.CV: Signal.LOW,
    Screen.SPD: Signal.LOW,
    Screen.DIFFP: Signal.HIGH,
    Screen.RD: Signal.HIGH,
    Screen.RDNOR: Signal.HIGH,
    Screen.RDALT: Signal.HIGH,
    Screen.SKEW: Signal.LOW,
    Screen.KURT: Signal.HIGH,
    Screen.KS: Signal.HIGH,
}
"""Direction of each screen's collusion signal (Imhof 2017; Huber & Imhof 2019)."""

MIN_BIDS: Mapping[Screen, int] = {
    Screen.CV: 2,
    Screen.SPD: 2,
    Screen.DIFFP: 2,
    Screen.RD: 3,
    Screen.RDNOR: 2,
    Screen.RDALT: 3,
    Screen.SKEW: 3,
    Screen.KURT: 4,
    Screen.KS: 2,
}
"""Fewest bids for which each screen is defined (RD needs two losing bids; KURT four bids)."""

EXPLAIN: Mapping[Screen, tuple[str, str]] = {
    Screen.CV: ("bids vary little around their mean", "投标报价离散程度低（变异系数小）"),
    Screen.SPD: ("highest and lowest bids are close", "最高价与最低价差距小"),
    Screen.DIFFP: ("winner is far below the runner-up", "中标价明显低于次低价"),
    Screen.RD: (
        "gap between the two lowest bids exceeds the spread of losing bids",
        "最低两价之差大于未中标报价的标准差（陪标报价扎堆）",
    ),
    Screen.RDNOR: ("winner's gap is large against the average gap", "最低两价之差大于平均价差"),
    Screen.RDALT: (
        "winner's gap is large against the losing bids' gaps",
        "最低两价之差大于陪标价差",
    ),
    Screen.SKEW: ("bids are skewed towards the top", "报价分布左偏（多数报价集中在高位）"),
    Screen.KURT: ("bids are peaked around a common value", "报价分布尖峰（集中于某一价位）"),
    Screen.KS: ("bids are not spread evenly over their range", "报价在区间内分布不均匀"),
}

VARIANCE_FAMILY = frozenset({Screen.CV, Screen.SPD, Screen.KURT})
DISTANCE_FAMILY = frozenset({Screen.DIFFP, Screen.RD, Screen.RDNOR, Screen.RDALT, Screen.SKEW})

RD_MIN_DEFAULT = 1.0
"""RD >= 1: the winner's gap exceeds the losing bids' standard deviation (definition of RD)."""


@dataclass(frozen=True, slots=True)
class ScreenValues:
    """The screens of one tender; None where a screen is undefined for these bids."""

    n: int
    values: Mapping[Screen, float | None]


def _skew(b: np.ndarray) -> float:
    """Adjusted Fisher-Pearson skewness G1 (Joanes & Gill 1998, eq. for G_1)."""
    n = b.size
    d = b - b.mean()
    m2, m3 = float(np.mean(d**2)), float(np.mean(d**3))
    return float(math.sqrt(n * (n - 1)) / (n - 2) * m3 / m2**1.5)


def _kurt(b: np.ndarray) -> float:
    """Bias-corrected excess kurtosis G2 with the sample standard deviation (research note 3.3)."""
    n = b.size
    z = (b - b.mean()) / float(np.std(b, ddof=1))
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * float(np.sum(z**4))
    return head - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def _ks_uniform(b: np.ndarray) -> float:
    """Kolmogorov-Smirnov D between the sorted bids and the uniform law on [b_1, b_n]."""
    n = b.size
    cdf = (b - b[0]) / (b[-1] - b[0])
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def compute_screens(bids: Sequence[float]) -> ScreenValues:
    """Every screen for one tender's bid prices (any order, all positive)."""
    b = np.sort(np.asarray(bids, dtype=float))
    n = int(b.size)
    if n == 0 or not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise OcdsInputError(
            "screens need positive, finite bid prices",
            "合谋筛查需要为正且有限的投标报价",
        )
    out: dict[Screen, float | None] = dict.fromkeys(Screen)
    if n >= 2:
        sd = float(np.std(b, ddof=1))
        gap = float(b[1] - b[0])
        out[Screen.CV] = sd / float(np.mean(b))
        out[Screen.SPD] = float(b[-1] - b[0]) / float(b[0])
        out[Screen.DIFFP] = gap / float(b[0])
        mean_gap = float(np.mean(np.diff(b)))
        out[Screen.RDNOR] = _finite(gap / mean_gap) if mean_gap > 0 else None
        width = float(b[-1] - b[0])
        if width > 0:
            out[Screen.KS] = _ks_uniform(b)
    if n >= 3:
        losing_sd = float(np.std(b[1:], ddof=1))
        out[Screen.RD] = gap / losing_sd if losing_sd > 0 else None
        losing_gap = float(np.mean(np.diff(b[1:])))
        out[Screen.RDALT] = gap / losing_gap if losing_gap > 0 else None
        if sd > 0:
            out[Screen.SKEW] = _finite(_skew(b))
    if n >= 4 and sd > 0:
        out[Screen.KURT] = _finite(_kurt(b))
    return ScreenValues(n, out)


@dataclass(frozen=True, slots=True)
class ScreenThresholds:
    """Fixed cut-offs per screen (absent: Tukey fence of the tenders) and the agreement needed."""

    fixed: Mapping[Screen, float] = field(default_factory=lambda: {Screen.RD: RD_MIN_DEFAULT})
    min_screens: int = 2
    """Screens that must agree before a tender is flagged (Imhof et al. 2018 combine screens)."""
    both_families: bool = True
    """Require a variance screen and a distance screen among the agreeing ones."""
    min_tenders_for_fence: int = 4
    """A quartile fence needs at least four values to say anything."""


@dataclass(frozen=True, slots=True)
class TenderScreen:
    """One tender's screens, which of them are extreme, whether it is flagged, and why."""

    tender_id: str
    screens: ScreenValues
    extreme: tuple[Screen, ...]
    flagged: bool
    explanation: str
    explanation_zh: str


def _cutoffs(
    all_values: Sequence[ScreenValues], thresholds: ScreenThresholds
) -> dict[Screen, float]:
    cut: dict[Screen, float] = {}
    for screen in Screen:
        if screen in thresholds.fixed:
            cut[screen] = thresholds.fixed[screen]
            continue
        vals = [v.values[screen] for v in all_values]
        data = [x for x in vals if x is not None]
        if len(data) < thresholds.min_tenders_for_fence:
            continue
        q1, q3 = quartiles(data)
        iqr = q3 - q1
        if iqr <= 0:
            # Identical values across tenders: no tender stands out on this screen.
            continue
        low = SIGNAL[screen] is Signal.LOW
        cut[screen] = q1 - TUKEY_K * iqr if low else q3 + TUKEY_K * iqr
    return cut


def screen_tenders(
    tenders: Mapping[str, Sequence[float]], thresholds: ScreenThresholds | None = None
) -> list[TenderScreen]:
    """Screens for every tender (id -> bid prices), with flags and bilingual explanations."""
    t = thresholds if thresholds is not None else ScreenThresholds()
    computed = {tid: compute_screens(bids) for tid, bids in tenders.items()}
    cut = _cutoffs(list(computed.values()), t)
    out: list[TenderScreen] = []
    for tid, sv in computed.items():
        extreme: list[Screen] = []
        for screen, limit in cut.items():
            value = sv.values[screen]
            if value is None:
                continue
            hit = value <= limit if SIGNAL[screen] is Signal.LOW else value >= limit
            if hit:
                extreme.append(screen)
        flagged = len(extreme) >= t.min_screens
        if t.both_families:
            flagged = flagged and bool(VARIANCE_FAMILY & set(extreme))
            flagged = flagged and bool(DISTANCE_FAMILY & set(extreme))
        en = "; ".join(f"{s.value.upper()}: {EXPLAIN[s][0]}" for s in extreme)
        zh = "；".join(f"{s.value.upper()}：{EXPLAIN[s][1]}" for s in extreme)
        out.append(
            TenderScreen(
                tid,
                sv,
                tuple(extreme),
                flagged,
                en or "no screen is extreme",
                zh or "各项筛查指标均无异常",
            )
        )
    return out
