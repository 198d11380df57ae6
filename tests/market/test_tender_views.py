"""Tender rows map onto the OCDS views, and the releases built from them validate."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from dyrd.market.compute import sealed_bid as sb
from dyrd.market.schemas import BidCommit, BidReveal, Evaluation, TenderContractCreate, TenderCreate
from dyrd.market.service import tender_views, tenders
from dyrd.market.types import BidStatus
from tests.market.conftest import BIDDER_A, BIDDER_B, BIDDER_C, SH, SH_STEWARD, MovableClock

DAY = timedelta(days=1)


def _awarded(session: Session, clock: MovableClock) -> str:
    body = TenderCreate(title="Bridge 桥梁", buyer=SH, deadline=clock.now + 20 * DAY)
    tid = tenders.publish_tender(session, body, principal=SH_STEWARD, clock=clock).id
    sealed = []
    for who, bidder, price in (
        (BIDDER_A, "A1", "10.00"),
        (BIDDER_B, "B1", "9.00"),
        (BIDDER_C, "C1", "11.00"),
    ):
        salt = secrets.token_bytes(32)
        bid = tenders.submit_bid(
            session,
            tid,
            BidCommit(
                bidder=bidder,
                bidder_name=f"{bidder} Co.",
                commitment=sb.commitment(tid, bidder, Decimal(price), salt),
            ),
            principal=who,
            clock=clock,
        )
        sealed.append((who, bid.id, price, salt))
    clock.advance(20 * DAY)
    tenders.open_tender(session, tid, principal=SH_STEWARD, clock=clock)
    for who, bid_id, price, salt in sealed:
        tenders.reveal_bid(
            session,
            tid,
            bid_id,
            BidReveal(price=price, salt=salt.hex()),
            principal=who,
            clock=clock,
        )
    tenders.evaluate(session, tid, Evaluation(), principal=SH_STEWARD, clock=clock)
    clock.advance(3 * DAY)  # winning candidates publicised for 3 days first
    tenders.award(session, tid, principal=SH_STEWARD, clock=clock)
    return tid


def test_view_of_an_awarded_and_contracted_tender(session: Session, moving: MovableClock) -> None:
    tid = _awarded(session, moving)
    view = tender_views.tender_view(session, tid)
    assert view.status == "complete"
    assert view.award_criteria == "priceOnly"
    assert [b.status for b in view.bids] == [BidStatus.VALID] * 3
    assert view.awards[0].supplier_ids == ("B1",)
    assert view.awards[0].amount == 9.0
    tenders.attach_contract(
        session, tid, TenderContractCreate(title="c", text="t"), principal=SH_STEWARD, clock=moving
    )
    view = tender_views.tender_view(session, tid)
    assert view.contracts[0].status == "pending"  # nobody signed yet


def test_sealed_prices_stay_out_of_the_view_before_the_reveal(
    session: Session, moving: MovableClock
) -> None:
    body = TenderCreate(title="t", buyer=SH, deadline=moving.now + 20 * DAY)
    tid = tenders.publish_tender(session, body, principal=SH_STEWARD, clock=moving).id
    c = sb.commitment(tid, "A1", Decimal("5.00"), bytes(32))
    tenders.submit_bid(
        session,
        tid,
        BidCommit(bidder="A1", bidder_name="A", commitment=c),
        principal=BIDDER_A,
        clock=moving,
    )
    view = tender_views.tender_view(session, tid)
    assert view.status == "active"
    assert view.bids[0].amount is None
    assert view.bids[0].status is BidStatus.PENDING


def test_releases_built_from_the_view_validate_against_ocds(
    session: Session, moving: MovableClock
) -> None:
    ocds = pytest.importorskip("dyrd.market.compute.ocds")
    bundled = pytest.importorskip("dyrd.market.bundled")
    tid = _awarded(session, moving)
    release = ocds.build_release(tender_views.tender_view(session, tid), date=moving.now)
    issues = bundled.ocds_validator().validate(release)
    assert issues == [], issues
