"""Entropy weights, TOPSIS, composite index and rank stability against pymcdm's examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dyrd.economy.compute import mcda
from dyrd.economy.compute.composite import Method, composite_index, rank_stability
from dyrd.economy.types import (
    Aggregation,
    Concept,
    Direction,
    EntropyVariant,
    InputError,
    Normalisation,
    WeightScheme,
)

DATA = Path(__file__).resolve().parents[1] / "external" / "mcda"
EXPECTED: dict[str, Any] = json.loads((DATA / "expected_values.json").read_text("utf-8"))
B, C = Direction.BENEFIT, Direction.COST


def test_entropy_weights_elsayed_2017_raw_sum() -> None:
    case = EXPECTED["entropy_weights_elsayed2017"]
    got = mcda.entropy_weights(
        case["matrix_rows_alternatives"], [B] * 5, variant=EntropyVariant.RAW_SUM
    )
    assert np.round(got.weights, case["round"]).tolist() == case["expected_weights"]
    assert got.weights.sum() == pytest.approx(1.0, abs=1e-15)


def test_topsis_opricovic_tzeng_2004_minmax_and_vector() -> None:
    case = EXPECTED["topsis_opricovic_tzeng2004"]
    dirs = [C if t < 0 else B for t in case["types"]]
    mm = mcda.topsis(case["matrix_rows_alternatives"], case["weights"], dirs)
    assert np.round(mm.closeness, case["round"]).tolist() == case["expected_closeness"]
    assert mm.normalisation is Normalisation.MINMAX
    vec = mcda.topsis(
        case["matrix_rows_alternatives"], case["weights"], dirs, normalisation=Normalisation.VECTOR
    )
    assert vec.closeness == pytest.approx(case["with_vector_normalisation_instead"], abs=1e-8)


def test_minmax_entropy_by_hand() -> None:
    # Column 1 benefit [0, 0.5, 1] -> p = [0, 1/3, 2/3]; 0·ln0 = 0 keeps it finite.
    x = [[1.0, 10.0], [2.0, 10.0], [3.0, 20.0]]
    got = mcda.entropy_weights(x, [B, C])
    p1 = np.array([0, 1 / 3, 2 / 3])
    e1 = -(p1[1:] * np.log(p1[1:])).sum() / np.log(3)
    p2 = np.array([0.5, 0.5, 0.0])  # cost: (20 - x)/10 = [1, 1, 0]
    e2 = -(p2[:2] * np.log(p2[:2])).sum() / np.log(3)
    d = np.array([1 - e1, 1 - e2])
    assert got.weights == pytest.approx(d / d.sum(), abs=1e-15)
    assert got.entropy == pytest.approx([e1, e2], abs=1e-15)
    shifted = mcda.entropy_weights(x, [B, C], shift=1e-4)
    assert shifted.shift == 1e-4
    assert not np.allclose(shifted.weights, got.weights, atol=1e-12, rtol=0)


def test_constant_column_is_refused_with_its_name() -> None:
    with pytest.raises(InputError, match="gdp_per_capita"):
        mcda.entropy_weights([[1, 5], [2, 5], [3, 5]], [B, B], labels=["x", "gdp_per_capita"])


@pytest.mark.parametrize(
    "values",
    [[[1.0, 2.0]], [[1.0, float("nan")], [2.0, 3.0]], [[1.0], [2.0], [3.0]]],
)
def test_other_bad_matrices(values: list[list[float]]) -> None:
    with pytest.raises(InputError):
        mcda.entropy_weights(values, [B, B])


def test_raw_sum_refuses_negatives() -> None:
    with pytest.raises(InputError):
        mcda.entropy_weights([[-1.0, 2.0], [2.0, 3.0]], [B, B], variant=EntropyVariant.RAW_SUM)


def test_ranks_share_ties() -> None:
    assert mcda.ranks([0.3, 0.9, 0.3, 0.1]).tolist() == [2, 1, 2, 4]


matrices = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=3, max_side=12),
    elements=st.floats(min_value=0.0, max_value=1e4, allow_nan=False),
)


@settings(max_examples=100, deadline=None)
@given(x=matrices, data=st.data())
def test_weights_and_closeness_are_proper(x: np.ndarray, data: Any) -> None:
    m = x.shape[1]
    dirs = data.draw(st.lists(st.sampled_from([B, C]), min_size=m, max_size=m))
    try:
        w = mcda.entropy_weights(x, dirs).weights
        res = mcda.topsis(x, w, dirs)
    except InputError:
        return  # constant column or all-equal scores: refused, never NaN
    assert np.isfinite(w).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert (w >= 0).all()
    assert ((res.closeness >= -1e-12) & (res.closeness <= 1 + 1e-12)).all()
    lin = mcda.linear_scores(x, w, dirs)
    assert ((lin >= -1e-12) & (lin <= 1 + 1e-12)).all()


def _panel(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(1.0, 10.0, size=(3, 8, 4))


DIRS = [B, B, C, B]
CONCEPTS = [Concept.INNOVATION, Concept.INNOVATION, Concept.GREEN, Concept.SHARING]


def test_pooled_weights_are_the_stacked_entropy_weights() -> None:
    x = _panel(np.random.default_rng(1))
    res = composite_index(x, DIRS, CONCEPTS)
    stacked = mcda.entropy_weights(x.reshape(24, 4), DIRS).weights
    assert res.weights[0] == pytest.approx(stacked, abs=1e-15)
    assert (res.weights == res.weights[0]).all()
    assert res.scores.shape == (3, 8)
    assert set(res.sub_indices) == {Concept.INNOVATION, Concept.GREEN, Concept.SHARING}


def test_per_year_weights_differ_by_year_and_rank_within_year() -> None:
    x = _panel(np.random.default_rng(2))
    res = composite_index(x, DIRS, CONCEPTS, method=Method(scheme=WeightScheme.PER_YEAR))
    for t in range(3):
        assert res.weights[t] == pytest.approx(mcda.entropy_weights(x[t], DIRS).weights)
        assert sorted(res.ranks[t].tolist()) == list(range(1, 9))
    assert not np.allclose(res.weights[0], res.weights[1])


def test_linear_sub_index_of_single_indicator_concept_is_its_score() -> None:
    x = _panel(np.random.default_rng(3))[0]
    res = composite_index(x, DIRS, CONCEPTS, method=Method(aggregation=Aggregation.LINEAR))
    r = mcda.normalise(x, DIRS, Normalisation.MINMAX)
    assert res.sub_indices[Concept.GREEN][0] == pytest.approx(r[:, 2], abs=1e-15)
    assert res.scores[0] == pytest.approx(r @ res.weights[0], abs=1e-15)


def test_rank_stability_is_seeded_and_trivial_without_spread() -> None:
    x = _panel(np.random.default_rng(4))[0]
    w = mcda.entropy_weights(x, DIRS).weights
    a = rank_stability(x, w, DIRS, rng=np.random.default_rng(7), draws=300)
    b = rank_stability(x, w, DIRS, rng=np.random.default_rng(7), draws=300)
    assert a.median.tolist() == b.median.tolist()
    assert (a.p05 <= a.median).all()
    assert (a.median <= a.p95).all()
    base = mcda.ranks(mcda.topsis(x, w, DIRS).closeness)
    assert a.base.tolist() == base.tolist()
    still = rank_stability(x, w, DIRS, rng=np.random.default_rng(7), draws=50, spread=0.0)
    assert still.unchanged.tolist() == [1.0] * 8
