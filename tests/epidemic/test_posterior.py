"""A calibration's posterior file: written by `calibrate --save`, read back field by field."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from dyrd.epidemic.errors import InvalidParameter
from dyrd.epidemic.service.calibration import calibrate_li2020
from dyrd.epidemic.service.posterior import (
    load_posterior,
    posterior_document,
    read_posterior,
    save_posterior,
)
from dyrd.epidemic.types import PARAMETERS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    report = calibrate_li2020(members=12, iterations=1, days=3, scheme="euler", seed=4)
    return posterior_document(report)


def test_round_trip_keeps_the_estimate_and_every_member(
    document: dict[str, Any], tmp_path: Path
) -> None:
    report = calibrate_li2020(members=12, iterations=1, days=3, scheme="euler", seed=4)
    path = tmp_path / "posterior.json"
    save_posterior(report, path)
    post = load_posterior(path)
    assert post.estimate == report.estimate
    assert post.ensemble == report.ensemble
    assert len(post.ensemble) == 12
    assert "IF-EAKF" in post.source
    assert "2020-01-10..2020-01-12" in post.source
    # The estimate is the IF point estimate the report's table shows.
    shown = {r.name: r.estimate for r in report.rows}
    for k, name in enumerate(PARAMETERS):
        assert math.isclose(post.estimate.as_tuple()[k], shown[name])


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (lambda d: d.update(format="something-else"), "format"),
        (lambda d: d.update(parameters=["mu", "beta", "theta", "Z", "alpha", "D"]), "parameters"),
        (lambda d: d.update(ensemble=d["ensemble"][:5]), "ensemble"),
        (lambda d: d["ensemble"][3].pop(), "ensemble[3]"),
        (lambda d: d["ensemble"][2].__setitem__(1, float("nan")), "ensemble[2][1]"),
        (lambda d: d["ensemble"][2].__setitem__(1, "0.5"), "ensemble[2][1]"),
        (lambda d: d["ensemble"][6].__setitem__(4, 1.7), "ensemble[6]"),
        (lambda d: d["ensemble"][0].__setitem__(0, 0.0), "ensemble[0][0]"),
        (lambda d: d["estimate"].__setitem__(3, -1.0), "estimate"),
    ],
)
def test_every_bad_field_is_named(document: dict[str, Any], change: Any, location: str) -> None:
    doc = json.loads(json.dumps(document))
    change(doc)
    with pytest.raises(InvalidParameter) as info:
        read_posterior(doc)
    assert [e.location for e in info.value.errors] == [location]
    assert info.value.message_zh


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="cannot read"):
        load_posterior(tmp_path / "missing.json")
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\xff\xfe not json")
    with pytest.raises(InvalidParameter, match="not JSON"):
        load_posterior(junk)
