"""The checkpoint audit benchmark runs small and counts what it claims to."""

from __future__ import annotations

from bench import healthcode_checkpoint


def test_a_tiny_run_appends_one_entry_per_check_or_one_in_all() -> None:
    result = healthcode_checkpoint.measure(count=4, rounds=1)
    assert result.entries_per_check == 4
    assert result.entries_batched == 1
    assert result.per_check_ms > 0
    assert result.batched_ms > 0
    assert "ledger_ms_saved" in healthcode_checkpoint.render(result)
