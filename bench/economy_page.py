"""Economy dashboard page model: every view drawing 200 weight perturbations, against the cache.

A migrated SQLite database in a temporary directory gets the bundled region and economy data;
then the page model (``dyrd.web.economypage.economy_page``) is built ``--views`` times without a
cache (the old behaviour: every view draws), and as many times with one ``StabilityCache`` (the
first view draws, the others reuse). The pages are checked equal before any figure is printed.

    python bench/economy_page.py [--views 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

if not __package__:  # run as `python bench/economy_page.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from dyrd import bootstrap
from dyrd.core.clock import utc_now
from dyrd.core.db import create_db_engine
from dyrd.economy import StabilityCache
from dyrd.economy import service as economy_service
from dyrd.region import service as region_service
from dyrd.web.economypage import EconomyPage, economy_page


@dataclass(frozen=True, slots=True)
class PageBench:
    """Median seconds per page view of each side, the cold (first cached) view, and the ratio."""

    views: int
    uncached_s: float
    cached_first_s: float
    cached_repeat_s: float
    ratio_repeat_over_uncached: float
    cache_hits: int
    cache_misses: int


def _timed(fn: Callable[[], EconomyPage]) -> tuple[float, EconomyPage]:
    start = time.perf_counter()
    page = fn()
    return time.perf_counter() - start, page


def measure(*, views: int = 10) -> PageBench:
    """Build the page ``views`` times each way on a fresh database; check the pages agree."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            bootstrap.upgrade_database(engine)
            with Session(engine) as session:
                region_service.load_bundled(session, clock=utc_now)
                economy_service.load_bundled(session, clock=utc_now)
            cache = StabilityCache()
            plain: list[float] = []
            cached: list[float] = []
            with Session(engine) as session:
                for _ in range(views):
                    dt, base = _timed(lambda: economy_page(session, lang="en"))
                    plain.append(dt)
                    dt, hit = _timed(
                        lambda: economy_page(session, lang="en", stability_cache=cache)
                    )
                    cached.append(dt)
                    if hit.ranks != base.ranks:
                        raise AssertionError("the cached page differs from the uncached one")
        finally:
            engine.dispose()
    repeat = statistics.median(cached[1:]) if views > 1 else cached[0]
    uncached = statistics.median(plain)
    return PageBench(
        views=views,
        uncached_s=uncached,
        cached_first_s=cached[0],
        cached_repeat_s=repeat,
        ratio_repeat_over_uncached=repeat / uncached,
        cache_hits=cache.hits,
        cache_misses=cache.misses,
    )


def render(r: PageBench) -> str:
    """A small table for people."""
    return "\n".join(
        [
            f"economy page model, {r.views} views each way (median s per view)",
            f"{'every view draws 200 perturbations':40}{r.uncached_s:10.4f}",
            f"{'cached: first view (draws)':40}{r.cached_first_s:10.4f}",
            f"{'cached: later views':40}{r.cached_repeat_s:10.4f}",
            f"{'later / uncached':40}{r.ratio_repeat_over_uncached:10.2f}"
            f"   (hits {r.cache_hits}, misses {r.cache_misses})",
        ]
    )


def main(argv: list[str] | None = None, out: Callable[[str], object] = print) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--views", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(views=args.views)
    out(json.dumps(asdict(result)) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
