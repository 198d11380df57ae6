"""Map tender, bid, award and contract rows to the OCDS views of ``dyrd.market.types``.

``compute.ocds`` turns a ``TenderView`` into OCDS 1.1.5 releases and records (bids extension);
this module is the only place that knows how the tender tables map onto those views.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.market.models import Bid, Tender
from dyrd.market.repository import MarketRepository
from dyrd.market.service.tenders import tender_or_404
from dyrd.market.types import (
    AwardMethod,
    AwardView,
    BidStatus,
    BidView,
    ContractView,
    PartyView,
    TenderStatus,
    TenderView,
)

OCID_PREFIX = "ocds-yrd000"
"""Placeholder: OCDS prefixes are issued by the Open Contracting Partnership on registration;
the platform has none yet, so publishers must replace this before publishing."""

TENDER_STATUS = {
    TenderStatus.PUBLISHED: "active",
    TenderStatus.OPENED: "active",
    TenderStatus.EVALUATED: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.FAILED: "unsuccessful",
    TenderStatus.CANCELLED: "cancelled",
}
"""Our lifecycle states onto the OCDS ``tenderStatus`` codelist."""

AWARD_CRITERIA = {AwardMethod.LOWEST_PRICE: "priceOnly", AwardMethod.WEIGHTED: "ratedCriteria"}


def _bid_view(bid: Bid, currency: str) -> BidView:
    return BidView(
        id=bid.id,
        tenderer_ids=(bid.bidder,),
        status=BidStatus(bid.status),
        amount=None if bid.price is None else float(bid.price),
        currency=currency,
        date=bid.created_at,
    )


def _buyer(session: Session, member_id: str) -> PartyView:
    member = trust.get_member(session, member_id)
    return PartyView(id=member_id, name=f"{member.name_zh} {member.name_en}", roles=("buyer",))


def tender_view(session: Session, tender_id: str, *, ocid_prefix: str = OCID_PREFIX) -> TenderView:
    """The OCDS view of one tender as it stands now (bid prices only once revealed)."""
    repo = MarketRepository(session)
    row: Tender = tender_or_404(repo, tender_id)
    bids = repo.bids(row.id)
    winner = next((b for b in bids if b.id == row.award_bid_id), None)
    awards: tuple[AwardView, ...] = ()
    contracts: tuple[ContractView, ...] = ()
    if winner is not None:
        award_id = f"{row.id}-award-1"
        awards = (
            AwardView(
                id=award_id,
                status="active",
                supplier_ids=(winner.bidder,),
                amount=None if winner.price is None else float(winner.price),
                currency=row.currency,
                date=row.awarded_at,
                related_bids=(winner.id,),
            ),
        )
        contract = None if row.contract_id is None else repo.contract(row.contract_id)
        if contract is not None:
            signatures = repo.signatures(contract.id)
            complete = {s.party for s in signatures} >= set(contract.parties)
            contracts = (
                ContractView(
                    id=contract.id,
                    award_id=award_id,
                    status="active" if complete else "pending",
                    amount=awards[0].amount,
                    currency=row.currency,
                    date_signed=max(s.signed_at for s in signatures) if complete else None,
                    title=contract.title,
                ),
            )
    tenderers = tuple(
        PartyView(
            id=b.bidder,
            name=b.bidder_name,
            roles=("tenderer", "supplier")
            if winner is not None and b.id == winner.id
            else ("tenderer",),
        )
        for b in bids
    )
    return TenderView(
        ocid=f"{ocid_prefix}-{row.id}",
        tender_id=row.id,
        title=row.title,
        status=TENDER_STATUS[TenderStatus(row.status)],
        buyer=_buyer(session, row.buyer),
        procurement_method="open",
        award_criteria=AWARD_CRITERIA[AwardMethod(row.method)],
        description=row.description,
        amount=None if row.estimated_value is None else float(row.estimated_value),
        currency=row.currency,
        tender_period_start=row.published_at,
        tender_period_end=row.deadline,
        tenderers=tenderers,
        bids=tuple(_bid_view(b, row.currency) for b in bids),
        awards=awards,
        contracts=contracts,
    )
