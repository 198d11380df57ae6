"""The gateway benchmark's measurement, run tiny: structure and correctness only, never timings."""

from __future__ import annotations

import json
import sys

import pytest

from bench import exchange


@pytest.fixture(scope="module")
def result() -> exchange.BenchResult:
    """One small end-to-end run: a uvicorn child on loopback, 30 exchanges each way."""
    return exchange.measure(requests=30, concurrency=2, rounds=1, warmup=4, workers=1)


def test_every_fabric_answer_is_200_and_verifies(result: exchange.BenchResult) -> None:
    assert result.fabric_statuses == {200: result.fabric_requests}
    assert result.direct_statuses == {200: result.direct_requests}
    assert 0 < result.fabric_requests <= 30
    assert result.unverified_answers == 0


def test_result_has_the_figures_the_json_prints(result: exchange.BenchResult) -> None:
    assert result.fabric_rps > 0
    assert result.direct_rps > 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.overhead_p50_ms == pytest.approx(result.p50_ms - result.direct_p50_ms)
    assert result.fabric_client_cpu_ms >= 0
    assert result.direct_client_cpu_ms >= 0
    if sys.platform == "linux":  # server CPU comes from /proc
        assert result.fabric_server_cpu_ms > 0
        assert result.direct_server_cpu_ms > 0
    assert "fabric" in exchange.render(result)


def test_json_output_has_exactly_the_brief_keys(
    result: exchange.BenchResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command line around the module's measured run: a second end-to-end run would only
    # repeat the fixture's 40 s of setup.
    asked: dict[str, object] = {}

    def measured(**kwargs: object) -> exchange.BenchResult:
        asked.update(kwargs)
        return result

    monkeypatch.setattr(exchange, "measure", measured)
    lines: list[str] = []
    code = exchange.main(
        ["--requests", "10", "--concurrency", "1", "--rounds", "1", "--workers", "1", "--json"],
        out=lines.append,
    )
    assert code == 0
    assert asked["requests"] == 10
    assert asked["concurrency"] == 1
    data = json.loads(lines[0])
    assert set(data) == {"fabric_rps", "direct_rps", "p50_ms", "p99_ms", "overhead_p50_ms"}
    assert data["p50_ms"] == round(result.p50_ms, 3)
