"""The epidemic benchmark run tiny: it prints the issue's five figures and the curve match,
epydemix's figures null when it is absent (it is installed by ``make bench`` only, GPL-3)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench import epidemic, epydemix_li2020
from dyrd.epidemic.bundled import pei_for_codes, read_pei2020


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
    data = json.loads(lines[0])
    # Exit code 1 exactly when epydemix ran and the curves did not match (5 members, 5 days).
    assert code == (1 if epidemic.Result(**data).curves_match is False else 0)
    assert set(data) == {
        "dyrd_41x100_s",
        "epydemix_41x100_s",
        "ratio",
        "dyrd_375x300_s",
        "calibration_s",
        "curve_gap",
        "peak_day_dyrd",
        "peak_day_epydemix",
        "final_size_ratio",
    }
    assert data["dyrd_41x100_s"] > 0
    assert data["calibration_s"] > 0
    if data["epydemix_41x100_s"] is None:
        assert data["ratio"] is None
        assert data["curve_gap"] is None
    assert "IF-EAKF" in epidemic.render(epidemic.Result(**data))


def test_dyrd_and_epydemix_curves_match_when_epydemix_is_installed() -> None:
    pytest.importorskip("epydemix", reason="GPL-3, installed by `make bench` only")
    codes = epidemic._yrd_codes()
    yrd = pei_for_codes(read_pei2020(), codes)
    cmp = epydemix_li2020.compare(
        yrd.population, yrd.mobility.mean(axis=0), codes, members=20, days=90
    )
    assert cmp.matching, cmp
    assert abs(cmp.final_size_ratio - 1) < 0.02


def test_the_match_detects_a_different_model() -> None:
    # A 20% faster progression moves dyrd's peak by days: the check must say so.
    codes = epidemic._yrd_codes()
    yrd = pei_for_codes(read_pei2020(), codes)
    base = epydemix_li2020.ModelParams()
    ours = epydemix_li2020.dyrd_curves(yrd.population, yrd.mobility[0], 10, 90, base)
    faster = epydemix_li2020.dyrd_curves(
        yrd.population, yrd.mobility[0], 10, 90, epydemix_li2020.dataclasses.replace(base, Z=3.0)
    )
    a, b = ours.mean(axis=1).sum(axis=1), faster.mean(axis=1).sum(axis=1)
    cmp = epydemix_li2020.Comparison(
        epydemix_s=0.0,
        curve_gap=float(np.abs(a - b).max() / b.max()),
        peak_day_dyrd=int(a.argmax()),
        peak_day_epydemix=int(b.argmax()),
        final_size_ratio=float(a.sum() / b.sum()),
    )
    assert not cmp.matching
