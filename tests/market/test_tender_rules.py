"""The tender state machine and the statutory rules (pure)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.market.compute import tender_rules as rules
from dyrd.market.compute.tender_rules import (
    TRANSITIONS,
    RevealedBid,
    RuleBroken,
    TenderClock,
    next_state,
)
from dyrd.market.types import AwardMethod, TenderAction, TenderStatus

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TIMES = TenderClock(
    published_at=T0, deadline=T0 + timedelta(days=20), reveal_until=T0 + timedelta(days=21)
)

ALL_PAIRS = list(itertools.product(TenderStatus, TenderAction))


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_pair_is_either_a_listed_transition_or_refused(
    state: TenderStatus, action: TenderAction
) -> None:
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) is TRANSITIONS[state, action]
    else:
        with pytest.raises(RuleBroken) as info:
            next_state(state, action)
        assert info.value.kind == "state"
        assert state.value in info.value.message


def test_terminal_states_allow_nothing_but_a_retender_of_a_failed_tender() -> None:
    for state in (TenderStatus.CONTRACTED, TenderStatus.CANCELLED):
        assert not [a for (s, a) in TRANSITIONS if s is state]
    assert [a for (s, a) in TRANSITIONS if s is TenderStatus.FAILED] == [TenderAction.RETENDER]


def test_the_happy_path_reaches_contracted() -> None:
    state = TenderStatus.PUBLISHED
    for action in (
        "ask",
        "answer",
        "submit_bid",
        "open",
        "reveal",
        "evaluate",
        "award",
        "contract",
    ):
        state = next_state(state, TenderAction(action))
    assert state is TenderStatus.CONTRACTED


@given(st.lists(st.sampled_from(list(TenderAction)), max_size=12))
@settings(max_examples=60, deadline=None)
def test_no_action_sequence_leaves_the_graph_or_revisits_earlier_stages(
    actions: list[TenderAction],
) -> None:
    order = list(TenderStatus)
    stage = {s: i for i, s in enumerate(order)}
    state = TenderStatus.PUBLISHED
    for action in actions:
        try:
            after = next_state(state, action)
        except RuleBroken:
            continue
        # the lifecycle only moves forward: failed/cancelled are sinks, others advance or stay
        assert stage[after] >= stage[state] or after in (
            TenderStatus.FAILED,
            TenderStatus.CANCELLED,
        )
        state = after


def test_notice_period_of_twenty_days_for_tenders_that_must_be_tendered() -> None:
    assert rules.notice_problem(T0, T0 + timedelta(days=20), must_tender=True) is None
    short = rules.notice_problem(T0, T0 + timedelta(days=19, hours=23), must_tender=True)
    assert short is not None
    assert short.kind == "notice"
    assert "Art. 24" in short.message
    assert rules.notice_problem(T0, T0 + timedelta(days=5), must_tender=False) is None
    assert rules.notice_problem(T0, T0, must_tender=False) is not None


@pytest.mark.parametrize("action", [TenderAction.SUBMIT_BID, TenderAction.ASK, TenderAction.ANSWER])
def test_late_bids_and_questions_are_refused_at_and_after_the_deadline(
    action: TenderAction,
) -> None:
    second = timedelta(seconds=1)
    assert rules.time_problem(action, TIMES.deadline - second, TIMES) is None
    for at in (TIMES.deadline, TIMES.deadline + second):
        problem = rules.time_problem(action, at, TIMES)
        assert problem is not None
        assert problem.kind == "deadline"


def test_opening_happens_at_the_deadline_not_before() -> None:
    early = rules.time_problem(TenderAction.OPEN, TIMES.deadline - timedelta(seconds=1), TIMES)
    assert early is not None
    assert early.kind == "early"
    assert rules.time_problem(TenderAction.OPEN, TIMES.deadline, TIMES) is None


def test_reveals_only_inside_the_reveal_window() -> None:
    reveal = TenderAction.REVEAL
    assert rules.time_problem(reveal, TIMES.deadline - timedelta(seconds=1), TIMES) is not None
    assert rules.time_problem(reveal, TIMES.deadline, TIMES) is None
    late = rules.time_problem(reveal, TIMES.reveal_until, TIMES)
    assert late is not None
    assert late.kind == "deadline"


@pytest.mark.parametrize(
    ("bidders", "expected"), [(0, "fail"), (2, "fail"), (3, "open"), (9, "open")]
)
def test_fewer_than_three_bidders_fail_the_tender(bidders: int, expected: str) -> None:
    assert rules.opening_outcome(bidders) is TenderAction(expected)
    assert rules.evaluation_outcome(bidders) is (
        TenderAction.FAIL if expected == "fail" else TenderAction.EVALUATE
    )


def test_deposit_rule() -> None:
    assert rules.deposit_problem(Decimal(0), Decimal(0), None) is None
    assert rules.deposit_problem(Decimal(1000), Decimal(1000), "BANK-1") is None
    assert rules.deposit_problem(Decimal(1000), Decimal(999), "BANK-1") is not None
    assert rules.deposit_problem(Decimal(1000), Decimal(1000), " ") is not None


def _bid(i: int, price: str, tech: float | None = None) -> RevealedBid:
    return RevealedBid(f"b{i}", f"bidder-{i}", Decimal(price), T0 + timedelta(minutes=i), tech)


def test_lowest_price_ranks_by_price_then_reveal_time() -> None:
    ranked = rules.rank_bids(
        [_bid(1, "120.00"), _bid(2, "100.00"), _bid(3, "100.00")], AwardMethod.LOWEST_PRICE
    )
    assert [(r.bid_id, r.rank) for r in ranked] == [("b2", 1), ("b3", 2), ("b1", 3)]
    assert ranked[0].score == 100.0


def test_weighted_scoring_can_prefer_a_dearer_bid_with_a_better_technical_score() -> None:
    bids = [_bid(1, "100.00", 50.0), _bid(2, "110.00", 95.0), _bid(3, "130.00", 99.0)]
    ranked = rules.rank_bids(bids, AwardMethod.WEIGHTED, price_weight=0.4)
    # b1: 0.4*100 + 0.6*50 = 70; b2: 0.4*100*100/110 + 0.6*95 = 93.36...
    assert ranked[0].bid_id == "b2"
    assert ranked[0].score == pytest.approx(0.4 * 100 * 100 / 110 + 0.6 * 95, abs=1e-4)
    with pytest.raises(ValueError, match="technical score"):
        rules.rank_bids([_bid(1, "1.00")], AwardMethod.WEIGHTED, price_weight=0.5)
    with pytest.raises(ValueError, match="price weight"):
        rules.rank_bids(bids, AwardMethod.WEIGHTED, price_weight=1.5)


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8))
@settings(max_examples=50, deadline=None)
def test_lowest_price_winner_has_the_minimum_price(prices: list[int]) -> None:
    bids = [_bid(i, f"{p / 100:.2f}") for i, p in enumerate(prices)]
    ranked = rules.rank_bids(bids, AwardMethod.LOWEST_PRICE)
    winner = next(b for b in bids if b.bid_id == ranked[0].bid_id)
    assert winner.price == min(b.price for b in bids)
    assert sorted(r.rank for r in ranked) == list(range(1, len(bids) + 1))


def test_award_waits_for_three_days_of_publicity() -> None:
    evaluated = T0 + timedelta(days=21)
    early = rules.publicity_problem(evaluated, evaluated + timedelta(days=3) - timedelta(seconds=1))
    assert early is not None
    assert "Art. 54" in early.message
    assert rules.publicity_problem(evaluated, evaluated + timedelta(days=3)) is None
