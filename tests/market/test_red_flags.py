"""Red flags against every Cardinal fixture of each implemented indicator (exact agreement)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from dyrd.market.compute.red_flags import (
    FLAG_INFO,
    Flag,
    FlagSettings,
    Results,
    quartiles,
    red_flags,
)

FIXTURES = Path(__file__).resolve().parents[1] / "external" / "ocds" / "cardinal-fixtures"
IMPLEMENTED = {f.value for f in Flag}
# The fixture runs of Cardinal's own test suite use these two settings for every indicator.
BASE = {
    "no_price_comparison_procurement_methods": frozenset({"NPC"}),
    "excluded_procurement_method_details": frozenset({"EXC"}),
}


def _settings(stem: str) -> FlagSettings:
    """Decode the settings from the fixture file name (see the fixtures' README)."""
    parts = stem.split("-")
    options: dict[str, Any] = dict(BASE)
    if len(parts) > 1:
        name, rest = parts[1], parts[2:]
        if name == "threshold":
            options["r003_threshold_days"] = int(rest[0])
        elif name == "procurement_method_details":
            options["r003_details_thresholds"] = {
                rest[i]: int(rest[i + 1]) for i in range(0, len(rest), 2)
            }
        elif name == "procurement_methods":
            options["r003_procurement_methods"] = frozenset(rest[0].split("+"))
        else:
            raise AssertionError(f"unknown fixture setting {name}")
    return FlagSettings(**options)


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.jsonl") if p.stem.split("-")[0] in IMPLEMENTED)


def _close(ours: Results, expected: Results) -> bool:
    if {g: set(v) for g, v in ours.items()} != {g: set(v) for g, v in expected.items()}:
        return False
    return all(
        ours[g][k].keys() == expected[g][k].keys()
        and all(math.isclose(ours[g][k][c], expected[g][k][c], abs_tol=1e-9) for c in ours[g][k])
        for g in expected
        for k in expected[g]
    )


@pytest.mark.parametrize("path", _cases(), ids=lambda p: p.stem)
def test_agrees_with_cardinal_fixture(path: Path) -> None:
    releases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    expected: Results = json.loads(path.with_suffix(".expected").read_text("utf-8"))
    flag = Flag(path.stem.split("-")[0])
    ours = red_flags(releases, _settings(path.stem), flags=[flag])
    lines = {k for g in expected.values() for k in g}
    hit = {k for g in ours.values() for k in g}
    print(
        f"{path.stem}: {len(releases)} processes, expected {len(lines)} flagged ids, got {len(hit)}"
    )
    assert _close(ours, expected), (ours, expected)


def test_every_fixture_of_the_required_indicators_is_covered() -> None:
    stems = {p.stem.split("-")[0] for p in _cases()}
    assert {"R018", "R024", "R028", "R036", "R058"} <= stems


def test_every_flag_is_explained_in_both_languages() -> None:
    for flag in Flag:
        info = FLAG_INFO[flag]
        assert info.title
        assert info.explanation
        assert any("\u4e00" <= ch <= "\u9fff" for ch in info.title_zh + info.explanation_zh)


def test_quartiles_are_hyndman_fan_type_8() -> None:
    # Type 8 on 1..5: h = (n + 1/3)p + 1/3 = 1.6667 at p = 0.25 -> 1 + 0.6667 = 1.6667.
    q1, q3 = quartiles([1.0, 2.0, 3.0, 4.0, 5.0])
    assert q1 == pytest.approx(5 / 3)
    assert q3 == pytest.approx(13 / 3)


def test_a_fixed_r024_threshold_replaces_the_fence() -> None:
    release = {
        "ocid": "x",
        "bids": {
            "details": [
                {
                    "status": "valid",
                    "tenderers": [{"id": "W"}],
                    "value": {"amount": 100, "currency": "CNY"},
                },
                {
                    "status": "valid",
                    "tenderers": [{"id": "L"}],
                    "value": {"amount": 101, "currency": "CNY"},
                },
            ]
        },
        "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
    }
    flagged = red_flags([release], FlagSettings(r024_threshold=0.02), flags=[Flag.R024])
    assert flagged["OCID"]["x"]["R024"] == pytest.approx(0.01)
    assert red_flags([release], FlagSettings(r024_threshold=0.005), flags=[Flag.R024]) == {}
