"""Judicial-auction rules: 24-hour minimum, five-minute extension, price floors (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.market.compute import auction as au
from dyrd.market.types import AuctionPhase

START = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
END = START + timedelta(hours=24)
FIVE = timedelta(minutes=5)


def test_the_bidding_period_lasts_at_least_24_hours() -> None:
    assert au.schedule_problems(START, END) == []
    (problem,) = au.schedule_problems(START, END - timedelta(seconds=1))
    assert problem.kind == "duration"


def test_starting_price_floor_and_second_round_cut() -> None:
    assert au.price_problems(Decimal(1000), Decimal(700)) == []
    (low,) = au.price_problems(Decimal(1000), Decimal("699.99"))
    assert low.kind == "starting_price"
    assert au.price_problems(Decimal(1000), Decimal(560), previous_start=Decimal(700)) == []
    (cut,) = au.price_problems(Decimal(1000), Decimal("559.99"), previous_start=Decimal(700))
    assert cut.kind == "round_cut"


def test_a_bid_in_the_last_five_minutes_extends_to_bid_time_plus_five() -> None:
    assert au.extended_end(END, END - timedelta(minutes=10)) == END
    assert au.extended_end(END, END - FIVE) == END  # exactly five minutes before: no change
    bid = END - timedelta(minutes=2)
    assert au.extended_end(END, bid) == bid + FIVE
    with pytest.raises(au.AuctionRuleBroken):
        au.extended_end(END, END)


def test_phase_follows_the_clock_and_the_extended_end() -> None:
    later = END + FIVE
    assert au.phase(START - timedelta(seconds=1), START, later) is AuctionPhase.SCHEDULED
    assert au.phase(END + timedelta(minutes=1), START, later) is AuctionPhase.RUNNING
    assert au.phase(later, START, later) is AuctionPhase.ENDED
    assert au.phase(START, START, later, cancelled=True) is AuctionPhase.CANCELLED


def test_minimum_bid() -> None:
    assert au.minimum_bid(Decimal(700), Decimal(10), None) == Decimal(700)
    assert au.minimum_bid(Decimal(700), Decimal(10), Decimal(750)) == Decimal(760)


offsets = st.lists(st.integers(min_value=0, max_value=24 * 3600 * 1000), min_size=1, max_size=30)


@given(offsets)
@settings(max_examples=100, deadline=None)
def test_the_end_never_moves_earlier_and_late_bids_extend_exactly(millis: list[int]) -> None:
    end = END
    for ms in sorted(millis):
        bid_at = START + timedelta(milliseconds=ms)
        if bid_at >= end:
            with pytest.raises(au.AuctionRuleBroken):
                au.extended_end(end, bid_at)
            continue
        after = au.extended_end(end, bid_at)
        assert after >= end
        if end - bid_at < FIVE:
            assert after == bid_at + FIVE
        else:
            assert after == end
        assert after - bid_at >= FIVE or after == end
        end = after
    assert end >= END


@given(st.lists(st.integers(min_value=1, max_value=299_000), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_replaying_a_run_of_last_minute_bids_equals_the_last_bid_plus_five(gaps: list[int]) -> None:
    times: list[datetime] = []
    end, at = END, END - timedelta(minutes=4)
    for gap in gaps:  # each bid lands before the current end, inside its last five minutes
        times.append(at)
        end = au.extended_end(end, at)
        at = at + timedelta(milliseconds=gap)
    assert au.replay_end(END, times) == times[-1] + FIVE == end


def test_rules_round_trip_through_json() -> None:
    assert au.AuctionRules.from_dict(au.JUDICIAL.as_dict()) == au.JUDICIAL
