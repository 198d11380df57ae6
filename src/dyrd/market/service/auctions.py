"""Online judicial auctions: schedule, bid with five-minute extensions, read the room.

The phase and the end are derived from the platform clock and the stored (extended) end, so
every reader sees the same deterministic state; a bid is checked against the clock read after
the auction row is locked, so two concurrent last-second bids are ordered and both extend.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.market.compute import auction as au
from dyrd.market.errors import (
    BidRejected,
    DeadlinePassed,
    MarketNotFound,
    StatutoryRuleViolated,
    WrongState,
)
from dyrd.market.models import Auction, AuctionBid
from dyrd.market.repository import MarketRepository
from dyrd.market.schemas import AuctionBidCreate, AuctionBidRead, AuctionCreate, AuctionRead
from dyrd.market.service._common import log, require_member
from dyrd.market.types import AuctionPhase

SELLER_ROLE = Role.DATA_STEWARD
KIND = "market.auction."


def _auction_or_404(repo: MarketRepository, auction_id: str, *, lock: bool = False) -> Auction:
    row = repo.auction(auction_id, lock=lock)
    if row is None:
        raise MarketNotFound(
            f"No auction {auction_id!r}.",
            f"未找到拍卖 {auction_id}。",
            hint="List auctions with GET /api/v1/market/auctions.",
        )
    return row


def _phase(row: Auction, now: datetime) -> AuctionPhase:
    return au.phase(now, row.starts_at, row.current_end, cancelled=row.cancelled)


def auction_read(repo: MarketRepository, row: Auction, now: datetime) -> AuctionRead:
    """The room's view of an auction at ``now``."""
    bids = repo.auction_bids(row.id)
    top = max(bids, key=lambda b: (b.amount, -b.id), default=None)
    phase = _phase(row, now)
    outcome = None
    if phase is AuctionPhase.ENDED:
        outcome = "sold" if top is not None else "unsold"
    return AuctionRead(
        id=row.id,
        title=row.title,
        description=row.description,
        seller=row.seller,
        currency=row.currency,
        appraised_value=row.appraised_value,
        starting_price=row.starting_price,
        increment=row.increment,
        deposit=row.deposit,
        round=row.round,
        previous_id=row.previous_id,
        starts_at=row.starts_at,
        scheduled_end=row.scheduled_end,
        current_end=row.current_end,
        extensions=row.extensions,
        phase=phase,
        now=now,
        highest=None if top is None else top.amount,
        leader=None if top is None else top.bidder,
        minimum_next=au.minimum_bid(
            row.starting_price, row.increment, None if top is None else top.amount
        ),
        outcome=outcome,
        rules=dict(row.rules),
        bids=[
            AuctionBidRead(
                bidder=b.bidder,
                amount=b.amount,
                placed_at=b.placed_at,
                end_after=b.end_after,
                extended=b.extended,
            )
            for b in bids
        ],
    )


def get_auction(session: Session, auction_id: str, *, clock: Clock) -> AuctionRead:
    """One auction as the room shows it now."""
    repo = MarketRepository(session)
    return auction_read(repo, _auction_or_404(repo, auction_id), clock())


def list_auctions(session: Session, *, clock: Clock, limit: int = 100) -> list[AuctionRead]:
    """Auctions, newest start first."""
    repo = MarketRepository(session)
    now = clock()
    return [auction_read(repo, r, now) for r in repo.auctions(limit)]


def create_auction(
    session: Session, body: AuctionCreate, *, principal: Principal, clock: Clock
) -> AuctionRead:
    """Schedule an auction under the judicial rules (24 h minimum, 70% floor, 20% round cut)."""
    require_member(session, body.seller, "seller")
    actor = principal.acting_for(SELLER_ROLE, body.seller)
    repo = MarketRepository(session)
    now = clock()
    previous_start = None
    round_ = 1
    if body.previous_id is not None:
        prev = _auction_or_404(repo, body.previous_id)
        prev_view = auction_read(repo, prev, now)
        if prev.seller != body.seller or prev_view.outcome != "unsold":
            raise WrongState(
                "A new round follows an ended, unsold auction of the same seller.",
                "再次拍卖须针对同一委托方已结束且流拍的拍卖。",
            )
        previous_start, round_ = prev.starting_price, prev.round + 1
    problems = au.schedule_problems(body.starts_at, body.ends_at) + au.price_problems(
        body.appraised_value, body.starting_price, previous_start=previous_start
    )
    if body.ends_at <= now:
        problems.append(
            au.AuctionRuleBroken("past", "The auction would end in the past.", "结束时间已过。")
        )
    if problems:
        raise StatutoryRuleViolated(
            " ".join(p.message for p in problems), "".join(p.message_zh for p in problems)
        )
    row = Auction(
        id=str(uuid.uuid4()),
        title=body.title,
        description=body.description,
        seller=body.seller,
        currency=body.currency,
        appraised_value=body.appraised_value,
        starting_price=body.starting_price,
        increment=body.increment,
        deposit=body.deposit,
        round=round_,
        previous_id=body.previous_id,
        starts_at=body.starts_at,
        scheduled_end=body.ends_at,
        current_end=body.ends_at,
        extensions=0,
        cancelled=False,
        rules=au.JUDICIAL.as_dict(),
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add(row)
    log(
        session,
        kind=KIND + "scheduled",
        subject=row.id,
        actor=actor,
        payload={
            "seller": row.seller,
            "appraised_value": str(row.appraised_value),
            "starting_price": str(row.starting_price),
            "increment": str(row.increment),
            "starts_at": row.starts_at.isoformat(),
            "ends_at": row.scheduled_end.isoformat(),
            "round": round_,
            "rules": row.rules,
        },
        clock=clock,
    )
    session.commit()
    return auction_read(repo, row, now)


def place_bid(
    session: Session,
    auction_id: str,
    body: AuctionBidCreate,
    *,
    principal: Principal,
    clock: Clock,
) -> AuctionRead:
    """A bid: accepted only while running and at least the minimum; late bids extend the end."""
    repo = MarketRepository(session)
    row = _auction_or_404(repo, auction_id, lock=True)
    actor = principal.acting_for(Role.VIEWER)
    now = clock()  # read after the lock: bids are ordered by this time
    phase = _phase(row, now)
    if phase is AuctionPhase.ENDED:
        raise DeadlinePassed(
            f"The auction ended at {row.current_end.isoformat()}; the bid is late.",
            f"拍卖已于 {row.current_end.isoformat()} 结束，出价逾期。",
        )
    if phase is not AuctionPhase.RUNNING:
        raise WrongState(
            f"The auction is {phase.value}; bids are taken from {row.starts_at.isoformat()}.",
            f"拍卖当前为 {phase.value} 状态，不接受出价。",
        )
    bids = repo.auction_bids(row.id)
    highest = max((b.amount for b in bids), default=None)
    minimum = au.minimum_bid(row.starting_price, row.increment, highest)
    if body.amount < minimum:
        raise BidRejected(
            f"The bid {body.amount} is below the minimum {minimum}.",
            f"出价 {body.amount} 低于最低可出价 {minimum}。",
        )
    rules = au.AuctionRules.from_dict(row.rules)
    end = au.extended_end(row.current_end, now, rules)
    extended = end > row.current_end
    bid = AuctionBid(
        auction_id=row.id,
        bidder=body.bidder,
        amount=body.amount,
        placed_at=now,
        end_after=end,
        extended=extended,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    row.current_end = end
    row.extensions += int(extended)
    repo.add(bid)
    bid.ledger_seq = log(
        session,
        kind=KIND + "bid",
        subject=row.id,
        actor=actor,
        payload={
            "bidder": bid.bidder,
            "amount": str(bid.amount),
            "placed_at": now.isoformat(),
            "end_after": end.isoformat(),
            "extended": extended,
        },
        clock=clock,
    )
    session.commit()
    return auction_read(repo, row, now)
