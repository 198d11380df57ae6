"""Tables of the market domain: e-contracts and signatures, tenders with sealed bids, auctions.

Money is ``Numeric(18, 2)`` (yuan with fen), never a float. Every row a user writes carries
``CreatedStamp``; state changes are also appended to the audit ledger by the services.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, CreatedStamp, UtcDateTime

MONEY = Numeric(18, 2)


class Contract(CreatedStamp, Base):
    """An uploaded contract document, its SHA-256 and the members that must sign it."""

    __tablename__ = "market_contract"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    parties: Mapped[list[str]] = mapped_column(JSON)
    tender_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    ledger_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ContractSignature(CreatedStamp, Base):
    """One party's signature over the contract's signing payload, with its ledger time-stamp."""

    __tablename__ = "market_contract_signature"
    __table_args__ = (UniqueConstraint("contract_id", "party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("market_contract.id"), index=True)
    party: Mapped[str] = mapped_column(String(128))
    signer: Mapped[str] = mapped_column(String(128))
    signer_role: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(16))
    document_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ledger_seq: Mapped[int] = mapped_column(Integer)
    ledger_leaf_hash: Mapped[str] = mapped_column(String(64))


class Tender(CreatedStamp, Base):
    """A call for tenders and where it stands in the lifecycle."""

    __tablename__ = "market_tender"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    buyer: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    method: Mapped[str] = mapped_column(String(16))
    price_weight: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    estimated_value: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    deposit: Mapped[Decimal] = mapped_column(MONEY)
    must_tender: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    reveal_until: Mapped[datetime] = mapped_column(UtcDateTime)
    round: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    next_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    award_bid_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    contract_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    awarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    commitments_root: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Clarification(CreatedStamp, Base):
    """A bidder's question on the tender documents and the buyer's published answer."""

    __tablename__ = "market_clarification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("market_tender.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Bid(CreatedStamp, Base):
    """A sealed bid: the commitment before the deadline, the price once revealed."""

    __tablename__ = "market_bid"
    __table_args__ = (UniqueConstraint("tender_id", "bidder"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("market_tender.id"), index=True)
    bidder: Mapped[str] = mapped_column(String(128))
    bidder_name: Mapped[str] = mapped_column(String(200))
    commitment: Mapped[str] = mapped_column(String(64))
    deposit_paid: Mapped[Decimal] = mapped_column(MONEY)
    deposit_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    price: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    salt: Mapped[str | None] = mapped_column(String(128), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    technical_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ledger_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Auction(CreatedStamp, Base):
    """An online (judicial) auction of one lot; its end moves on late bids."""

    __tablename__ = "market_auction"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    seller: Mapped[str] = mapped_column(String(128), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    appraised_value: Mapped[Decimal] = mapped_column(MONEY)
    starting_price: Mapped[Decimal] = mapped_column(MONEY)
    increment: Mapped[Decimal] = mapped_column(MONEY)
    deposit: Mapped[Decimal] = mapped_column(MONEY)
    round: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    scheduled_end: Mapped[datetime] = mapped_column(UtcDateTime)
    current_end: Mapped[datetime] = mapped_column(UtcDateTime)
    extensions: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuctionBid(CreatedStamp, Base):
    """One bid in an auction, with the end time it left behind."""

    __tablename__ = "market_auction_bid"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    auction_id: Mapped[str] = mapped_column(ForeignKey("market_auction.id"), index=True)
    bidder: Mapped[str] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_after: Mapped[datetime] = mapped_column(UtcDateTime)
    extended: Mapped[bool] = mapped_column(Boolean)
    ledger_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- Market oversight: risk events, alerts and imported OCDS releases (migration 0015_market_risk).


class RiskEventRow(CreatedStamp, Base):
    """One event raising an enterprise's market risk (failed inspection, complaint, red flag)."""

    __tablename__ = "market_risk_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    severity: Mapped[float] = mapped_column(Float)
    jurisdiction: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(256))


class RiskAlertRow(CreatedStamp, Base):
    """An alert raised when an enterprise's score reached the watch or alert level."""

    __tablename__ = "market_risk_alert"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(128), index=True)
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    explanation_zh: Mapped[str] = mapped_column(Text)


class OcdsReleaseRow(CreatedStamp, Base):
    """An OCDS release imported from a package after it validated; records compile from these."""

    __tablename__ = "market_ocds_release"
    __table_args__ = (UniqueConstraint("ocid", "release_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ocid: Mapped[str] = mapped_column(String(128), index=True)
    release_id: Mapped[str] = mapped_column(String(256))
    date: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
