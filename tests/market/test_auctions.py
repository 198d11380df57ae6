"""Online auctions on the database: the five-minute extension against the clock, price rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from dyrd.market.errors import BidRejected, DeadlinePassed, StatutoryRuleViolated, WrongState
from dyrd.market.schemas import AuctionBidCreate, AuctionCreate, AuctionRead
from dyrd.market.service import auctions
from dyrd.market.types import AuctionPhase
from tests.market.conftest import BIDDER_A, BIDDER_B, SH, SH_STEWARD, MovableClock

HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)


def _create(session: Session, clock: MovableClock, **extra: object) -> str:
    body = AuctionCreate.model_validate(
        {
            "title": "Apartment 住宅",
            "seller": SH,
            "appraised_value": "1000000.00",
            "starting_price": "700000.00",
            "increment": "5000.00",
            "starts_at": clock.now + HOUR,
            "ends_at": clock.now + 25 * HOUR,
            **extra,
        }
    )
    return auctions.create_auction(session, body, principal=SH_STEWARD, clock=clock).id


def _bid(
    session: Session, clock: MovableClock, aid: str, amount: str, who: str = "a"
) -> AuctionRead:
    principal = BIDDER_A if who == "a" else BIDDER_B
    return auctions.place_bid(
        session,
        aid,
        AuctionBidCreate(bidder=who, amount=Decimal(amount)),
        principal=principal,
        clock=clock,
    )


def test_schedule_and_price_rules_are_enforced(session: Session, moving: MovableClock) -> None:
    with pytest.raises(StatutoryRuleViolated, match="24 hours"):
        _create(session, moving, ends_at=moving.now + 24 * HOUR)
    with pytest.raises(StatutoryRuleViolated, match="70%"):
        _create(session, moving, starting_price="699999.99")


def test_bids_before_the_start_after_the_end_or_too_low_are_refused(
    session: Session, moving: MovableClock
) -> None:
    aid = _create(session, moving)
    with pytest.raises(WrongState):
        _bid(session, moving, aid, "700000.00")
    moving.advance(2 * HOUR)
    with pytest.raises(BidRejected, match="below the minimum"):
        _bid(session, moving, aid, "699999.00")
    _bid(session, moving, aid, "700000.00")
    with pytest.raises(BidRejected):
        _bid(session, moving, aid, "704999.00", who="b")
    moving.advance(30 * HOUR)
    with pytest.raises(DeadlinePassed):
        _bid(session, moving, aid, "800000.00", who="b")


def test_late_bids_extend_the_end_and_the_room_follows_the_clock(
    session: Session, moving: MovableClock
) -> None:
    aid = _create(session, moving)
    scheduled_end = moving.now + 25 * HOUR
    moving.now = scheduled_end - 10 * MIN
    room = _bid(session, moving, aid, "700000.00")
    assert room.current_end == scheduled_end
    moving.now = scheduled_end - 2 * MIN
    room = _bid(session, moving, aid, "705000.00", who="b")
    assert room.current_end == moving.now + 5 * MIN
    assert room.extensions == 1
    first_extension = moving.now + 5 * MIN
    moving.now = scheduled_end + MIN  # after the scheduled end, before the extended one
    room = _bid(session, moving, aid, "710000.00")
    assert room.phase is AuctionPhase.RUNNING
    assert room.current_end == moving.now + 5 * MIN > first_extension
    moving.now = room.current_end
    view = auctions.get_auction(session, aid, clock=moving)
    assert view.phase is AuctionPhase.ENDED
    assert view.outcome == "sold"
    assert view.leader == "a"
    assert view.highest == Decimal("710000.00")
    assert [b.extended for b in view.bids] == [False, True, True]


def test_second_round_after_an_unsold_auction_may_cut_at_most_twenty_percent(
    session: Session, moving: MovableClock
) -> None:
    first = _create(session, moving)
    moving.advance(30 * HOUR)
    assert auctions.get_auction(session, first, clock=moving).outcome == "unsold"
    with pytest.raises(StatutoryRuleViolated, match="20%"):
        _create(session, moving, previous_id=first, starting_price="559999.99")
    second = _create(session, moving, previous_id=first, starting_price="560000.00")
    assert auctions.get_auction(session, second, clock=moving).round == 2
