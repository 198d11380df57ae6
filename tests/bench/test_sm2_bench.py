"""The SM2 benchmark's measurement, run tiny: structure only, never timings."""

from __future__ import annotations

import json

from bench import sm2

BRIEF_KEYS = {
    "es256_sign_per_s",
    "es256_verify_per_s",
    "sm2_sign_per_s",
    "sm2_verify_per_s",
    "sm2_library",
    "ratio_sign",
    "ratio_verify",
}


def test_sm2_bench_json_has_exactly_the_brief_keys() -> None:
    lines: list[str] = []
    assert sm2.main(["--seconds", "0.01", "--rounds", "1", "--json"], out=lines.append) == 0
    data = json.loads(lines[0])
    assert set(data) == BRIEF_KEYS
    assert data["sm2_library"].startswith("tongsuopy ")
    assert all(data[k] > 0 for k in BRIEF_KEYS - {"sm2_library"})
    assert data["ratio_sign"] == data["sm2_sign_per_s"] / data["es256_sign_per_s"]


def test_sm2_bench_table() -> None:
    lines: list[str] = []
    assert sm2.main(["--seconds", "0.01", "--rounds", "1"], out=lines.append) == 0
    assert [line.split()[0] for line in lines[2:]] == ["sign", "verify"]
