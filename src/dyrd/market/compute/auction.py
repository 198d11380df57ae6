"""Online judicial-auction rules, deterministic against the clock passed in.

Source: 最高人民法院关于人民法院网络司法拍卖若干问题的规定 (法释〔2016〕18号), as summarised in
the project's research notes; the article numbers are still to be checked against the official
text, so they are not cited here. The rules:

* the bidding period lasts at least 24 hours;
* a bid in the last five minutes extends the end to five minutes after that bid;
* the starting price is at least 70% of the appraised value;
* a second round may lower the starting price by at most 20%.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dyrd.market.types import AuctionPhase


@dataclass(frozen=True, slots=True)
class AuctionRules:
    """The rule parameters; the defaults are those of 法释〔2016〕18号 (articles to verify)."""

    min_duration: timedelta = timedelta(hours=24)
    extension: timedelta = timedelta(minutes=5)
    min_start_ratio: Decimal = Decimal("0.70")
    max_round_cut: Decimal = Decimal("0.20")

    def as_dict(self) -> dict[str, str]:
        """JSON form, stored with each auction so its rules never change under it."""
        return {
            "min_duration_seconds": str(int(self.min_duration.total_seconds())),
            "extension_seconds": str(int(self.extension.total_seconds())),
            "min_start_ratio": str(self.min_start_ratio),
            "max_round_cut": str(self.max_round_cut),
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> AuctionRules:
        """Inverse of :meth:`as_dict`."""
        return cls(
            min_duration=timedelta(seconds=int(data["min_duration_seconds"])),
            extension=timedelta(seconds=int(data["extension_seconds"])),
            min_start_ratio=Decimal(data["min_start_ratio"]),
            max_round_cut=Decimal(data["max_round_cut"]),
        )


JUDICIAL = AuctionRules()
"""The rules of 法释〔2016〕18号."""


class AuctionRuleBroken(ValueError):
    """A schedule, price or bid breaks a rule; ``kind`` names it."""

    def __init__(self, kind: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.message_zh = message_zh


def schedule_problems(
    starts_at: datetime, ends_at: datetime, rules: AuctionRules = JUDICIAL
) -> list[AuctionRuleBroken]:
    """The bidding period must last at least ``min_duration``."""
    if ends_at - starts_at < rules.min_duration:
        hours = rules.min_duration.total_seconds() / 3600
        return [
            AuctionRuleBroken(
                "duration",
                f"The bidding period is {ends_at - starts_at}; it must last at least "
                f"{hours:g} hours (法释〔2016〕18号).",
                f"竞价时间不得少于 {hours:g} 小时（法释〔2016〕18号）。",
            )
        ]
    return []


def price_problems(
    appraised: Decimal,
    starting: Decimal,
    *,
    previous_start: Decimal | None = None,
    rules: AuctionRules = JUDICIAL,
) -> list[AuctionRuleBroken]:
    """First round: start >= 70% of the appraisal; later rounds: cut at most 20% from the last."""
    out: list[AuctionRuleBroken] = []
    if appraised <= 0 or starting <= 0:
        out.append(
            AuctionRuleBroken(
                "price",
                "The appraised value and the starting price must be positive.",
                "评估价和起拍价必须为正数。",
            )
        )
        return out
    if previous_start is None and starting < appraised * rules.min_start_ratio:
        out.append(
            AuctionRuleBroken(
                "starting_price",
                f"The starting price {starting} is below {rules.min_start_ratio:.0%} of the "
                f"appraised value {appraised} (法释〔2016〕18号).",
                f"起拍价 {starting} 低于评估价 {appraised} 的 "
                f"{rules.min_start_ratio:.0%}（法释〔2016〕18号）。",
            )
        )
    if previous_start is not None and starting < previous_start * (1 - rules.max_round_cut):
        out.append(
            AuctionRuleBroken(
                "round_cut",
                f"A new round may lower the starting price by at most {rules.max_round_cut:.0%}: "
                f"at least {previous_start * (1 - rules.max_round_cut)}, not {starting}.",
                f"再次拍卖的起拍价降价幅度不得超过前次起拍价的 {rules.max_round_cut:.0%}。",
            )
        )
    return out


def phase(
    now: datetime, starts_at: datetime, end: datetime, *, cancelled: bool = False
) -> AuctionPhase:
    """Scheduled before the start, running until the (extended) end, then ended."""
    if cancelled:
        return AuctionPhase.CANCELLED
    if now < starts_at:
        return AuctionPhase.SCHEDULED
    return AuctionPhase.RUNNING if now < end else AuctionPhase.ENDED


def extended_end(end: datetime, bid_at: datetime, rules: AuctionRules = JUDICIAL) -> datetime:
    """The end after a bid at ``bid_at``: never earlier; a bid in the last five minutes moves it
    to bid time + five minutes. Raises when the bid comes at or after the end."""
    if bid_at >= end:
        raise AuctionRuleBroken(
            "closed",
            f"The auction ended at {end.isoformat()}; the bid at {bid_at.isoformat()} is late.",
            f"拍卖已于 {end.isoformat()} 结束，出价逾期。",
        )
    return max(end, bid_at + rules.extension)


def minimum_bid(starting: Decimal, increment: Decimal, highest: Decimal | None) -> Decimal:
    """The lowest acceptable next bid: the starting price, then highest + increment."""
    return starting if highest is None else highest + increment


def replay_end(
    scheduled_end: datetime, bid_times: Iterable[datetime], rules: AuctionRules = JUDICIAL
) -> datetime:
    """The end after the bids at ``bid_times`` (in order): what the stored end must equal."""
    end = scheduled_end
    for at in bid_times:
        end = extended_end(end, at, rules)
    return end
