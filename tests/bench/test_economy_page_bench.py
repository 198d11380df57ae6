"""The economy page benchmark run tiny: cached and uncached pages agree, figures are printed."""

from __future__ import annotations

import json

from bench import economy_page


def test_tiny_run_agrees_and_reports_the_ratio() -> None:
    lines: list[str] = []
    assert economy_page.main(["--views", "2", "--json"], lines.append) == 0
    data = json.loads(lines[0])
    assert data["cache_misses"] == 1
    assert data["cache_hits"] == 1
    assert data["ratio_repeat_over_uncached"] == data["cached_repeat_s"] / data["uncached_s"]
    assert "later / uncached" in economy_page.render(economy_page.measure(views=1))
