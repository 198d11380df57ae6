"""The API benchmark's measurement, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from bench import api


@pytest.fixture(scope="module")
def result() -> api.BenchResult:
    """One small end-to-end run: two uvicorn children on loopback, 50 requests each."""
    return api.measure(requests=50, concurrency=2, rounds=2, warmup=5)


def test_both_servers_answer_200_with_the_same_body(result: api.BenchResult) -> None:
    assert result.body_bytes > 0
    for server in (result.dyrd, result.bare):
        assert server.planned == 50
        assert 0 < server.requests <= server.planned
        assert server.statuses == {200: server.requests}
        assert server.body_mismatches == 0


def test_result_has_figures_and_ratios_for_both(result: api.BenchResult) -> None:
    data = json.loads(json.dumps(asdict(result)))
    assert data["path"] == "/api/v1/region/cities"
    assert {"rps_ratio", "p50_ratio", "p99_ratio", "uvicorn", "dyrd", "bare"} <= data.keys()
    for name in ("dyrd", "bare"):
        server = data[name]
        assert server["name"] == name
        assert server["rps"] > 0
        assert 0 < server["p50_ms"] <= server["p99_ms"]
    assert result.rps_ratio == pytest.approx(result.dyrd.rps / result.bare.rps, rel=1e-2)


def test_table_names_both_servers_and_the_ratio_row(result: api.BenchResult) -> None:
    table = api.render(result)
    for label in ("bare Starlette", "dyrd", "dyrd / bare", "rps", "p50 ms", "p99 ms"):
        assert label in table


def test_command_line_refuses_a_zero_request_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        api.main(["--requests", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err
