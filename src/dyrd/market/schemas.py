"""Pydantic I/O of the market API: e-contracts, tenders with sealed bids, auctions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dyrd.market.types import AuctionPhase, AwardMethod, BidStatus, TenderStatus

_STRICT = ConfigDict(extra="forbid")
Money = Decimal
MemberId = str


# --- e-contracts --------------------------------------------------------------------------------


class ContractRead(BaseModel):
    """An uploaded contract: its hash, required parties, and who signed so far."""

    id: str
    title: str
    media_type: str
    size: int
    sha256: str
    parties: list[str]
    signed_by: list[str]
    tender_id: str | None
    created_by: str
    created_at: datetime


class SignatureRead(BaseModel):
    """One party's signature and its time-stamp evidence in the audit ledger."""

    contract_id: str
    party: str
    signer: str
    signer_role: str
    key_id: str
    algorithm: str
    document_sha256: str
    signature: str = Field(description="base64url, no padding")
    signed_at: datetime
    ledger_seq: int
    ledger_leaf_hash: str


class VerificationRead(BaseModel):
    """The verification report (see ``dyrd.market.compute.contract_report``)."""

    contract_id: str
    title: str
    document_sha256: str
    parties: list[str]
    missing_parties: list[str]
    valid: bool
    reasons: list[str]
    reasons_zh: list[str]
    checked_at: str
    checks: list[dict[str, Any]]
    signatures: list[dict[str, Any]]


# --- tenders ------------------------------------------------------------------------------------


class TenderCreate(BaseModel):
    """Publish a call for tenders (the notice)."""

    model_config = _STRICT
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    buyer: MemberId = Field(description="Member that tenders, e.g. CN-YRD/GOV/310000")
    method: AwardMethod = AwardMethod.LOWEST_PRICE
    price_weight: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Weighted scoring only: weight of the price"
    )
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    estimated_value: Money | None = Field(default=None, gt=0, max_digits=18, decimal_places=2)
    deposit: Money = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=2)
    must_tender: bool = Field(
        default=True, description="A project that must be tendered: 20-day notice applies"
    )
    deadline: AwareDatetime = Field(description="Submission deadline = opening time")
    reveal_hours: int = Field(default=24, ge=1, le=24 * 14)


class ClarificationCreate(BaseModel):
    """A question on the tender documents."""

    model_config = _STRICT
    question: str = Field(min_length=1, max_length=5000)


class ClarificationAnswer(BaseModel):
    """The buyer's answer, published to every bidder."""

    model_config = _STRICT
    answer: str = Field(min_length=1, max_length=5000)


class ClarificationRead(BaseModel):
    """A question and its answer."""

    id: int
    tender_id: str
    question: str
    answer: str | None
    asked_at: datetime
    answered_at: datetime | None


class BidCommit(BaseModel):
    """A sealed bid: the commitment only; the price stays with the bidder until the opening."""

    model_config = _STRICT
    bidder: str = Field(min_length=1, max_length=128, description="USCC or other bidder id")
    bidder_name: str = Field(min_length=1, max_length=200)
    commitment: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256, see docs")
    deposit_paid: Money = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=2)
    deposit_ref: str | None = Field(default=None, max_length=128)


class BidReveal(BaseModel):
    """Open a sealed bid after the opening: price and salt must reproduce the commitment."""

    model_config = _STRICT
    price: str = Field(min_length=1, max_length=32, description="Amount, at most 2 decimals")
    salt: str = Field(min_length=64, max_length=128, pattern=r"^[0-9a-fA-F]+$")


class Evaluation(BaseModel):
    """Evaluate: technical scores (0-100) per bid id, needed for weighted scoring only."""

    model_config = _STRICT
    technical_scores: dict[str, float] = Field(default_factory=dict)


class BidRead(BaseModel):
    """A bid as everyone sees it: the price is null until it is revealed."""

    id: str
    tender_id: str
    bidder: str
    bidder_name: str
    commitment: str
    status: BidStatus
    deposit_paid: Money
    committed_at: datetime
    price: Money | None
    revealed_at: datetime | None
    technical_score: float | None
    score: float | None
    rank: int | None


class TenderRead(BaseModel):
    """A tender, its phase and its outcome."""

    id: str
    title: str
    description: str
    buyer: str
    status: TenderStatus
    method: AwardMethod
    price_weight: float | None
    currency: str
    estimated_value: Money | None
    deposit: Money
    must_tender: bool
    published_at: datetime
    deadline: datetime
    reveal_until: datetime
    round: int
    previous_id: str | None
    next_id: str | None
    failure_reason: str | None
    award_bid_id: str | None
    contract_id: str | None
    commitments_root: str | None
    bids: int
    allowed_actions: list[str]


class TenderDetail(TenderRead):
    """A tender with its bids and clarifications."""

    bid_list: list[BidRead]
    clarifications: list[ClarificationRead]


class RetenderCreate(BaseModel):
    """Re-tender a failed tender with a new deadline."""

    model_config = _STRICT
    deadline: AwareDatetime
    reveal_hours: int = Field(default=24, ge=1, le=24 * 14)


class TenderContractCreate(BaseModel):
    """Attach the contract document to an awarded tender (buyer and winner sign it next)."""

    model_config = _STRICT
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=1_000_000)
    winner_member: MemberId | None = Field(
        default=None, description="The winner's member id when it signs on the platform"
    )


# --- auctions -----------------------------------------------------------------------------------


class AuctionCreate(BaseModel):
    """Schedule an online (judicial) auction."""

    model_config = _STRICT
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    seller: MemberId = Field(description="Member (court) that sells")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    appraised_value: Money = Field(gt=0, max_digits=18, decimal_places=2)
    starting_price: Money = Field(gt=0, max_digits=18, decimal_places=2)
    increment: Money = Field(gt=0, max_digits=18, decimal_places=2)
    deposit: Money = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=2)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    previous_id: str | None = Field(default=None, description="The unsold first-round auction")


class AuctionBidCreate(BaseModel):
    """A bid in a running auction."""

    model_config = _STRICT
    bidder: str = Field(min_length=1, max_length=128)
    amount: Money = Field(gt=0, max_digits=18, decimal_places=2)


class AuctionBidRead(BaseModel):
    """A bid and the end time it left."""

    bidder: str
    amount: Money
    placed_at: datetime
    end_after: datetime
    extended: bool


class AuctionRead(BaseModel):
    """An auction as the room shows it (phase and end derived from the clock)."""

    id: str
    title: str
    description: str
    seller: str
    currency: str
    appraised_value: Money
    starting_price: Money
    increment: Money
    deposit: Money
    round: int
    previous_id: str | None
    starts_at: datetime
    scheduled_end: datetime
    current_end: datetime
    extensions: int
    phase: AuctionPhase
    now: datetime
    highest: Money | None
    leader: str | None
    minimum_next: Money
    outcome: str | None = Field(description="sold / unsold once ended, else null")
    rules: dict[str, str]
    bids: list[AuctionBidRead]


# --- oversight: OCDS validation, red flags, collusion screens, market risk ------------------------


class OcdsIssueRead(BaseModel):
    """One schema violation, at a JSON Pointer path."""

    path: str
    message: str
    message_zh: str
    keyword: str


class OcdsReport(BaseModel):
    """Whether an OCDS document validates against 1.1.5 + bids extension, and every problem."""

    valid: bool
    kind: str
    issues: list[OcdsIssueRead]


class OcdsImportRead(BaseModel):
    """What an import stored: new releases, identical ones already there, and the ocids touched."""

    imported: int
    unchanged: int
    ocids: list[str]


class FlagExplanation(BaseModel):
    """A red flag's meaning in both languages."""

    code: str
    title: str
    title_zh: str
    explanation: str
    explanation_zh: str


class RedFlagsReport(BaseModel):
    """Cardinal-shaped results plus the explanation of every flag that fired."""

    processes: int
    results: dict[str, dict[str, dict[str, float]]]
    flags: list[FlagExplanation]


class ScreenRead(BaseModel):
    """One tender's screens, the extreme ones, and the verdict with its reasons."""

    ocid: str
    bids: int
    currency: str
    screens: dict[str, float | None]
    extreme: list[str]
    flagged: bool
    explanation: str
    explanation_zh: str


class ScreensReport(BaseModel):
    """Screens of every tender with enough priced bids; skipped tenders with the reason."""

    tenders: list[ScreenRead]
    skipped: dict[str, str]


class RiskEventCreate(BaseModel):
    """A risk event to record about an enterprise."""

    model_config = _STRICT

    enterprise_id: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=32)
    occurred_at: AwareDatetime
    severity: float = Field(default=1.0, ge=0, le=1000)
    jurisdiction: str = Field(default="", max_length=16)
    reference: str = Field(default="", max_length=256)


class RiskEventRead(BaseModel):
    """A stored risk event."""

    id: str
    enterprise_id: str
    kind: str
    kind_zh: str
    occurred_at: datetime
    severity: float
    jurisdiction: str
    reference: str


class RiskScoreRead(BaseModel):
    """An enterprise's score, its parts by event kind, level and explanation."""

    enterprise_id: str
    score: float
    by_kind: dict[str, float]
    events: int
    level: str
    level_zh: str
    explanation: str
    explanation_zh: str


class RiskRequest(BaseModel):
    """Optional weights document replacing the bundled neutral weights for one computation."""

    model_config = _STRICT

    weights: dict[str, Any] | None = None


class RiskAlertRead(BaseModel):
    """A raised alert."""

    id: str
    enterprise_id: str
    level: str
    score: float
    explanation: str
    explanation_zh: str
    created_at: datetime
