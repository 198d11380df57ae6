"""Procurement red flags compatible with Cardinal, the Open Contracting Partnership's library.

Input: compiled OCDS releases (dicts) with the bids extension. Output: the shape of Cardinal's
``indicators`` command, ``{group: {id: {code: value}}}`` with groups ``OCID`` and ``Tenderer``.
Rules follow Cardinal's documentation (cardinal.readthedocs.io, "Indicators") and are checked
against its test fixtures. Only final facts count: an award set is used only when every award is
``active``, ``cancelled`` or ``unsuccessful``; bids count as submitted when ``valid``,
``disqualified`` or ``pending``; cancelled tenders and excluded ``procurementMethodDetails`` are
skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np

OCID = "OCID"
TENDERER = "Tenderer"

Results = dict[str, dict[str, dict[str, float]]]
"""``{group: {identifier: {indicator code: value}}}``, as Cardinal prints it."""


class Flag(StrEnum):
    """The Cardinal indicators implemented here."""

    R003 = "R003"
    R018 = "R018"
    R024 = "R024"
    R025 = "R025"
    R028 = "R028"
    R030 = "R030"
    R035 = "R035"
    R036 = "R036"
    R058 = "R058"


@dataclass(frozen=True, slots=True)
class FlagInfo:
    """What a flag means, in English and Chinese, and the value it reports."""

    title: str
    title_zh: str
    explanation: str
    explanation_zh: str


FLAG_INFO: Mapping[Flag, FlagInfo] = {
    Flag.R003: FlagInfo(
        "Short submission period",
        "投标期过短",
        "The bid submission period is shorter than the threshold (days), leaving too little time "
        "for outsiders to bid.",
        "投标截止期短于阈值天数，潜在投标人来不及准备，可能意在排除竞争。",
    ),
    Flag.R018: FlagInfo(
        "Single bid received",
        "仅收到一份投标",
        "An open or selective procedure received exactly one bid: no competition took place.",
        "公开或邀请招标只收到一份投标，实际上没有竞争。",
    ),
    Flag.R024: FlagInfo(
        "Price close to winning bid",
        "次低价与中标价过于接近",
        "The lowest losing bid is unusually close to the winning bid (a low outlier of "
        "(second lowest − winner)/winner): a sign of cover bidding.",
        "最低未中标报价与中标价的差距异常小（(次低价−中标价)/中标价 为低端离群值），可能是陪标。",
    ),
    Flag.R025: FlagInfo(
        "Excessive unsuccessful bids",
        "频繁投标却极少中标",
        "A tenderer that bids in many processes wins unusually rarely (a low outlier of wins per "
        "process bid in): a sign of cover bidding for others.",
        "投标次数多的投标人中标比例异常低（中标次数/参与次数 为低端离群值），可能长期为他人陪标。",
    ),
    Flag.R028: FlagInfo(
        "Identical bid prices",
        "投标报价完全相同",
        "Different tenderers submitted bids with exactly the same price and currency.",
        "不同投标人报出完全相同的价格和币种，可能事先串通。",
    ),
    Flag.R030: FlagInfo(
        "Late bid won",
        "迟交投标中标",
        "The winner's bid was received after the submission deadline.",
        "中标人的投标在投标截止时间之后才提交。",
    ),
    Flag.R035: FlagInfo(
        "All except winning bid disqualified",
        "除中标人外全部被否决",
        "Every bid other than the winner's was disqualified; the value is the number of "
        "disqualified tenderers.",
        "除中标人外其余投标全部被否决，数值为被否决的投标人数。",
    ),
    Flag.R036: FlagInfo(
        "Lowest bid disqualified",
        "最低价投标被否决",
        "The lowest-priced bid was disqualified while a higher valid bid went on to award.",
        "报价最低的投标被否决，而较高报价的有效投标进入授标。",
    ),
    Flag.R058: FlagInfo(
        "Heavily discounted bid",
        "中标价大幅低于其他报价",
        "The winning bid is far below the next lowest bid (a high outlier of "
        "(second lowest − winner)/winner): possible inside information or abnormally low price.",
        "中标价远低于次低价（(次低价−中标价)/中标价 为高端离群值），"
        "可能掌握内部信息或低于成本报价。",
    ),
}

TUKEY_K = 1.5
"""Tukey's fence multiplier (Tukey 1977, Exploratory Data Analysis), used by Cardinal R024/R058."""


@dataclass(frozen=True, slots=True)
class FlagSettings:
    """Cardinal's settings; defaults are Cardinal's own (cardinal.readthedocs.io, "Indicators")."""

    currency: str | None = None
    """Only bids in this currency count; None = the first currency seen, as Cardinal does."""
    no_price_comparison_procurement_methods: frozenset[str] = frozenset()
    """``procurementMethodDetails`` values whose bids are not compared on price."""
    price_comparison_procurement_methods: frozenset[str] = frozenset()
    """If set, only these ``procurementMethodDetails`` are compared on price."""
    excluded_procurement_method_details: frozenset[str] = frozenset()
    """Processes with these ``procurementMethodDetails`` are skipped entirely."""
    r003_threshold_days: int = 15
    """Cardinal's R003 default, 15 days (cardinal.readthedocs.io, R003 settings)."""
    r003_procurement_methods: frozenset[str] = frozenset()
    """Empty = every procurementMethod (Cardinal default)."""
    r003_details_thresholds: Mapping[str, int] = field(default_factory=dict)
    """Per-``procurementMethodDetails`` thresholds in days, overriding the default."""
    r018_procurement_methods: frozenset[str] = frozenset({"open", "selective"})
    """Cardinal R018 default ``open|selective``."""
    r024_threshold: float | None = None
    """Fixed lower fence for R024; None = Q1 − 1.5·IQR of all ratios."""
    r025_percentile: int = 75
    """Cardinal R025 default: tenderers at or above the 75th percentile of processes bid in."""
    r025_threshold: float | None = None
    """Fixed ratio cut-off for R025; None = Q1 − 1.5·IQR of all tenderers' ratios."""
    r035_threshold: int = 1
    """Cardinal R035 default: at least one disqualified tenderer."""
    r058_threshold: float | None = None
    """Fixed upper fence for R058; None = Q3 + 1.5·IQR of all ratios."""


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _tender(release: Mapping[str, Any]) -> Mapping[str, Any]:
    tender = release.get("tender")
    return tender if isinstance(tender, Mapping) else {}


def _details(release: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    bids = release.get("bids")
    details = bids.get("details") if isinstance(bids, Mapping) else None
    return [d for d in details if isinstance(d, Mapping)] if isinstance(details, list) else []


_SUBMITTED = ("valid", "disqualified", "pending")


def _submitted(release: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    # Cardinal counts pending bids as submitted (their price is known), not invited or withdrawn.
    return [d for d in _details(release) if d.get("status") in _SUBMITTED]


def _ids(parties: Any) -> list[str]:
    if not isinstance(parties, list):
        return []
    return [p["id"] for p in parties if isinstance(p, Mapping) and isinstance(p.get("id"), str)]


def _final_awards(release: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The active awards, or None if any award is not final (pending, or an unknown status)."""
    awards = release.get("awards")
    if not isinstance(awards, list):
        return None
    active: list[Mapping[str, Any]] = []
    for award in awards:
        status = award.get("status") if isinstance(award, Mapping) else None
        if status == "active":
            active.append(award)
        elif status not in ("cancelled", "unsuccessful"):
            return None
    return active


def _price_compared(release: Mapping[str, Any], settings: FlagSettings) -> bool:
    details = _str(_tender(release).get("procurementMethodDetails"))
    if settings.price_comparison_procurement_methods:
        return details in settings.price_comparison_procurement_methods
    return details not in settings.no_price_comparison_procurement_methods


def _money(bid: Mapping[str, Any]) -> tuple[float, str] | None:
    value = bid.get("value")
    if not isinstance(value, Mapping):
        return None
    amount, currency = _num(value.get("amount")), _str(value.get("currency"))
    return None if amount is None or currency is None else (amount, currency)


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """Q1 and Q3 with the approximately median-unbiased estimator (Hyndman & Fan 1996 type 8).

    Rust statrs' ``lower_quartile``/``upper_quartile``, which Cardinal uses, are this estimator.
    """
    data = np.asarray(values, dtype=float)
    q1, q3 = np.quantile(data, [0.25, 0.75], method="median_unbiased")
    return float(q1), float(q3)


class _Out:
    def __init__(self) -> None:
        self.results: Results = {}

    def set(self, group: str, key: str, flag: Flag, value: float) -> None:
        self.results.setdefault(group, {}).setdefault(key, {})[flag.value] = value


def _r003(release: Mapping[str, Any], ocid: str, s: FlagSettings, out: _Out) -> None:
    tender = _tender(release)
    method = _str(tender.get("procurementMethod"))
    if s.r003_procurement_methods and method not in s.r003_procurement_methods:
        return
    period = tender.get("tenderPeriod")
    if not isinstance(period, Mapping):
        return
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start is None or end is None:
        return
    details = _str(tender.get("procurementMethodDetails"))
    days = s.r003_details_thresholds.get(details or "", s.r003_threshold_days)
    if end - start < timedelta(days=days):
        out.set(OCID, ocid, Flag.R003, 1.0)


def _r018(release: Mapping[str, Any], ocid: str, s: FlagSettings, out: _Out) -> None:
    tender = _tender(release)
    if _str(tender.get("procurementMethod")) not in s.r018_procurement_methods:
        return
    number = tender.get("numberOfTenderers")
    if isinstance(number, int) and not isinstance(number, bool) and number == 1:
        out.set(OCID, ocid, Flag.R018, 1.0)


def _r028(release: Mapping[str, Any], ocid: str, s: FlagSettings, out: _Out) -> None:
    if not _price_compared(release, s):
        return
    seen: dict[tuple[float, str], frozenset[str]] = {}
    for bid in _submitted(release):
        money = _money(bid)
        ids = frozenset(_ids(bid.get("tenderers")))
        if money is None or not ids:
            continue
        other = seen.get(money)
        # A tenderer may submit several bids at the same price: only different tenderers count.
        if other is not None and other != ids:
            out.set(OCID, ocid, Flag.R028, 1.0)
            for tenderer in ids | other:
                out.set(TENDERER, tenderer, Flag.R028, 1.0)
        seen[money] = ids


def _r030(release: Mapping[str, Any], ocid: str, _s: FlagSettings, out: _Out) -> None:
    awards = _final_awards(release)
    period = _tender(release).get("tenderPeriod")
    end = _date(period.get("endDate")) if isinstance(period, Mapping) else None
    if not awards or end is None:
        return
    suppliers = {i for award in awards for i in _ids(award.get("suppliers"))}
    for bid in _submitted(release):
        date = _date(bid.get("date"))
        if date is None or date <= end:
            continue
        for tenderer in _ids(bid.get("tenderers")):
            if tenderer in suppliers:
                out.set(OCID, ocid, Flag.R030, 1.0)
                out.set(TENDERER, tenderer, Flag.R030, 1.0)


def _r035(release: Mapping[str, Any], ocid: str, s: FlagSettings, out: _Out) -> None:
    awards = _final_awards(release)
    if not awards:
        return
    suppliers = {i for award in awards for i in _ids(award.get("suppliers"))}
    valid: set[str] = set()
    disqualified: set[str] = set()
    for bid in _submitted(release):
        if bid.get("status") == "valid":
            valid.update(_ids(bid.get("tenderers")))
        elif bid.get("status") == "disqualified":
            disqualified.update(_ids(bid.get("tenderers")))
    if len(valid) == 1 and valid == suppliers and len(disqualified) >= s.r035_threshold:
        out.set(OCID, ocid, Flag.R035, float(len(disqualified)))
        out.set(TENDERER, next(iter(valid)), Flag.R035, 0.0)


_PER_PROCESS: tuple[
    tuple[Flag, Callable[[Mapping[str, Any], str, FlagSettings, _Out], None]], ...
] = (
    (Flag.R003, _r003),
    (Flag.R018, _r018),
    (Flag.R028, _r028),
    (Flag.R030, _r030),
    (Flag.R035, _r035),
)
"""Flags decided by one process alone, in the order Cardinal lists them."""


def _r036(release: Mapping[str, Any], ocid: str, currency: str | None, out: _Out) -> None:
    awards = release.get("awards")
    if not isinstance(awards, list) or not any(
        isinstance(a, Mapping) and a.get("status") == "active" for a in awards
    ):
        return
    lowest: float | None = None
    lowest_disqualified = False
    has_valid = False
    for bid in _submitted(release):
        money = _money(bid)
        if money is None or money[1] != currency:
            continue
        # Ties keep the first bid seen, as Cardinal does.
        if lowest is None or money[0] < lowest:
            lowest = money[0]
            lowest_disqualified = bid.get("status") == "disqualified"
        has_valid = has_valid or bid.get("status") == "valid"
    if has_valid and lowest_disqualified:
        out.set(OCID, ocid, Flag.R036, 1.0)


def _second_lowest_ratio(
    release: Mapping[str, Any], currency: str | None
) -> tuple[float, str, str] | None:
    """(lowest losing − winner)/winner, the winner and the lowest loser; None if undefined."""
    awards = _final_awards(release)
    if awards is None or len(awards) != 1 or not _details(release):
        return None
    suppliers = _ids(awards[0].get("suppliers"))
    if len(suppliers) != 1 or not isinstance(awards[0].get("suppliers"), list):
        return None
    if len(awards[0]["suppliers"]) != 1:
        return None
    supplier = suppliers[0]
    winner: float | None = None
    loser: tuple[float, str] | None = None
    for bid in _details(release):
        money = _money(bid)
        tenderers = _ids(bid.get("tenderers"))
        if bid.get("status") != "valid" or money is None or len(tenderers) != 1:
            continue
        if money[1] != currency:
            continue
        if tenderers[0] == supplier:
            # If the winner submitted several bids, its lowest one is taken.
            winner = money[0] if winner is None else min(winner, money[0])
        elif loser is None or money[0] < loser[0]:
            loser = (money[0], tenderers[0])
    # If the lowest bid did not win, the award was not on price alone: no ratio.
    if winner is None or loser is None or loser[0] < winner or winner == 0:
        return None
    return (loser[0] - winner) / winner, supplier, loser[1]


def _first_currency(releases: Sequence[Mapping[str, Any]]) -> str | None:
    for release in releases:
        for bid in _details(release):
            money = _money(bid)
            if money is not None:
                return money[1]
    return None


def _included(release: Mapping[str, Any], s: FlagSettings) -> bool:
    tender = _tender(release)
    if tender.get("status") == "cancelled":
        return False
    details = _str(tender.get("procurementMethodDetails"))
    return details is None or details not in s.excluded_procurement_method_details


def red_flags(
    releases: Iterable[Mapping[str, Any]],
    settings: FlagSettings | None = None,
    flags: Iterable[Flag] | None = None,
) -> Results:
    """Cardinal-compatible results for compiled releases (one per ocid) and the chosen flags."""
    s = settings if settings is not None else FlagSettings()
    chosen = set(flags) if flags is not None else set(Flag)
    items = [r for r in releases if isinstance(r.get("ocid"), str) and _included(r, s)]
    currency = s.currency if s.currency is not None else _first_currency(items)
    out = _Out()
    ratios: dict[str, tuple[float, str, str]] = {}
    bid_in: dict[str, int] = {}
    won: dict[str, int] = {}
    for release in items:
        ocid = str(release["ocid"])
        for flag, check in _PER_PROCESS:
            if flag in chosen:
                check(release, ocid, s, out)
        if Flag.R025 in chosen:
            _count_wins(release, bid_in, won)
        if not _price_compared(release, s):
            continue
        if Flag.R036 in chosen:
            _r036(release, ocid, currency, out)
        ratio = _second_lowest_ratio(release, currency)
        if ratio is not None:
            ratios[ocid] = ratio
    if bid_in and Flag.R025 in chosen:
        _r025(bid_in, won, s, out)
    if ratios and Flag.R024 in chosen:
        _r024(ratios, s, out)
    if ratios and Flag.R058 in chosen:
        _r058(ratios, s, out)
    return out.results


def _r024(ratios: Mapping[str, tuple[float, str, str]], s: FlagSettings, out: _Out) -> None:
    if s.r024_threshold is not None:
        fence = s.r024_threshold
    else:
        q1, q3 = quartiles([r[0] for r in ratios.values()])
        fence = q1 - TUKEY_K * (q3 - q1)
    for ocid, (ratio, winner, loser) in ratios.items():
        if ratio <= fence:
            out.set(OCID, ocid, Flag.R024, ratio)
            out.set(TENDERER, winner, Flag.R024, 0.0)
            out.set(TENDERER, loser, Flag.R024, 0.0)


def _r058(ratios: Mapping[str, tuple[float, str, str]], s: FlagSettings, out: _Out) -> None:
    if s.r058_threshold is not None:
        fence = s.r058_threshold
    else:
        q1, q3 = quartiles([r[0] for r in ratios.values()])
        fence = q3 + TUKEY_K * (q3 - q1)
    # Ratios are non-negative: a zero fence would flag three quarters of all processes.
    if fence <= 0:
        return
    for ocid, (ratio, winner, _) in ratios.items():
        if ratio >= fence:
            out.set(OCID, ocid, Flag.R058, ratio)
            out.set(TENDERER, winner, Flag.R058, 0.0)


def _count_wins(release: Mapping[str, Any], bid_in: dict[str, int], won: dict[str, int]) -> None:
    """Processes each tenderer made a valid bid in, and those it won (final awards only)."""
    tenderers = {
        t
        for bid in _details(release)
        if bid.get("status") == "valid"
        for t in _ids(bid.get("tenderers"))
    }
    awards = _final_awards(release) or []
    winners = {i for award in awards for i in _ids(award.get("suppliers"))}
    for tenderer in tenderers:
        bid_in[tenderer] = bid_in.get(tenderer, 0) + 1
        if tenderer in winners:
            won[tenderer] = won.get(tenderer, 0) + 1


def _r025(bid_in: Mapping[str, int], won: Mapping[str, int], s: FlagSettings, out: _Out) -> None:
    counts = np.asarray(list(bid_in.values()), dtype=float)
    many = float(np.quantile(counts, s.r025_percentile / 100, method="median_unbiased"))
    ratios = {t: won.get(t, 0) / n for t, n in bid_in.items()}
    if s.r025_threshold is not None:
        fence = s.r025_threshold
    else:
        q1, q3 = quartiles(list(ratios.values()))
        fence = q1 - TUKEY_K * (q3 - q1)
    for tenderer, ratio in ratios.items():
        if bid_in[tenderer] >= many and ratio <= fence:
            out.set(TENDERER, tenderer, Flag.R025, ratio)
