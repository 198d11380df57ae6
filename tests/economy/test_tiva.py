"""Leontief value added in exports: the decompr "leather" example (GPL-3, read from ../shared)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from dyrd.economy.compute.tiva import Post, leontief_value_added
from dyrd.economy.service import value_added
from dyrd.economy.types import InputError
from tests.conftest import SHARED

TIVA = SHARED / "testdata" / "tiva"
pytestmark = pytest.mark.skipif(
    not (TIVA / "leather_inter.csv").exists(),
    reason="../shared/testdata/tiva is not beside this checkout (GPL-3 data, not copied)",
)


def _read(name: str) -> np.ndarray:
    with (TIVA / name).open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    return np.array([[float(c) for c in r[1:]] for r in rows])


def _expected() -> dict[str, object]:
    data: dict[str, object] = json.loads((TIVA / "expected_values.json").read_text("utf-8"))
    return data


def test_leather_exports_and_output() -> None:
    exp = _expected()
    z, y, x = _read("leather_inter.csv"), _read("leather_final.csv"), _read("leather_out.csv")
    va = leontief_value_added(z, y, x, n_regions=3, n_sectors=3)
    e = exp["leontief_post_exports"]
    assert isinstance(e, dict)
    assert va.matrix[0, 0] == pytest.approx(e["recomputed_[0,0]"], abs=1e-7)
    assert va.matrix[8, 8] == pytest.approx(e["recomputed_[8,8]"], abs=1e-7)
    assert va.matrix[0, 0] == pytest.approx(e["first_row_value_[0,0]"], abs=e["tolerance"])
    assert va.exports.tolist() == pytest.approx(exp["exports_E"], abs=1e-12)
    assert va.matrix.sum(axis=0) == pytest.approx(va.exports, abs=1e-10)
    assert va.domestic + va.foreign == pytest.approx(va.exports, abs=1e-10)
    out = leontief_value_added(z, y, x, n_regions=3, n_sectors=3, post=Post.OUTPUT)
    o = exp["leontief_post_output"]
    assert isinstance(o, dict)
    assert out.matrix[0, 0] == pytest.approx(o["recomputed_[0,0]"], abs=1e-7)
    assert out.matrix[8, 8] == pytest.approx(o["recomputed_[8,8]"], abs=1e-7)


def test_service_reads_csv_uploads() -> None:
    report = value_added(
        inter=(TIVA / "leather_inter.csv").read_bytes(),
        final=(TIVA / "leather_final.csv").read_bytes(),
        output=(TIVA / "leather_out.csv").read_bytes(),
        n_sectors=3,
    )
    assert [r.region for r in report.regions] == ["Argentina", "Turkey", "Germany"]
    for r in report.regions:
        assert r.domestic_value_added + r.foreign_value_added == pytest.approx(r.exports)
        assert r.dva_share is not None
        assert 0 < r.dva_share < 1


def test_wrong_shapes_are_refused() -> None:
    z = _read("leather_inter.csv")
    with pytest.raises(InputError):
        leontief_value_added(z, np.ones((9, 2)), np.ones(9), n_regions=3, n_sectors=3)
    with pytest.raises(InputError):
        leontief_value_added(z, np.ones((9, 3)), np.full(9, 0.1), n_regions=3, n_sectors=3)
