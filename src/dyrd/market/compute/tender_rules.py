"""The tender lifecycle as an explicit state machine, with the statutory rules it enforces.

States (``TenderStatus``) and edges (``TenderAction``)::

    published --ask/answer/submit_bid--> published        (until the deadline only)
    published --open--> opened                            (at or after the deadline, Art. 34)
    published --fail--> failed                            (fewer than 3 bidders at opening, Art. 28)
    opened    --reveal--> opened                          (deadline <= now < reveal_until)
    opened    --evaluate--> evaluated                     (after reveal_until, or all revealed)
    opened    --fail--> failed                            (fewer than 3 valid revealed bids)
    evaluated --award--> awarded --contract--> contracted
    published|opened --cancel--> cancelled
    failed    --retender--> failed                        (a new tender, round + 1, is published)

Legal sources, quoted from the project's research notes, whose article numbers are still to be
checked against the official texts (marked "to verify" wherever they are cited):

* 招标投标法 Art. 24 (to verify): at least 20 days from issuing the tender documents to the
  submission deadline, for projects that must be tendered.
* 招标投标法 Art. 28 (to verify): fewer than 3 bidders -> re-tender.
* 招标投标法 Art. 34 (to verify): the bids are opened at the moment of the submission deadline.
* 电子招标投标办法 (2013, Order No. 20): nobody may read a bid before the deadline; a bid that
  cannot be opened because of the bidder counts as withdrawn. Here: a commitment that is not
  revealed within the reveal window counts as withdrawn.

Pure: no clock, no I/O; times are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dyrd.market.types import AwardMethod, TenderAction, TenderStatus

MIN_NOTICE = timedelta(days=20)
"""招标投标法 Art. 24 (article number to verify): minimum time from notice to deadline."""

MIN_BIDDERS = 3
"""招标投标法 Art. 28 (article number to verify): fewer bidders than this -> re-tender."""

PUBLICITY = timedelta(days=3)
"""招标投标法实施条例 Art. 54 (article number to verify): winning candidates are publicised for
at least 3 days before the award."""

DEFAULT_REVEAL_WINDOW = timedelta(hours=24)
"""Platform choice, not statutory: how long bidders have to reveal after the opening."""

S, A = TenderStatus, TenderAction

TRANSITIONS: Mapping[tuple[TenderStatus, TenderAction], TenderStatus] = {
    (S.PUBLISHED, A.ASK): S.PUBLISHED,
    (S.PUBLISHED, A.ANSWER): S.PUBLISHED,
    (S.PUBLISHED, A.SUBMIT_BID): S.PUBLISHED,
    (S.PUBLISHED, A.OPEN): S.OPENED,
    (S.PUBLISHED, A.FAIL): S.FAILED,
    (S.PUBLISHED, A.CANCEL): S.CANCELLED,
    (S.OPENED, A.REVEAL): S.OPENED,
    (S.OPENED, A.EVALUATE): S.EVALUATED,
    (S.OPENED, A.FAIL): S.FAILED,
    (S.OPENED, A.CANCEL): S.CANCELLED,
    (S.EVALUATED, A.AWARD): S.AWARDED,
    (S.AWARDED, A.CONTRACT): S.CONTRACTED,
    (S.FAILED, A.RETENDER): S.FAILED,
}
"""Every allowed (state, action) pair and the state it leads to; anything else is refused."""


class RuleBroken(ValueError):
    """A transition or a statutory rule refused the request; ``kind`` says which rule."""

    def __init__(self, kind: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.message_zh = message_zh


def next_state(state: TenderStatus, action: TenderAction) -> TenderStatus:
    """The state after ``action``; raises ``RuleBroken('state', ...)`` when not allowed."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s == state)
        raise RuleBroken(
            "state",
            f"A tender that is {state.value} cannot {action.value}; "
            f"allowed now: {', '.join(allowed) or 'nothing'}.",
            f"处于“{state.value}”状态的招标项目不能执行“{action.value}”；"
            f"当前允许：{'、'.join(allowed) or '无'}。",
        )
    return target


@dataclass(frozen=True, slots=True)
class TenderClock:
    """The times that gate a tender's actions."""

    published_at: datetime
    deadline: datetime
    """Submission deadline, which is also the opening time (Art. 34, to verify)."""
    reveal_until: datetime


def notice_problem(
    published_at: datetime, deadline: datetime, *, must_tender: bool
) -> RuleBroken | None:
    """The notice-period rule: at least 20 days for projects that must be tendered (Art. 24)."""
    if deadline <= published_at:
        return RuleBroken(
            "notice",
            "The submission deadline must be after the notice is published.",
            "投标截止时间必须晚于招标公告发布时间。",
        )
    if must_tender and deadline - published_at < MIN_NOTICE:
        return RuleBroken(
            "notice",
            f"The deadline is {deadline - published_at} after publication; "
            "招标投标法 Art. 24 (article number to verify) requires at least 20 days.",
            "自招标文件发出之日起至投标截止时间不得少于二十日（《招标投标法》第二十四条，条号待核）。",
        )
    return None


def time_problem(action: TenderAction, now: datetime, times: TenderClock) -> RuleBroken | None:
    """The time gate of ``action`` at ``now``: late bids, early opening, reveals out of window."""
    if action in (A.ASK, A.ANSWER, A.SUBMIT_BID) and now >= times.deadline:
        return RuleBroken(
            "deadline",
            f"The submission deadline {times.deadline.isoformat()} has passed; "
            "late bids and questions are refused.",
            f"投标截止时间 {times.deadline.isoformat()} 已过，逾期投标与提问一律拒收。",
        )
    if action is A.OPEN and now < times.deadline:
        return RuleBroken(
            "early",
            f"Bids are opened at the deadline {times.deadline.isoformat()}, not before "
            "(招标投标法 Art. 34, article number to verify).",
            f"开标应当在投标截止时间 {times.deadline.isoformat()} 公开进行，"
            "不得提前（第三十四条，条号待核）。",
        )
    if action is A.REVEAL and not times.deadline <= now < times.reveal_until:
        return RuleBroken(
            "deadline" if now >= times.reveal_until else "early",
            f"Bids are revealed between the opening {times.deadline.isoformat()} and "
            f"{times.reveal_until.isoformat()}.",
            f"报价须在开标 {times.deadline.isoformat()} 之后、"
            f"{times.reveal_until.isoformat()} 之前揭示。",
        )
    return None


def opening_outcome(bidders: int) -> TenderAction:
    """At the opening: ``OPEN`` with three or more bidders, else ``FAIL`` (Art. 28, to verify)."""
    return A.OPEN if bidders >= MIN_BIDDERS else A.FAIL


def publicity_problem(evaluated_at: datetime, now: datetime) -> RuleBroken | None:
    """The award waits until the candidates were publicised for 3 days (Art. 54, to verify)."""
    if now < evaluated_at + PUBLICITY:
        return RuleBroken(
            "early",
            f"Winning candidates are publicised for at least 3 days (实施条例 Art. 54, article "
            f"number to verify): award from {(evaluated_at + PUBLICITY).isoformat()}.",
            f"中标候选人公示期不得少于三日（《实施条例》第五十四条，条号待核），"
            f"可于 {(evaluated_at + PUBLICITY).isoformat()} 后定标。",
        )
    return None


def evaluation_outcome(valid_bids: int) -> TenderAction:
    """After reveals: ``EVALUATE`` with three or more valid bids, else ``FAIL``.

    Art. 28 counts bidders; a bidder who does not reveal has withdrawn (电子招标投标办法), so the
    platform applies the same threshold to the bids still valid after the reveal window.
    """
    return A.EVALUATE if valid_bids >= MIN_BIDDERS else A.FAIL


def evaluation_ready(now: datetime, times: TenderClock, *, pending: int) -> bool:
    """Evaluation may start once the reveal window closed or nobody is left to reveal."""
    return now >= times.reveal_until or pending == 0


def deposit_problem(required: Decimal, paid: Decimal, reference: str | None) -> RuleBroken | None:
    """A bid must carry at least the tender's bid deposit (投标保证金), with a payment reference."""
    if required <= 0:
        return None
    if paid < required or not (reference or "").strip():
        return RuleBroken(
            "deposit",
            f"This tender requires a bid deposit of {required}; the bid declares {paid} "
            f"{'with' if reference else 'without'} a payment reference.",
            f"本项目要求投标保证金 {required}，该投标申报 {paid}，且须提供缴款凭证号。",
        )
    return None


@dataclass(frozen=True, slots=True)
class RevealedBid:
    """A valid bid after its reveal: what evaluation ranks."""

    bid_id: str
    bidder: str
    price: Decimal
    revealed_at: datetime
    technical_score: float | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    """A bid's evaluation result: score (higher is better) and rank (1 is the winner)."""

    bid_id: str
    score: float
    rank: int


def price_score(price: Decimal, lowest: Decimal) -> float:
    """Price score out of 100 with the lowest price as benchmark: 100 * lowest / price.

    The low-price-benchmark convention of comprehensive evaluation (综合评估法); the buyer chooses
    the weight, the platform does not pick one.
    """
    if price <= 0:
        raise ValueError("a bid price must be positive")
    return float(Decimal(100) * lowest / price)


def rank_bids(
    bids: Sequence[RevealedBid], method: AwardMethod, *, price_weight: float | None = None
) -> list[Ranked]:
    """Rank revealed bids: lowest price first, or by the weighted price and technical score.

    Ties are broken by reveal time, then bidder id, so the ranking is deterministic.
    """
    if not bids:
        return []
    lowest = min(b.price for b in bids)
    scored: list[tuple[float, RevealedBid]] = []
    for bid in bids:
        p = price_score(bid.price, lowest)
        if method is AwardMethod.LOWEST_PRICE:
            scored.append((p, bid))
            continue
        if price_weight is None or not 0.0 <= price_weight <= 1.0:
            raise ValueError("weighted scoring needs a price weight in [0, 1]")
        if bid.technical_score is None or not 0.0 <= bid.technical_score <= 100.0:
            raise ValueError(f"bid {bid.bid_id} needs a technical score in [0, 100]")
        scored.append((price_weight * p + (1.0 - price_weight) * bid.technical_score, bid))
    if method is AwardMethod.LOWEST_PRICE:
        order = sorted(scored, key=lambda sb: (sb[1].price, sb[1].revealed_at, sb[1].bidder))
    else:
        order = sorted(scored, key=lambda sb: (-sb[0], sb[1].revealed_at, sb[1].bidder))
    return [Ranked(bid.bid_id, round(score, 4), i + 1) for i, (score, bid) in enumerate(order)]
