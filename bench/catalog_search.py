"""Catalog search on synthetic entries: index build and query times, against a naive scan.

Run: `uv run --frozen --no-sync python bench/catalog_search.py [N]` (default 5,000 entries).
The baseline is a substring scan over the same texts in the same process, so the ratio is
comparable across machines. The scan only finds literal substrings (no ranking, no facets, no
bigram matching of unspaced Chinese), so a ratio near 1 means ranked search with facets costs
about as much as the crudest possible filter.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dyrd.exchange.compute.catalog import search_doc
from dyrd.exchange.compute.search import Filter, SearchIndex, search
from dyrd.exchange.types import CatalogEntry, ResourceKind, SharingClass, Theme


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ZH = _words(
    "企业 信用 信息 医疗 机构 名录 公共 交通 站点 空气 质量 监测 人口 统计 教育 学校 "
    "社会 保障 税务 登记 不动产 环境 水质 道路 货运 港口 气象 预警 旅游 景区 文化 场馆"
)
EN = _words(
    "enterprise credit information medical institution directory public transport stop air "
    "quality monitoring population statistics education school social security tax register "
    "property environment water road freight port weather warning tourism scenic culture venue"
)
OWNERS = [f"CN-YRD/GOV/{p}0000/D{i}" for p in (31, 32, 33, 34) for i in range(10)]
QUERIES = ["企业 信用", "空气质量", "医疗机构名录", "transport stop", "credit", "信", "港口 货运"]


def synthetic(n: int, rng: random.Random) -> list[CatalogEntry]:
    """``n`` catalog entries with random bilingual titles, descriptions and keywords."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        words = rng.sample(range(len(ZH)), 4)
        owner = rng.choice(OWNERS)
        meta = {
            "title_zh": "".join(ZH[w] for w in words[:3]),
            "title_en": " ".join(EN[w] for w in words[:3]),
            "description_zh": "".join(rng.choice(ZH) for _ in range(30)),
            "description_en": " ".join(rng.choice(EN) for _ in range(30)),
            "sharing_class": rng.choice(list(SharingClass)).value,
            "themes": [rng.choice(list(Theme)).value],
            "keywords": [ZH[words[3]], EN[words[3]]],
            "frequency": "MONTHLY",
            "columns": [],
        }
        stamp = base + timedelta(minutes=i)
        out.append(
            CatalogEntry(
                f"id-{i:05d}",
                f"r-{i:05d}",
                ResourceKind.TABLE,
                owner,
                owner.split("/")[2],
                False,
                1,
                stamp,
                stamp,
                meta,
            )
        )
    return out


def naive(entries: list[CatalogEntry], query: str) -> int:
    """Baseline: entries whose title or description contains every query word."""
    words = query.split()
    hits = 0
    for e in entries:
        text = " ".join(str(e.metadata[k]) for k in ("title_zh", "title_en", "description_zh"))
        hits += all(w in text for w in words)
    return hits


@dataclass(frozen=True, slots=True)
class SearchBench:
    """Figures of one run (seconds)."""

    entries: int
    build: float
    query_median: float
    query_max: float
    naive_median: float
    hits: dict[str, int]

    @property
    def ratio(self) -> float:
        """Median query time over the naive scan's median (below 1: faster than the scan)."""
        return self.query_median / self.naive_median


def measure(n: int = 5000, rounds: int = 5) -> SearchBench:
    """Build the index over ``n`` synthetic entries and time the QUERIES ``rounds`` times."""
    entries = synthetic(n, random.Random(20261126))  # noqa: S311  # synthetic data, not secrets
    t0 = time.perf_counter()
    index = SearchIndex(search_doc(e) for e in entries)
    build = time.perf_counter() - t0
    flt = Filter(include={"jurisdiction": {"330000"}})
    ours, base = [], []
    hits: dict[str, int] = {}
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            result = search(
                index, q, limit=20, facet_fields=("organization", "theme", "sharing_class")
            )
            search(index, q, filters=flt, limit=20)
            ours.append((time.perf_counter() - t) / 2)
            hits[q] = result.total
            t = time.perf_counter()
            naive(entries, q)
            base.append(time.perf_counter() - t)
    return SearchBench(n, build, statistics.median(ours), max(ours), statistics.median(base), hits)


def main() -> None:
    """Print build time, per-query times and the ratio to the naive scan."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    r = measure(n)
    print(f"entries: {r.entries}")
    print(f"index build: {r.build * 1000:.0f} ms")
    print(f"query median: {r.query_median * 1000:.2f} ms (max {r.query_max * 1000:.2f})")
    print(f"naive scan median: {r.naive_median * 1000:.2f} ms")
    print(f"ratio ours/naive: {r.ratio:.2f}")


if __name__ == "__main__":
    main()
