"""The re-evaluation benchmark, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

import json

from bench import healthcode_reeval


def test_tiny_run_reports_every_figure_and_dask_agrees() -> None:
    r = healthcode_reeval.measure(2000, baseline=300, dask=3)
    assert r.residents == 2000
    assert r.baseline_residents == 300
    assert sum(r.colours.values()) == 2000
    assert r.reeval_residents_per_s > 0
    assert r.reeval_peak_mb > 0
    assert r.dask_equal is True
    assert "residents/s" in healthcode_reeval.render(r)
    assert r.parts == 1
    assert r.generate_seconds > 0


def test_sliced_run_gives_the_same_colours() -> None:
    whole = healthcode_reeval.measure(1500, baseline=50)
    sliced = healthcode_reeval.measure(1500, baseline=50, parts=4)
    assert sliced.parts == 4
    assert sliced.colours == whole.colours


def test_json_has_exactly_the_brief_keys() -> None:
    lines: list[str] = []
    assert (
        healthcode_reeval.main(
            ["--residents", "500", "--baseline", "50", "--json"], out=lines.append
        )
        == 0
    )
    assert set(json.loads(lines[0])) == {"reeval_residents_per_s", "reeval_peak_mb", "residents"}
