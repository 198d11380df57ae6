"""E-tendering use cases: the lifecycle of ``compute.tender_rules`` with sealed bids.

Every step (publish, question, answer, sealed bid, opening with the commitments root, reveal,
evaluation, award, contract, cancellation, re-tender) is appended to the audit ledger in the same
transaction as the change. The buyer's steps need the ``data_steward`` role in the buyer member;
bidders need any role (an authenticated platform user bids for a bidder id, e.g. a USCC).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import PermissionDenied
from dyrd.core.types import Role
from dyrd.market.compute import sealed_bid as sb
from dyrd.market.compute import tender_rules as tr
from dyrd.market.errors import (
    BidRejected,
    MarketNotFound,
    RevealMismatch,
    StatutoryRuleViolated,
    WrongState,
)
from dyrd.market.models import Bid, Clarification, Tender
from dyrd.market.repository import MarketRepository
from dyrd.market.schemas import (
    BidCommit,
    BidRead,
    BidReveal,
    ClarificationAnswer,
    ClarificationCreate,
    ClarificationRead,
    Evaluation,
    RetenderCreate,
    TenderContractCreate,
    TenderCreate,
    TenderDetail,
    TenderRead,
)
from dyrd.market.service import contracts
from dyrd.market.service._common import invalid, log, require_member, rule_error
from dyrd.market.types import AwardMethod, BidStatus, TenderAction, TenderStatus

BUYER_ROLE = Role.DATA_STEWARD
KIND = "market.tender."


# --- reads --------------------------------------------------------------------------------------


def _times(row: Tender) -> tr.TenderClock:
    return tr.TenderClock(row.published_at, row.deadline, row.reveal_until)


def allowed_actions(row: Tender, now: datetime) -> list[str]:
    """The actions the state machine and the clock allow now (what the pages offer)."""
    state = TenderStatus(row.status)
    out = []
    for (s, action), _ in tr.TRANSITIONS.items():
        if s is not state or tr.time_problem(action, now, _times(row)) is not None:
            continue
        if action is TenderAction.AWARD and tr.publicity_problem(row.evaluated_at or now, now):
            continue
        out.append(action.value)
    return out


def _bid_read(row: Bid) -> BidRead:
    return BidRead(
        id=row.id,
        tender_id=row.tender_id,
        bidder=row.bidder,
        bidder_name=row.bidder_name,
        commitment=row.commitment,
        status=BidStatus(row.status),
        deposit_paid=row.deposit_paid,
        committed_at=row.created_at,
        price=row.price,
        revealed_at=row.revealed_at,
        technical_score=row.technical_score,
        score=row.score,
        rank=row.rank,
    )


def _tender_fields(repo: MarketRepository, row: Tender, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "buyer": row.buyer,
        "status": TenderStatus(row.status),
        "method": AwardMethod(row.method),
        "price_weight": row.price_weight,
        "currency": row.currency,
        "estimated_value": row.estimated_value,
        "deposit": row.deposit,
        "must_tender": row.must_tender,
        "published_at": row.published_at,
        "deadline": row.deadline,
        "reveal_until": row.reveal_until,
        "round": row.round,
        "previous_id": row.previous_id,
        "next_id": row.next_id,
        "failure_reason": row.failure_reason,
        "award_bid_id": row.award_bid_id,
        "contract_id": row.contract_id,
        "commitments_root": row.commitments_root,
        "bids": repo.bid_count(row.id),
        "allowed_actions": allowed_actions(row, now),
    }


def _clar_read(row: Clarification) -> ClarificationRead:
    return ClarificationRead(
        id=row.id,
        tender_id=row.tender_id,
        question=row.question,
        answer=row.answer,
        asked_at=row.created_at,
        answered_at=row.answered_at,
    )


def tender_or_404(repo: MarketRepository, tender_id: str, *, lock: bool = False) -> Tender:
    row = repo.tender(tender_id, lock=lock)
    if row is None:
        raise MarketNotFound(
            f"No tender {tender_id!r}.",
            f"未找到招标项目 {tender_id}。",
            hint="List tenders with GET /api/v1/market/tenders.",
        )
    return row


def tender_read(session: Session, row: Tender, *, clock: Clock) -> TenderRead:
    """The API form of a tender."""
    return TenderRead(**_tender_fields(MarketRepository(session), row, clock()))


def get_tender(session: Session, tender_id: str, *, clock: Clock) -> TenderDetail:
    """A tender with its bids (prices hidden until revealed) and clarifications."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id)
    return TenderDetail(
        **_tender_fields(repo, row, clock()),
        bid_list=[_bid_read(b) for b in repo.bids(row.id)],
        clarifications=[_clar_read(c) for c in repo.clarifications(row.id)],
    )


def list_tenders(
    session: Session, *, clock: Clock, status: TenderStatus | None = None, limit: int = 100
) -> list[TenderRead]:
    """Tenders, newest first."""
    repo = MarketRepository(session)
    now = clock()
    return [
        TenderRead(**_tender_fields(repo, r, now))
        for r in repo.tenders(None if status is None else status.value, limit)
    ]


# --- transitions --------------------------------------------------------------------------------


def _move(row: Tender, action: TenderAction, now: datetime) -> TenderStatus:
    """Check the state machine and the time gate; return the target state."""
    try:
        target = tr.next_state(TenderStatus(row.status), action)
    except tr.RuleBroken as exc:
        raise WrongState(exc.message, exc.message_zh) from None
    problem = tr.time_problem(action, now, _times(row))
    if problem is not None:
        raise rule_error(problem.kind, problem.message, problem.message_zh)
    return target


def _buyer(principal: Principal, row: Tender) -> Actor:
    return principal.acting_for(BUYER_ROLE, row.buyer)


def _new_tender(
    body: TenderCreate | Tender,
    *,
    actor: Actor,
    now: datetime,
    deadline: datetime,
    reveal_hours: int,
    round_: int = 1,
    previous_id: str | None = None,
) -> Tender:
    problem = tr.notice_problem(now, deadline, must_tender=body.must_tender)
    if problem is not None:
        raise StatutoryRuleViolated(problem.message, problem.message_zh)
    method = AwardMethod(body.method)
    if method is AwardMethod.WEIGHTED and body.price_weight is None:
        raise invalid(
            "price_weight",
            "Weighted scoring needs a price weight between 0 and 1.",
            "综合评分法须给出 0 至 1 之间的价格权重。",
        )
    return Tender(
        id=str(uuid.uuid4()),
        title=body.title,
        description=body.description,
        buyer=body.buyer,
        status=TenderStatus.PUBLISHED.value,
        method=method.value,
        price_weight=body.price_weight if method is AwardMethod.WEIGHTED else None,
        currency=body.currency,
        estimated_value=body.estimated_value,
        deposit=body.deposit,
        must_tender=body.must_tender,
        published_at=now,
        deadline=deadline,
        reveal_until=deadline + timedelta(hours=reveal_hours),
        round=round_,
        previous_id=previous_id,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )


def _published_payload(row: Tender) -> dict[str, Any]:
    return {
        "title": row.title,
        "buyer": row.buyer,
        "method": row.method,
        "deposit": str(row.deposit),
        "deadline": row.deadline.isoformat(),
        "reveal_until": row.reveal_until.isoformat(),
        "round": row.round,
        "previous_id": row.previous_id,
    }


def publish_tender(
    session: Session, body: TenderCreate, *, principal: Principal, clock: Clock
) -> TenderRead:
    """Publish the notice; the deadline respects the 20-day minimum (Art. 24, to verify)."""
    require_member(session, body.buyer, "buyer")
    actor = principal.acting_for(BUYER_ROLE, body.buyer)
    now = clock()
    row = _new_tender(
        body, actor=actor, now=now, deadline=body.deadline, reveal_hours=body.reveal_hours
    )
    MarketRepository(session).add(row)
    log(
        session,
        kind=KIND + "published",
        subject=row.id,
        actor=actor,
        payload=_published_payload(row),
        clock=clock,
    )
    session.commit()
    return tender_read(session, row, clock=clock)


def ask(
    session: Session,
    tender_id: str,
    body: ClarificationCreate,
    *,
    principal: Principal,
    clock: Clock,
) -> ClarificationRead:
    """A question on the tender documents, before the deadline."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id)
    actor = principal.acting_for(Role.VIEWER)
    now = clock()
    _move(row, TenderAction.ASK, now)
    item = Clarification(
        tender_id=row.id,
        question=body.question,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add(item)
    log(
        session,
        kind=KIND + "asked",
        subject=row.id,
        actor=actor,
        payload={"clarification": item.id},
        clock=clock,
    )
    session.commit()
    return _clar_read(item)


def answer(
    session: Session,
    tender_id: str,
    clarification_id: int,
    body: ClarificationAnswer,
    *,
    principal: Principal,
    clock: Clock,
) -> ClarificationRead:
    """The buyer's answer, published to all, before the deadline."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id)
    actor = _buyer(principal, row)
    now = clock()
    _move(row, TenderAction.ANSWER, now)
    item = repo.clarification(clarification_id)
    if item is None or item.tender_id != row.id:
        raise MarketNotFound(
            f"No question {clarification_id} on tender {tender_id}.",
            f"该招标项目没有编号为 {clarification_id} 的提问。",
        )
    item.answer, item.answered_by, item.answered_at = body.answer, actor.user, now
    log(
        session,
        kind=KIND + "answered",
        subject=row.id,
        actor=actor,
        payload={"clarification": item.id},
        clock=clock,
    )
    session.commit()
    return _clar_read(item)


def submit_bid(
    session: Session, tender_id: str, body: BidCommit, *, principal: Principal, clock: Clock
) -> BidRead:
    """A sealed bid: the commitment only, before the deadline; late bids are refused."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = principal.acting_for(Role.VIEWER)
    now = clock()
    _move(row, TenderAction.SUBMIT_BID, now)
    problem = tr.deposit_problem(row.deposit, body.deposit_paid, body.deposit_ref)
    if problem is not None:
        raise BidRejected(problem.message, problem.message_zh)
    if repo.bid_of(row.id, body.bidder) is not None:
        raise BidRejected(
            f"{body.bidder} has already bid in this tender; a sealed bid cannot be replaced.",
            f"{body.bidder} 已投标，密封投标不可替换。",
        )
    bid = Bid(
        id=str(uuid.uuid4()),
        tender_id=row.id,
        bidder=body.bidder,
        bidder_name=body.bidder_name,
        commitment=body.commitment,
        deposit_paid=body.deposit_paid,
        deposit_ref=body.deposit_ref,
        status=BidStatus.PENDING.value,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add(bid)
    bid.ledger_seq = log(
        session,
        kind=KIND + "bid_sealed",
        subject=row.id,
        actor=actor,
        payload={
            "bid": bid.id,
            "bidder": bid.bidder,
            "commitment": bid.commitment,
            "deposit_paid": str(bid.deposit_paid),
        },
        clock=clock,
    )
    session.commit()
    return _bid_read(bid)


def _fail(session: Session, row: Tender, reason: str, actor: Actor, clock: Clock) -> None:
    row.status, row.failure_reason = TenderStatus.FAILED.value, reason
    log(
        session,
        kind=KIND + "failed",
        subject=row.id,
        actor=actor,
        payload={"reason": reason, "round": row.round},
        clock=clock,
    )


def open_tender(
    session: Session, tender_id: str, *, principal: Principal, clock: Clock
) -> TenderRead:
    """Open at the deadline: lock the commitments (root to the ledger), or fail with < 3 bids."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    now = clock()
    _move(row, TenderAction.OPEN, now)
    bids = repo.bids(row.id)
    if tr.opening_outcome(len(bids)) is TenderAction.FAIL:
        _fail(session, row, "fewer_than_3_bidders", actor, clock)
    else:
        row.status, row.opened_at = TenderStatus.OPENED.value, now
        row.commitments_root = sb.commitments_root(row.id, [(b.bidder, b.commitment) for b in bids])
        log(
            session,
            kind=KIND + "opened",
            subject=row.id,
            actor=actor,
            payload={
                "commitments_root": row.commitments_root,
                "bids": len(bids),
                "commitments": {b.bidder: b.commitment for b in bids},
            },
            clock=clock,
        )
    session.commit()
    return tender_read(session, row, clock=clock)


def reveal_bid(
    session: Session,
    tender_id: str,
    bid_id: str,
    body: BidReveal,
    *,
    principal: Principal,
    clock: Clock,
) -> BidRead:
    """Reveal (price, salt) after the opening; refused unless it reproduces the commitment."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id)
    now = clock()
    _move(row, TenderAction.REVEAL, now)
    bid = repo.bid(bid_id)
    if bid is None or bid.tender_id != row.id:
        raise MarketNotFound(f"No bid {bid_id} in tender {tender_id}.", "该招标项目没有此投标。")
    if principal.user != bid.created_by:
        raise PermissionDenied(
            "Only the user who sealed the bid may reveal it.", "只有提交密封投标的用户可以揭示。"
        )
    actor = Actor(principal.user, bid.created_for)
    if bid.status != BidStatus.PENDING.value:
        raise WrongState(
            f"Bid {bid_id} is already {bid.status}.", f"该投标已处于 {bid.status} 状态。"
        )
    try:
        price = sb.parse_price(body.price)
        salt = sb.parse_salt(body.salt)
    except ValueError as exc:
        raise invalid(
            "price" if "amount" in str(exc) or "decimal" in str(exc) else "salt",
            str(exc),
            "报价或随机数格式无效。",
        ) from None
    if not sb.reveal_matches(bid.commitment, row.id, bid.bidder, price, salt):
        raise RevealMismatch(
            "The price and salt do not reproduce the sealed commitment; the reveal is refused.",
            "报价与随机数无法还原密封承诺值，拒绝揭示。",
            hint="Send exactly the price text and salt used to compute the commitment.",
        )
    bid.price, bid.salt, bid.revealed_at = price, salt.hex(), now
    bid.status = BidStatus.VALID.value
    log(
        session,
        kind=KIND + "bid_revealed",
        subject=row.id,
        actor=actor,
        payload={
            "bid": bid.id,
            "bidder": bid.bidder,
            "price": sb.canonical_price(price),
            "salt": bid.salt,
        },
        clock=clock,
    )
    session.commit()
    return _bid_read(bid)


def evaluate(
    session: Session, tender_id: str, body: Evaluation, *, principal: Principal, clock: Clock
) -> TenderDetail:
    """Rank the revealed bids (unrevealed ones are withdrawn); fail with < 3 valid bids."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    now = clock()
    _move(row, TenderAction.EVALUATE, now)
    bids = repo.bids(row.id)
    pending = [b for b in bids if b.status == BidStatus.PENDING.value]
    if not tr.evaluation_ready(now, _times(row), pending=len(pending)):
        raise WrongState(
            f"{len(pending)} bids may still be revealed until {row.reveal_until.isoformat()}.",
            f"仍有 {len(pending)} 份投标可在 {row.reveal_until.isoformat()} 前揭示。",
        )
    for b in pending:
        b.status = BidStatus.WITHDRAWN.value
    valid = [b for b in bids if b.status == BidStatus.VALID.value]
    if tr.evaluation_outcome(len(valid)) is TenderAction.FAIL:
        _fail(session, row, "fewer_than_3_valid_bids", actor, clock)
        session.commit()
        return get_tender(session, row.id, clock=clock)
    method = AwardMethod(row.method)
    unknown = set(body.technical_scores) - {b.id for b in valid}
    if unknown:
        raise invalid(
            "technical_scores",
            "Scores for bids that are not valid in this tender.",
            "评分对象不是本项目的有效投标。",
            ", ".join(sorted(unknown)),
        )
    revealed = [
        tr.RevealedBid(
            b.id,
            b.bidder,
            b.price or Decimal(0),
            b.revealed_at or now,
            body.technical_scores.get(b.id),
        )
        for b in valid
    ]
    try:
        ranked = tr.rank_bids(revealed, method, price_weight=row.price_weight)
    except ValueError as exc:
        raise invalid(
            "technical_scores", str(exc), "综合评分法须为每份有效投标给出 0-100 的技术分。"
        ) from None
    by_id = {b.id: b for b in valid}
    for r in ranked:
        by_id[r.bid_id].score, by_id[r.bid_id].rank = r.score, r.rank
        by_id[r.bid_id].technical_score = body.technical_scores.get(r.bid_id)
    row.status, row.evaluated_at = TenderStatus.EVALUATED.value, now
    log(
        session,
        kind=KIND + "evaluated",
        subject=row.id,
        actor=actor,
        payload={
            "method": row.method,
            "ranking": [[r.bid_id, str(r.score), r.rank] for r in ranked],
            "withdrawn": [b.id for b in pending],
        },
        clock=clock,
    )
    session.commit()
    return get_tender(session, row.id, clock=clock)


def award(session: Session, tender_id: str, *, principal: Principal, clock: Clock) -> TenderRead:
    """Award the first-ranked bid."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    now = clock()
    target = _move(row, TenderAction.AWARD, now)
    problem = tr.publicity_problem(row.evaluated_at or now, now)
    if problem is not None:
        raise WrongState(problem.message, problem.message_zh)
    row.status = target.value
    winner = next(b for b in repo.bids(row.id) if b.rank == 1)
    row.award_bid_id, row.awarded_at = winner.id, now
    log(
        session,
        kind=KIND + "awarded",
        subject=row.id,
        actor=actor,
        payload={"bid": winner.id, "bidder": winner.bidder, "price": str(winner.price)},
        clock=clock,
    )
    session.commit()
    return tender_read(session, row, clock=clock)


def attach_contract(
    session: Session,
    tender_id: str,
    body: TenderContractCreate,
    *,
    principal: Principal,
    clock: Clock,
) -> TenderRead:
    """Create the e-contract with the winner (text); the parties then sign it as e-contracts."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    target = _move(row, TenderAction.CONTRACT, clock())
    parties = [row.buyer]
    if body.winner_member is not None and body.winner_member != row.buyer:
        parties.append(body.winner_member)
    contract = contracts.add_contract(
        session,
        title=body.title,
        media_type="text/plain",
        document=body.text.encode(),
        parties=parties,
        principal=principal,
        clock=clock,
        tender_id=row.id,
    )
    row.status, row.contract_id = target.value, contract.id
    log(
        session,
        kind=KIND + "contracted",
        subject=row.id,
        actor=actor,
        payload={"contract": contract.id, "sha256": contract.sha256},
        clock=clock,
    )
    session.commit()
    return tender_read(session, row, clock=clock)


def cancel(session: Session, tender_id: str, *, principal: Principal, clock: Clock) -> TenderRead:
    """Cancel a tender before an award."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    row.status = _move(row, TenderAction.CANCEL, clock()).value
    log(session, kind=KIND + "cancelled", subject=row.id, actor=actor, payload={}, clock=clock)
    session.commit()
    return tender_read(session, row, clock=clock)


def retender(
    session: Session, tender_id: str, body: RetenderCreate, *, principal: Principal, clock: Clock
) -> TenderRead:
    """Publish a failed tender again (round + 1); the notice period applies afresh."""
    repo = MarketRepository(session)
    row = tender_or_404(repo, tender_id, lock=True)
    actor = _buyer(principal, row)
    now = clock()
    _move(row, TenderAction.RETENDER, now)
    if row.next_id is not None:
        raise WrongState(
            f"Tender {row.id} was already re-tendered as {row.next_id}.", "该项目已重新招标。"
        )
    new = _new_tender(
        row,
        actor=actor,
        now=now,
        deadline=body.deadline,
        reveal_hours=body.reveal_hours,
        round_=row.round + 1,
        previous_id=row.id,
    )
    repo.add(new)
    row.next_id = new.id
    log(
        session,
        kind=KIND + "published",
        subject=new.id,
        actor=actor,
        payload=_published_payload(new),
        clock=clock,
    )
    session.commit()
    return tender_read(session, new, clock=clock)
