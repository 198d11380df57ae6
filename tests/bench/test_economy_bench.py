"""The economy benchmark run tiny: it agrees with its baseline and prints its figures."""

from __future__ import annotations

import json

from bench import economy


def test_tiny_run_agrees_and_reports_ratios() -> None:
    result = economy.measure(units=300, indicators=5, groups=4, rounds=1)
    assert result.topsis_dyrd_s > 0
    assert result.theil_numpy_s > 0
    assert result.topsis_ratio == result.topsis_dyrd_s / result.topsis_numpy_s
    assert "TOPSIS" in economy.render(result)


def test_json_output() -> None:
    lines: list[str] = []
    code = economy.main(
        ["--units", "200", "--indicators", "4", "--rounds", "1", "--json"], lines.append
    )
    assert code == 0
    data = json.loads(lines[0])
    assert {"topsis_ratio", "theil_ratio", "units"} <= set(data)
