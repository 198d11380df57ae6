"""Pure value types of the market domain: OCDS views of tenders, bids, awards; risk events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OcdsInputError(ValueError):
    """A pure computation refused its input; the service turns it into a MarketError."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


class BidStatus(StrEnum):
    """OCDS bids extension ``bidStatus`` codelist (closed)."""

    INVITED = "invited"
    PENDING = "pending"
    VALID = "valid"
    DISQUALIFIED = "disqualified"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class PartyView:
    """An organisation in a contracting process (OCDS ``parties[]``); ``id``: USCC if known."""

    id: str
    name: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BidView:
    """One submitted (or invited, withdrawn...) bid: OCDS bids extension ``bids.details[]``."""

    id: str
    tenderer_ids: tuple[str, ...]
    status: BidStatus
    amount: float | None = None
    currency: str | None = None
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class AwardView:
    """An award decision (OCDS ``awards[]``); status is the awardStatus code."""

    id: str
    status: str
    supplier_ids: tuple[str, ...]
    amount: float | None = None
    currency: str | None = None
    date: datetime | None = None
    related_bids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractView:
    """A signed contract (OCDS ``contracts[]``)."""

    id: str
    award_id: str
    status: str
    amount: float | None = None
    currency: str | None = None
    date_signed: datetime | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class TenderView:
    """Everything about one contracting process that the OCDS export needs, at one point in time."""

    ocid: str
    tender_id: str
    title: str
    status: str
    """tenderStatus code: planning, active, cancelled, unsuccessful, complete, withdrawn."""
    buyer: PartyView
    procurement_method: str = "open"
    procurement_method_details: str = ""
    award_criteria: str = "priceOnly"
    main_category: str | None = None
    description: str = ""
    amount: float | None = None
    currency: str | None = None
    tender_period_start: datetime | None = None
    tender_period_end: datetime | None = None
    tenderers: tuple[PartyView, ...] = ()
    bids: tuple[BidView, ...] = ()
    awards: tuple[AwardView, ...] = ()
    contracts: tuple[ContractView, ...] = ()
    extra_parties: tuple[PartyView, ...] = field(default=())


class RiskEventKind(StrEnum):
    """Kinds of events that raise an enterprise's market risk."""

    QUALITY_FAILURE = "quality_failure"
    """Failed a product-quality random inspection (双随机、一公开)."""
    COMPLAINT = "complaint"
    """A consumer or trade complaint found justified."""
    IP_INFRINGEMENT = "ip_infringement"
    """A court judgment or administrative ruling of intellectual-property infringement."""
    OVERDUE_PAYMENT = "overdue_payment"
    """A payment to a supplier overdue past its contractual date."""
    CHAIN_EXIT = "chain_exit"
    """Left or was removed from a supply chain (supply domain's exit rules)."""
    RED_FLAG = "red_flag"
    """A procurement red flag or collusion screen raised on a tender it bid in."""

    @property
    def zh(self) -> str:
        """Chinese name."""
        return _RISK_ZH[self]


_RISK_ZH = {
    RiskEventKind.QUALITY_FAILURE: "质量抽检不合格",
    RiskEventKind.COMPLAINT: "投诉",
    RiskEventKind.IP_INFRINGEMENT: "知识产权侵权判决",
    RiskEventKind.OVERDUE_PAYMENT: "逾期付款",
    RiskEventKind.CHAIN_EXIT: "退出产业链",
    RiskEventKind.RED_FLAG: "招投标风险信号",
}


# --- tenders and auctions (compute/tender_rules.py, compute/auction.py) ----------------------


class TenderStatus(StrEnum):
    """Where a tender stands in its lifecycle (the states of ``compute.tender_rules``)."""

    PUBLISHED = "published"
    """Notice out: clarifications and sealed bids accepted until the deadline."""
    OPENED = "opened"
    """Opened at the deadline: commitments locked, bidders reveal within the reveal window."""
    EVALUATED = "evaluated"
    """Revealed bids scored and ranked."""
    AWARDED = "awarded"
    """The first-ranked bid won."""
    CONTRACTED = "contracted"
    """The contract with the winner exists (and is signed on the e-contract side)."""
    FAILED = "failed"
    """Fewer than three bidders or valid bids: to be re-tendered."""
    CANCELLED = "cancelled"
    """Withdrawn by the buyer before an award."""


class TenderAction(StrEnum):
    """What can happen to a tender (the edges of the state machine)."""

    ASK = "ask"
    ANSWER = "answer"
    SUBMIT_BID = "submit_bid"
    OPEN = "open"
    REVEAL = "reveal"
    EVALUATE = "evaluate"
    AWARD = "award"
    CONTRACT = "contract"
    FAIL = "fail"
    CANCEL = "cancel"
    RETENDER = "retender"


class AwardMethod(StrEnum):
    """How revealed bids are ranked."""

    LOWEST_PRICE = "lowest_price"
    WEIGHTED = "weighted"


class AuctionPhase(StrEnum):
    """Where an auction stands, derived from the clock and its (possibly extended) end."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"
