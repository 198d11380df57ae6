"""The rank-stability memo: same inputs reuse the draws, changed data never gets stale ones."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.economy import StabilityCache, service
from dyrd.economy.compute.composite import Method
from dyrd.economy.schemas import IndexReport
from dyrd.economy.service.stability import stability_key
from dyrd.economy.types import Aggregation, Direction
from dyrd.region import bundled as region_bundled

ALICE = Actor(user="alice", member="CN-YRD/GOV/320000")


def _stability(report: IndexReport) -> list[tuple[str, object]]:
    return [(c.city_code, c.stability) for c in report.cities]


def test_cache_reuses_draws_and_matches_uncached(session: Session) -> None:
    cache = StabilityCache()
    plain = service.composite_index(session, years=[2019], stability_draws=50, seed=3)
    first = service.composite_index(
        session, years=[2019], stability_draws=50, seed=3, stability_cache=cache
    )
    again = service.composite_index(
        session, years=[2019], stability_draws=50, seed=3, stability_cache=cache
    )
    assert (cache.misses, cache.hits) == (1, 1)
    assert _stability(first) == _stability(plain) == _stability(again)
    # Another seed or draw count is another entry, never the cached one.
    other = service.composite_index(
        session, years=[2019], stability_draws=50, seed=4, stability_cache=cache
    )
    assert cache.misses == 2
    assert _stability(other) == _stability(
        service.composite_index(session, years=[2019], stability_draws=50, seed=4)
    )


def test_changed_data_is_a_new_key(session: Session, clock: Clock) -> None:
    cache = StabilityCache()
    service.composite_index(session, years=[2019], stability_draws=20, stability_cache=cache)
    # A new indicator value (imported nurses figure for one city) changes the index inputs.
    city = region_bundled.read_cities()[0]["code"]
    content = (
        "code,indicator,year,value,unit,source\n"
        f"{city},nurses_per_1000,2019,99.0,per 1000 persons,test table\n"
    ).encode()
    service.import_yearbook(
        session, content=content, filename="t.csv", actor=ALICE, clock=clock, replace=True
    )
    after = service.composite_index(
        session, years=[2019], stability_draws=20, stability_cache=cache
    )
    assert (cache.misses, cache.hits) == (2, 0)
    assert _stability(after) == _stability(
        service.composite_index(session, years=[2019], stability_draws=20)
    )


def test_key_covers_every_input() -> None:
    x = np.arange(12, dtype=np.float64).reshape(1, 4, 3)
    w = np.full((1, 3), 1 / 3)
    args = {
        "values": x,
        "weights": w,
        "directions": [Direction.BENEFIT] * 3,
        "labels": ["a", "b", "c"],
        "units": ["1", "2", "3", "4"],
        "method": Method(),
        "draws": 10,
        "seed": 0,
    }
    base = stability_key(**args)  # type: ignore[arg-type]
    changes: list[dict[str, object]] = [
        {"values": x + 1e-12},
        {"weights": np.array([[0.5, 0.25, 0.25]])},
        {"directions": [Direction.COST, Direction.BENEFIT, Direction.BENEFIT]},
        {"labels": ["a", "c", "b"]},
        {"units": ["1", "2", "4", "3"]},
        {"method": Method(aggregation=Aggregation.LINEAR)},
        {"draws": 11},
        {"seed": 1},
    ]
    for change in changes:
        assert stability_key(**{**args, **change}) != base  # type: ignore[arg-type]


def test_lru_keeps_the_newest_entries() -> None:
    cache = StabilityCache(max_entries=2)
    calls: list[str] = []

    def make(key: str) -> object:
        return lambda: calls.append(key) or []

    for key in ("a", "b", "a", "c", "b"):
        cache.get_or_compute(key, make(key))  # type: ignore[arg-type]
    # "a" was used again before "c" came, so "b" was the one evicted and is drawn again.
    assert calls == ["a", "b", "c", "b"]
