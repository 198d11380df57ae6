"""City restriction arrays from periods and response levels (pure)."""

from __future__ import annotations

from datetime import date

import numpy as np

from dyrd.supply.compute import restrictions as r

CITIES = ["310000", "320200", "320500", "330100"]
START = date(2020, 1, 24)


def test_periods_cover_cities_and_provinces_and_take_the_stricter() -> None:
    out = r.from_periods(
        CITIES,
        START,
        5,
        [
            ("320000", date(2020, 1, 25), date(2020, 1, 26), 0.4),  # all of Jiangsu
            ("320200", date(2020, 1, 26), date(2020, 2, 10), 0.9),  # Wuxi, past the horizon
            ("330100", date(2019, 12, 1), date(2020, 1, 23), 1.0),  # ends before the start
        ],
    )
    expected = np.array(
        [
            [0, 0, 0, 0],
            [0, 0.4, 0.4, 0],
            [0, 0.9, 0.4, 0],
            [0, 0.9, 0, 0],
            [0, 0.9, 0, 0],
        ]
    )
    np.testing.assert_array_equal(out, expected)


def test_levels_use_the_highest_level_in_force_and_the_share_table() -> None:
    # Shanghai level I from 24 Jan; Jiangsu level I from 25 Jan (response_levels_2020.csv dates).
    lookup = r.level_lookup(
        [
            ("310000", date(2020, 1, 24), date(2020, 3, 23), 1),
            ("320000", date(2020, 1, 25), date(2020, 2, 24), 1),
            ("320000", date(2020, 1, 24), date(2020, 3, 27), 2),
        ]
    )
    assert lookup("310000", START) == 1
    assert lookup("320500", START) == 2
    assert lookup("320500", date(2020, 1, 25)) == 1
    assert lookup("330100", START) is None
    shares = r.from_levels(CITIES, START, 2, lookup, {1: 0.7})
    # Level 2 has no share in the table: it restricts nothing (the table is the author's).
    np.testing.assert_array_equal(shares, [[0.7, 0, 0, 0], [0.7, 0.7, 0.7, 0]])
