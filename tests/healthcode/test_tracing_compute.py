"""The co-visitor search against a brute-force O(n²) reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.healthcode.compute import tracing

VENUES = ["a", "b", "c"]


def brute_force(
    visits: list[tuple[str, int, int]], scans: list[tuple[str, int, int]], margin: int
) -> list[int]:
    """Every scan overlapping a visit at its venue, by checking every pair."""
    return [
        i
        for i, (venue, start, end) in enumerate(scans)
        if any(
            v == venue and start <= v_end + margin and end >= v_start - margin
            for v, v_start, v_end in visits
        )
    ]


interval = st.tuples(st.sampled_from(VENUES), st.integers(0, 10_000), st.integers(0, 600)).map(
    lambda t: (t[0], t[1], t[1] + t[2])
)


@settings(max_examples=300, deadline=None)
@given(
    visits=st.lists(interval, max_size=8),
    scans=st.lists(interval, max_size=60),
    margin=st.integers(0, 1800),
)
def test_matches_brute_force(
    visits: list[tuple[str, int, int]], scans: list[tuple[str, int, int]], margin: int
) -> None:
    got = tracing.co_visitor_rows(tracing.visits_frame(visits), tracing.scans_frame(scans), margin)
    assert got == brute_force(visits, scans, margin)


@settings(max_examples=100, deadline=None)
@given(visits=st.lists(interval, min_size=1, max_size=5), scans=st.lists(interval, max_size=40))
def test_a_wider_margin_never_finds_fewer(
    visits: list[tuple[str, int, int]], scans: list[tuple[str, int, int]]
) -> None:
    v, s = tracing.visits_frame(visits), tracing.scans_frame(scans)
    assert set(tracing.co_visitor_rows(v, s, 0)) <= set(tracing.co_visitor_rows(v, s, 900))


def test_touching_windows_overlap_and_other_venues_do_not() -> None:
    visits = tracing.visits_frame([("a", 100, 200)])
    scans = tracing.scans_frame([("a", 200, 300), ("a", 201, 300), ("b", 100, 200)])
    assert tracing.co_visitor_rows(visits, scans, 0) == [0]
    assert tracing.co_visitor_rows(visits, scans, 1) == [0, 1]
    pairs = tracing.co_visits(visits, scans, 1)
    assert pairs["overlap"].to_list() == [1, 0]


def test_empty_inputs_and_bad_margin() -> None:
    empty = tracing.visits_frame([])
    scans = tracing.scans_frame([("a", 1, 2)])
    assert tracing.co_visitor_rows(empty, scans, 0) == []
    assert (
        tracing.co_visitor_rows(tracing.visits_frame([("a", 1, 2)]), tracing.scans_frame([]), 0)
        == []
    )
    with pytest.raises(ValueError, match="margin"):
        tracing.co_visits(scans.drop("idx"), scans, -1)


def test_window_uses_the_dwell_when_no_exit_was_scanned() -> None:
    entered = datetime(2020, 2, 1, 2, 0, tzinfo=UTC)
    start, end = tracing.window(entered, None, tracing.DEFAULT_DWELL)
    assert end - start == 3600
    start, end = tracing.window(entered, entered + timedelta(minutes=5), tracing.DEFAULT_DWELL)
    assert end - start == 300
