"""The catalog search benchmark, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

from bench import catalog_search


def test_tiny_run_reports_figures_and_finds_the_queries() -> None:
    result = catalog_search.measure(n=200, rounds=1)
    assert result.entries == 200
    assert result.build > 0
    assert 0 < result.query_median <= result.query_max
    assert result.ratio > 0
    assert set(result.hits) == set(catalog_search.QUERIES)
    assert result.hits["企业 信用"] > 0
