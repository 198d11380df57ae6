"""Working-day deadlines: weekends, holidays, make-up days, the bundled 2026 calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd import bootstrap
from dyrd.core.config import Settings
from dyrd.exchange import service
from dyrd.exchange.compute.access import AccessPolicy, escalation_member, is_overdue
from dyrd.exchange.compute.workdays import WorkCalendar, end_of_day, local_date

PLAIN = WorkCalendar()


def test_weekends_are_skipped() -> None:
    # Friday 2026-11-27 + 1 working day is Monday 2026-11-30.
    assert PLAIN.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    # A request made on Saturday counts from Monday.
    assert PLAIN.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)
    # Thursday + 10 working days = two weeks later, Thursday.
    assert PLAIN.add_working_days(date(2026, 11, 26), 10) == date(2026, 12, 10)


def test_a_configured_holiday_moves_the_deadline() -> None:
    cal = WorkCalendar(holidays=frozenset({date(2026, 12, 1)}))
    assert cal.add_working_days(date(2026, 11, 26), 10) == date(2026, 12, 11)
    assert not cal.is_working_day(date(2026, 12, 1))


def test_a_make_up_weekend_day_counts() -> None:
    saturday = date(2026, 12, 5)
    cal = WorkCalendar(workdays=frozenset({saturday}))
    assert cal.is_working_day(saturday)
    assert cal.add_working_days(date(2026, 12, 4), 1) == saturday


def test_bundled_2026_calendar_follows_the_state_council_notice() -> None:
    cal = service.bundled_calendar()
    # National Day: 1-7 October off, Saturday 10 October worked (国办 notice of 4 Nov 2025).
    assert not any(cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 10, 10))
    # Spring Festival: Monday 23 February off; Saturday 14 February worked.
    assert not cal.is_working_day(date(2026, 2, 23))
    assert cal.is_working_day(date(2026, 2, 14))
    # Request on Wednesday 30 September: 1st working day is Thursday 8 October.
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_policy_from_settings_adds_configured_days() -> None:
    settings = Settings(
        exchange_answer_working_days=5,
        exchange_holidays=[date(2026, 12, 1)],
        exchange_workdays=[date(2026, 12, 5)],
    )
    policy = bootstrap.exchange_access_policy(settings)
    assert policy.answer_working_days == 5
    assert not policy.calendar.is_working_day(date(2026, 12, 1))
    assert policy.calendar.is_working_day(date(2026, 12, 5))
    assert not policy.calendar.is_working_day(date(2026, 10, 1))  # bundled still applies
    # Thu 26 Nov 16:00 CST: Fri 27, Mon 30, (Tue 1 off), Wed 2, Thu 3, Fri 4 -> 4 December.
    assert policy.due_date(datetime(2026, 11, 26, 8, tzinfo=UTC)) == date(2026, 12, 4)


def test_deadline_uses_china_time() -> None:
    # 2026-11-26 17:00 UTC is already Friday 27 November in China.
    assert local_date(datetime(2026, 11, 26, 17, tzinfo=UTC)) == date(2026, 11, 27)
    policy = AccessPolicy(answer_working_days=1)
    assert policy.due_date(datetime(2026, 11, 26, 15, tzinfo=UTC)) == date(2026, 11, 27)
    assert policy.due_date(datetime(2026, 11, 26, 17, tzinfo=UTC)) == date(2026, 11, 30)


def test_overdue_starts_when_the_due_day_ends_in_china() -> None:
    due = date(2026, 12, 10)
    end = end_of_day(due)
    assert end == datetime(2026, 12, 10, 16, tzinfo=UTC)
    assert not is_overdue("pending", due, end - timedelta(microseconds=1))
    assert is_overdue("pending", due, end)
    assert not is_overdue("granted", due, end + timedelta(days=30))


def test_escalation_goes_to_the_jurisdiction_then_the_region() -> None:
    assert escalation_member("CN-YRD/GOV/330000/DSJ") == "CN-YRD/GOV/330000"
    assert escalation_member("CN-YRD/GOV/330000") == "CN-YRD"


def test_working_day_count_is_bounded() -> None:
    with pytest.raises(ValueError, match="n must be"):
        PLAIN.add_working_days(date(2026, 1, 1), 0)


_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@given(
    start=_days,
    n=st.integers(min_value=1, max_value=40),
    holidays=st.frozensets(_days, max_size=30),
    workdays=st.frozensets(_days, max_size=10),
)
def test_deadline_is_a_working_day_exactly_n_working_days_later(
    start: date, n: int, holidays: frozenset[date], workdays: frozenset[date]
) -> None:
    cal = WorkCalendar(holidays=holidays, workdays=workdays)
    due = cal.add_working_days(start, n)
    assert due > start
    assert cal.is_working_day(due)
    assert cal.working_days_between(start, due) == n
    # ... and it is the first such day: the day before holds one working day fewer.
    assert cal.working_days_between(start, due - timedelta(days=1)) == n - 1
    # At least n calendar days, since each working day is a distinct later date.
    assert (due - start).days >= n
