"""The epidemic benchmark run tiny: it prints the five figures, epydemix null when absent."""

from __future__ import annotations

import json

from bench import epidemic


def test_json_output_has_the_issue_keys() -> None:
    lines: list[str] = []
    code = epidemic.main(
        [
            "--json",
            "--members-41",
            "5",
            "--members-375",
            "3",
            "--days",
            "5",
            "--cal-members",
            "10",
            "--cal-iterations",
            "1",
            "--cal-scheme",
            "euler",
        ],
        lines.append,
    )
    assert code == 0
    data = json.loads(lines[0])
    assert set(data) == {
        "dyrd_41x100_s",
        "epydemix_41x100_s",
        "ratio",
        "dyrd_375x300_s",
        "calibration_s",
    }
    assert data["dyrd_41x100_s"] > 0
    assert data["calibration_s"] > 0
    if data["epydemix_41x100_s"] is None:
        assert data["ratio"] is None
    assert "IF-EAKF" in epidemic.render(epidemic.Result(**data))
