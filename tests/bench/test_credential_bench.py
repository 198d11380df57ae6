"""The credential benchmark, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

import json

from bench import credential


def test_measure_gives_positive_rates() -> None:
    """A tiny run verifies its own code and reports every figure."""
    result = credential.measure(count=20, rounds=1)
    assert result.verify_per_s > 0
    assert result.raw_ecdsa_verify_per_s > 0
    assert result.issue_per_s > 0
    assert result.verify_p99_ms > 0
    assert result.ratio == round(result.verify_per_s / result.raw_ecdsa_verify_per_s, 3)
    assert "HC1 verify" in credential.render(result)


def test_json_output_has_exactly_the_brief_keys() -> None:
    """--json prints the seven keys the issue names, re-evaluation included."""
    lines: list[str] = []
    argv = ["--count", "10", "--rounds", "1", "--reeval", "200", "--json"]
    assert credential.main(argv, out=lines.append) == 0
    data = json.loads(lines[0])
    assert set(data) == {
        "verify_per_s",
        "verify_p99_ms",
        "raw_ecdsa_verify_per_s",
        "ratio",
        "issue_per_s",
        "reeval_residents_per_s",
        "reeval_peak_mb",
    }
    assert data["reeval_residents_per_s"] > 0
    assert data["reeval_peak_mb"] > 0


def test_reeval_can_be_skipped() -> None:
    """--reeval 0 leaves the re-evaluation figures null."""
    lines: list[str] = []
    assert (
        credential.main(["--count", "5", "--rounds", "1", "--reeval", "0", "--json"], lines.append)
        == 0
    )
    data = json.loads(lines[0])
    assert data["reeval_residents_per_s"] is None
    assert data["reeval_peak_mb"] is None
