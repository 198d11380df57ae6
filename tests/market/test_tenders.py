"""The tender lifecycle on the database: sealed bids, statutory rules, ledger entries."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.errors import PermissionDenied
from dyrd.market.compute import sealed_bid as sb
from dyrd.market.errors import (
    BidRejected,
    DeadlinePassed,
    RevealMismatch,
    StatutoryRuleViolated,
    WrongState,
)
from dyrd.market.schemas import (
    BidCommit,
    BidReveal,
    ClarificationAnswer,
    ClarificationCreate,
    Evaluation,
    RetenderCreate,
    TenderContractCreate,
    TenderCreate,
)
from dyrd.market.service import tenders
from dyrd.market.types import BidStatus, TenderStatus
from tests.market.conftest import (
    BIDDER_A,
    BIDDER_B,
    BIDDER_C,
    SH,
    SH_STEWARD,
    SH_VIEWER,
    MovableClock,
)

DAY = timedelta(days=1)
BIDDERS = [
    (BIDDER_A, "91310000A", "120.00"),
    (BIDDER_B, "91320000B", "99.50"),
    (BIDDER_C, "91340000C", "105.00"),
]


def _publish(session: Session, clock: MovableClock, **extra: object) -> str:
    body = TenderCreate.model_validate(
        {
            "title": "Road works 道路工程",
            "buyer": SH,
            "deadline": clock.now + 20 * DAY,
            "deposit": "1000.00",
            **extra,
        }
    )
    return tenders.publish_tender(session, body, principal=SH_STEWARD, clock=clock).id


def _seal(
    session: Session, clock: MovableClock, tid: str, n: int = 3
) -> list[tuple[str, str, bytes]]:
    out = []
    for principal, bidder, price in BIDDERS[:n]:
        salt = secrets.token_bytes(32)
        c = sb.commitment(tid, bidder, Decimal(price), salt)
        bid = tenders.submit_bid(
            session,
            tid,
            BidCommit(
                bidder=bidder,
                bidder_name=bidder,
                commitment=c,
                deposit_paid=Decimal(1000),
                deposit_ref="BANK-" + bidder,
            ),
            principal=principal,
            clock=clock,
        )
        out.append((bid.id, price, salt))
    return out


def _kinds(session: Session, subject: str) -> list[str]:
    page = ledger.service.list_entries(session, start=0, end=ledger.service.log_size(session))
    return [e.kind for e in page.items if e.subject == subject]


def test_full_lifecycle_lowest_price(session: Session, moving: MovableClock) -> None:
    tid = _publish(session, moving)
    q = tenders.ask(
        session, tid, ClarificationCreate(question="工期?"), principal=BIDDER_A, clock=moving
    )
    tenders.answer(
        session,
        tid,
        q.id,
        ClarificationAnswer(answer="90 days"),
        principal=SH_STEWARD,
        clock=moving,
    )
    sealed = _seal(session, moving, tid)
    detail = tenders.get_tender(session, tid, clock=moving)
    assert all(b.price is None for b in detail.bid_list)  # nothing readable before the opening
    moving.advance(20 * DAY)
    opened = tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)
    assert opened.status is TenderStatus.OPENED
    assert opened.commitments_root is not None
    principals = [BIDDERS[i][0] for i in range(3)]
    for (bid_id, price, salt), who in zip(sealed, principals, strict=True):
        tenders.reveal_bid(
            session,
            tid,
            bid_id,
            BidReveal(price=price, salt=salt.hex()),
            principal=who,
            clock=moving,
        )
    result = tenders.evaluate(session, tid, Evaluation(), principal=SH_STEWARD, clock=moving)
    assert result.status is TenderStatus.EVALUATED
    winner = next(b for b in result.bid_list if b.rank == 1)
    assert winner.bidder == "91320000B"
    assert winner.price == Decimal("99.50")
    with pytest.raises(WrongState, match="publicised"):
        tenders.award(session, tid, principal=SH_STEWARD, clock=moving)
    moving.advance(3 * DAY)
    awarded = tenders.award(session, tid, principal=SH_STEWARD, clock=moving)
    assert awarded.award_bid_id == winner.id
    done = tenders.attach_contract(
        session,
        tid,
        TenderContractCreate(title="合同", text="Contract text"),
        principal=SH_STEWARD,
        clock=moving,
    )
    assert done.status is TenderStatus.CONTRACTED
    assert done.contract_id is not None
    assert done.allowed_actions == []
    kinds = _kinds(session, tid)
    assert kinds == [
        "market.tender.published",
        "market.tender.asked",
        "market.tender.answered",
        *["market.tender.bid_sealed"] * 3,
        "market.tender.opened",
        *["market.tender.bid_revealed"] * 3,
        "market.tender.evaluated",
        "market.tender.awarded",
        "market.tender.contracted",
    ]


def test_the_commitments_root_is_reproducible_from_the_published_commitments(
    session: Session, moving: MovableClock
) -> None:
    tid = _publish(session, moving)
    _seal(session, moving, tid)
    moving.advance(20 * DAY)
    opened = tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)
    bids = tenders.get_tender(session, tid, clock=moving).bid_list
    assert opened.commitments_root == sb.commitments_root(
        tid, [(b.bidder, b.commitment) for b in bids]
    )


def test_notice_shorter_than_twenty_days_is_refused(session: Session, moving: MovableClock) -> None:
    with pytest.raises(StatutoryRuleViolated, match=r"Art\. 24"):
        _publish(session, moving, deadline=moving.now + 19 * DAY)
    assert _publish(session, moving, deadline=moving.now + 3 * DAY, must_tender=False)


def test_late_bid_is_refused(session: Session, moving: MovableClock) -> None:
    tid = _publish(session, moving)
    moving.advance(20 * DAY)
    with pytest.raises(DeadlinePassed):
        _seal(session, moving, tid, n=1)


def test_missing_deposit_and_duplicate_bidders_are_refused(
    session: Session, moving: MovableClock
) -> None:
    tid = _publish(session, moving)
    c = sb.commitment(tid, "X", Decimal(1), bytes(32))
    with pytest.raises(BidRejected, match="deposit"):
        tenders.submit_bid(
            session,
            tid,
            BidCommit(bidder="X", bidder_name="X", commitment=c),
            principal=BIDDER_A,
            clock=moving,
        )
    _seal(session, moving, tid, n=1)
    with pytest.raises(BidRejected, match="already"):
        _seal(session, moving, tid, n=1)


def test_opening_before_the_deadline_is_refused(session: Session, moving: MovableClock) -> None:
    tid = _publish(session, moving)
    _seal(session, moving, tid)
    with pytest.raises(WrongState):
        tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)


def test_fewer_than_three_bidders_fails_and_can_be_retendered(
    session: Session, moving: MovableClock
) -> None:
    tid = _publish(session, moving)
    _seal(session, moving, tid, n=2)
    moving.advance(20 * DAY)
    failed = tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)
    assert failed.status is TenderStatus.FAILED
    assert failed.failure_reason == "fewer_than_3_bidders"
    with pytest.raises(StatutoryRuleViolated):
        tenders.retender(
            session,
            tid,
            RetenderCreate(deadline=moving.now + 10 * DAY),
            principal=SH_STEWARD,
            clock=moving,
        )
    again = tenders.retender(
        session,
        tid,
        RetenderCreate(deadline=moving.now + 20 * DAY),
        principal=SH_STEWARD,
        clock=moving,
    )
    assert again.round == 2
    assert again.previous_id == tid
    assert again.status is TenderStatus.PUBLISHED
    with pytest.raises(WrongState, match="already"):
        tenders.retender(
            session,
            tid,
            RetenderCreate(deadline=moving.now + 20 * DAY),
            principal=SH_STEWARD,
            clock=moving,
        )


def test_mismatched_reveal_is_refused_and_unrevealed_bids_are_withdrawn(
    session: Session, moving: MovableClock
) -> None:
    tid = _publish(session, moving)
    sealed = _seal(session, moving, tid)
    moving.advance(20 * DAY)
    tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)
    bid_id, _price, salt = sealed[0]
    with pytest.raises(RevealMismatch):
        tenders.reveal_bid(
            session,
            tid,
            bid_id,
            BidReveal(price="1.00", salt=salt.hex()),
            principal=BIDDER_A,
            clock=moving,
        )
    with pytest.raises(PermissionDenied):
        tenders.reveal_bid(
            session,
            tid,
            bid_id,
            BidReveal(price="120.00", salt=salt.hex()),
            principal=BIDDER_B,
            clock=moving,
        )
    tenders.reveal_bid(
        session,
        tid,
        bid_id,
        BidReveal(price="120.00", salt=salt.hex()),
        principal=BIDDER_A,
        clock=moving,
    )
    with pytest.raises(WrongState, match="still be revealed"):
        tenders.evaluate(session, tid, Evaluation(), principal=SH_STEWARD, clock=moving)
    moving.advance(DAY)
    with pytest.raises(DeadlinePassed):
        tenders.reveal_bid(
            session,
            tid,
            sealed[1][0],
            BidReveal(price="99.50", salt=sealed[1][2].hex()),
            principal=BIDDER_B,
            clock=moving,
        )
    result = tenders.evaluate(session, tid, Evaluation(), principal=SH_STEWARD, clock=moving)
    assert result.status is TenderStatus.FAILED
    assert result.failure_reason == "fewer_than_3_valid_bids"
    statuses = sorted(b.status for b in result.bid_list)
    assert statuses == [BidStatus.VALID, BidStatus.WITHDRAWN, BidStatus.WITHDRAWN]


def test_weighted_scoring_needs_technical_scores(session: Session, moving: MovableClock) -> None:
    tid = _publish(session, moving, method="weighted", price_weight=0.3)
    sealed = _seal(session, moving, tid)
    moving.advance(20 * DAY)
    tenders.open_tender(session, tid, principal=SH_STEWARD, clock=moving)
    for (bid_id, price, salt), (who, _, _) in zip(sealed, BIDDERS, strict=True):
        tenders.reveal_bid(
            session,
            tid,
            bid_id,
            BidReveal(price=price, salt=salt.hex()),
            principal=who,
            clock=moving,
        )
    with pytest.raises(Exception, match="technical score"):
        tenders.evaluate(session, tid, Evaluation(), principal=SH_STEWARD, clock=moving)
    scores = {sealed[0][0]: 98.0, sealed[1][0]: 60.0, sealed[2][0]: 70.0}
    result = tenders.evaluate(
        session, tid, Evaluation(technical_scores=scores), principal=SH_STEWARD, clock=moving
    )
    winner = next(b for b in result.bid_list if b.rank == 1)
    assert winner.bidder == "91310000A"  # dearest, but the best technical score at weight 0.7


def test_only_the_buyer_moves_the_tender_and_wrong_transitions_are_refused(
    session: Session, moving: MovableClock
) -> None:
    tid = _publish(session, moving)
    with pytest.raises(PermissionDenied):
        tenders.cancel(session, tid, principal=SH_VIEWER, clock=moving)
    with pytest.raises(WrongState, match="cannot award"):
        tenders.award(session, tid, principal=SH_STEWARD, clock=moving)
    tenders.cancel(session, tid, principal=SH_STEWARD, clock=moving)
    with pytest.raises(WrongState):
        _seal(session, moving, tid, n=1)
