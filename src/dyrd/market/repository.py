"""The only module that builds queries on the market's contract, tender and auction tables.

Repositories flush, never commit: the service entry point owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.core.db import Base
from dyrd.market.models import (
    Auction,
    AuctionBid,
    Bid,
    Clarification,
    Contract,
    ContractSignature,
    OcdsReleaseRow,
    RiskAlertRow,
    RiskEventRow,
    Tender,
)


class MarketRepository:
    """Queries of contracts, signatures, tenders, bids, clarifications and auctions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Base) -> None:
        """Stage a row and flush it."""
        self.session.add(row)
        self.session.flush()

    # contracts ---------------------------------------------------------------------------------

    def contract(self, contract_id: str) -> Contract | None:
        """A contract by id."""
        return self.session.get(Contract, contract_id)

    def contracts(self, limit: int = 100) -> list[Contract]:
        """The newest contracts first."""
        stmt = select(Contract).order_by(Contract.created_at.desc(), Contract.id).limit(limit)
        return list(self.session.scalars(stmt))

    def signatures(self, contract_id: str) -> list[ContractSignature]:
        """A contract's signatures in signing order."""
        stmt = (
            select(ContractSignature)
            .where(ContractSignature.contract_id == contract_id)
            .order_by(ContractSignature.signed_at, ContractSignature.id)
        )
        return list(self.session.scalars(stmt))

    # tenders -----------------------------------------------------------------------------------

    def tender(self, tender_id: str, *, lock: bool = False) -> Tender | None:
        """A tender by id; ``lock`` takes a row lock (PostgreSQL) against concurrent moves."""
        stmt = select(Tender).where(Tender.id == tender_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt)

    def tenders(self, status: str | None = None, limit: int = 100) -> list[Tender]:
        """Tenders, newest first, optionally in one status."""
        stmt = select(Tender).order_by(Tender.published_at.desc(), Tender.id).limit(limit)
        if status is not None:
            stmt = stmt.where(Tender.status == status)
        return list(self.session.scalars(stmt))

    def bids(self, tender_id: str) -> list[Bid]:
        """A tender's bids in commitment order."""
        stmt = select(Bid).where(Bid.tender_id == tender_id).order_by(Bid.created_at, Bid.id)
        return list(self.session.scalars(stmt))

    def bid(self, bid_id: str) -> Bid | None:
        """A bid by id."""
        return self.session.get(Bid, bid_id)

    def bid_count(self, tender_id: str) -> int:
        """How many sealed bids a tender holds."""
        stmt = select(func.count()).select_from(Bid).where(Bid.tender_id == tender_id)
        return int(self.session.scalar(stmt) or 0)

    def bid_of(self, tender_id: str, bidder: str) -> Bid | None:
        """A bidder's bid in a tender."""
        return self.session.scalar(
            select(Bid).where(Bid.tender_id == tender_id, Bid.bidder == bidder)
        )

    def clarifications(self, tender_id: str) -> list[Clarification]:
        """Questions and answers of a tender, oldest first."""
        stmt = (
            select(Clarification)
            .where(Clarification.tender_id == tender_id)
            .order_by(Clarification.id)
        )
        return list(self.session.scalars(stmt))

    def clarification(self, clarification_id: int) -> Clarification | None:
        """A clarification by id."""
        return self.session.get(Clarification, clarification_id)

    # auctions ----------------------------------------------------------------------------------

    def auction(self, auction_id: str, *, lock: bool = False) -> Auction | None:
        """An auction by id; ``lock`` serialises bids on it (PostgreSQL row lock)."""
        stmt = select(Auction).where(Auction.id == auction_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt)

    def auctions(self, limit: int = 100) -> list[Auction]:
        """Auctions by start time, newest first."""
        stmt = select(Auction).order_by(Auction.starts_at.desc(), Auction.id).limit(limit)
        return list(self.session.scalars(stmt))

    def auction_bids(self, auction_id: str) -> list[AuctionBid]:
        """An auction's bids in the order they were placed."""
        stmt = (
            select(AuctionBid)
            .where(AuctionBid.auction_id == auction_id)
            .order_by(AuctionBid.placed_at, AuctionBid.id)
        )
        return list(self.session.scalars(stmt))


class OversightRepository:
    """Queries of risk events, risk alerts and imported OCDS releases (market oversight)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Base) -> None:
        """Stage a row and flush it."""
        self.session.add(row)
        self.session.flush()

    def risk_events(self, enterprise_id: str | None = None) -> list[RiskEventRow]:
        """Risk events, oldest first, of one enterprise or of all."""
        stmt = select(RiskEventRow).order_by(RiskEventRow.occurred_at, RiskEventRow.id)
        if enterprise_id is not None:
            stmt = stmt.where(RiskEventRow.enterprise_id == enterprise_id)
        return list(self.session.scalars(stmt))

    def alerts(self, limit: int = 200) -> list[RiskAlertRow]:
        """The newest alerts first."""
        stmt = (
            select(RiskAlertRow)
            .order_by(RiskAlertRow.created_at.desc(), RiskAlertRow.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def latest_alert(self, enterprise_id: str) -> RiskAlertRow | None:
        """The last alert raised for an enterprise."""
        stmt = (
            select(RiskAlertRow)
            .where(RiskAlertRow.enterprise_id == enterprise_id)
            .order_by(RiskAlertRow.created_at.desc(), RiskAlertRow.id.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def ocds_release(self, ocid: str, release_id: str) -> OcdsReleaseRow | None:
        """One imported release."""
        stmt = select(OcdsReleaseRow).where(
            OcdsReleaseRow.ocid == ocid, OcdsReleaseRow.release_id == release_id
        )
        return self.session.scalars(stmt).first()

    def ocds_releases(self, ocid: str | None = None) -> list[OcdsReleaseRow]:
        """Imported releases in import order, of one contracting process or of all."""
        stmt = select(OcdsReleaseRow).order_by(OcdsReleaseRow.id)
        if ocid is not None:
            stmt = stmt.where(OcdsReleaseRow.ocid == ocid)
        return list(self.session.scalars(stmt))
