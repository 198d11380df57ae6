"""Batch re-evaluation: polars and Dask agree; a risk-list change re-issues only changed codes."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dyrd.healthcode.bundled import sample_rules
from dyrd.healthcode.compute import batch
from dyrd.healthcode.compute.features import SCHEMAS, Inputs
from tests.healthcode.support import AT, population


def test_dask_threads_equal_polars() -> None:
    inputs = population(2000)
    rules = sample_rules()
    single = batch.reevaluate(inputs, rules, AT)
    split = batch.reevaluate_dask(inputs, rules, AT, partitions=5)
    assert split.status.equals(single.status)
    assert single.residents == 2000


def test_dask_distributed_cluster_equals_polars() -> None:
    distributed = pytest.importorskip("distributed")
    inputs = population(1500, seed=3)
    rules = sample_rules()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        split = batch.reevaluate_dask(inputs, rules, AT, partitions=4, client=client)
    assert split.status.equals(batch.reevaluate(inputs, rules, AT).status)


def test_partitions_cover_every_resident_once() -> None:
    inputs = population(500)
    parts = batch.partition(inputs, 3)
    assert sum(p.residents.height for p in parts) == 500
    assert sum(p.stays.height for p in parts) == inputs.stays.height


def test_risk_list_change_marks_only_changed_residents() -> None:
    inputs = population(3000, seed=5)
    rules = sample_rules()
    first = batch.reevaluate(inputs, rules, AT)
    assert first.changed.height == 3000  # nothing before: every code is new
    same = batch.reevaluate(inputs, rules, AT, previous=first.status)
    assert same.changed.height == 0
    # A new high-risk city: only its visitors (and nobody else) change.
    extra = pl.DataFrame(
        {
            "city_code": [320500],
            "district_code": [None],
            "level": ["high"],
            "effective_from": [date(2020, 1, 20)],
            "effective_until": [None],
        },
        schema=SCHEMAS["areas"],
    )
    changed_list = Inputs(
        residents=inputs.residents,
        stays=inputs.stays,
        areas=pl.concat([inputs.areas, extra]),
        tests=inputs.tests,
        vaccinations=inputs.vaccinations,
        contacts=inputs.contacts,
        symptoms=inputs.symptoms,
    )
    after = batch.reevaluate(changed_list, rules, AT, previous=first.status)
    assert 0 < after.changed.height < 3000
    visitors = set(
        inputs.stays.filter(
            (pl.col("city_code") == 320500) & (pl.col("stay_date") >= date(2020, 1, 22))
        )["rid"].to_list()
    )
    assert set(after.changed["rid"].to_list()) <= visitors


def test_colour_counts() -> None:
    status = batch.reevaluate(population(300), sample_rules(), AT).status
    assert sum(batch.colour_counts(status).values()) == 300


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_partitioned_evaluation_equals_whole_population(parts: int) -> None:
    inputs = population(2500, seed=13)
    rules = sample_rules()
    whole = batch.reevaluate(inputs, rules, AT)
    sliced = batch.reevaluate(inputs, rules, AT, parts=parts, previous=whole.status)
    assert sliced.status.equals(whole.status)
    assert sliced.changed.height == 0
    assert whole.status["colour"].n_unique() == 3  # every colour is exercised


def test_partitioned_evaluation_with_string_keys_equals_whole_population() -> None:
    # The service keys residents by their string id; slices hash that key.
    numeric = population(800, seed=17)
    as_text = Inputs(
        **{
            name: getattr(numeric, name).with_columns(pl.col("rid").cast(pl.String))
            for name in ("residents", "stays", "tests", "vaccinations", "contacts", "symptoms")
        },
        areas=numeric.areas,
    )
    rules = sample_rules()
    whole = batch.reevaluate(as_text, rules, AT)
    assert batch.reevaluate(as_text, rules, AT, parts=4).status.equals(whole.status)
    expected = batch.reevaluate(numeric, rules, AT).status.with_columns(
        pl.col("rid").cast(pl.String)
    )
    assert whole.status.sort("rid").equals(expected.sort("rid"))


def test_parts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="parts"):
        batch.reevaluate(population(10), sample_rules(), AT, parts=0)
