"""Batch re-evaluation: every resident's colour at once, with polars, or with Dask past one machine.

``reevaluate`` computes the features and colours of all residents column-wise and compares them
with the previous colours: only residents whose colour or deciding rule version changed need a
new code. ``reevaluate_dask`` splits the residents into partitions by a hash of their key, runs the
very same ``colour_table`` on each partition as a Dask task (on a ``dask.distributed`` cluster when
a client is given, else on Dask's local threads), and concatenates: residents are independent, so
the partitioned result equals the single-machine one row for row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

from dyrd.healthcode.compute.colour import Rule, colour_lazy, rules_in_force
from dyrd.healthcode.compute.features import (
    DEFAULT_LOOKBACK_DAYS,
    Inputs,
    external_context,
    features_lazy,
    local_date,
)
from dyrd.healthcode.types import JURISDICTION_PREFIX

STATUS_SCHEMA: dict[str, Any] = {
    "rid": pl.Int64,
    "colour": pl.String,
    "rule_id": pl.String,
    "rule_version": pl.Int32,
}


@dataclass(frozen=True, slots=True)
class Reevaluation:
    """New colours of every resident, and which of them changed."""

    status: pl.DataFrame
    changed: pl.DataFrame

    @property
    def residents(self) -> int:
        """Residents evaluated."""
        return self.status.height


def in_force(rules: Sequence[Rule], at: datetime) -> dict[str, list[Rule]]:
    """Per jurisdiction, the rules in force on the local date of ``at``, in evaluation order."""
    day = local_date(at)
    return {j: rules_in_force(rules, j, day) for j in JURISDICTION_PREFIX}


def colour_table(
    inputs: Inputs,
    rules: Sequence[Rule],
    at: datetime,
    *,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    parts: int = 1,
) -> pl.DataFrame:
    """``rid, colour, rule_id, rule_version`` of every resident of ``inputs``, sorted by ``rid``.

    Features and colours are one lazy polars query, run once. ``parts`` > 1 runs it on one
    slice of the residents (by a hash of ``rid``) at a time, so only a slice's intermediate
    frames are alive at once: peak memory, not the answer, depends on ``parts``.
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    force = in_force(rules, at)
    external = external_context(at)
    slices = [
        colour_lazy(
            features_lazy(
                inputs, at, lookback_days=lookback_days, part=None if parts == 1 else (k, parts)
            ),
            force,
            external,
        ).collect()
        for k in range(parts)
    ]
    return pl.concat(slices).sort("rid")


def changed_rows(status: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Rows of ``status`` whose colour or rule (id, version) differ from ``previous``."""
    if previous is None or previous.height == 0:
        return status
    old = previous.select(
        "rid",
        pl.col("colour").alias("old_colour"),
        pl.col("rule_id").alias("old_rule_id"),
        pl.col("rule_version").cast(pl.Int32).alias("old_rule_version"),
    )
    joined = status.join(old, on="rid", how="left", maintain_order="left")
    differs = (
        pl.col("old_colour").is_null()
        | (pl.col("colour") != pl.col("old_colour"))
        | (pl.col("rule_id") != pl.col("old_rule_id"))
        | (pl.col("rule_version") != pl.col("old_rule_version"))
    )
    return joined.filter(differs).select(status.columns)


def reevaluate(
    inputs: Inputs,
    rules: Sequence[Rule],
    at: datetime,
    *,
    previous: pl.DataFrame | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    parts: int = 1,
) -> Reevaluation:
    """Recompute all colours on one machine with polars; ``changed`` lists codes to re-issue.

    ``parts``: evaluate the residents in that many hash slices, one after another (see
    ``colour_table``), to bound peak memory on large populations.
    """
    status = colour_table(inputs, rules, at, lookback_days=lookback_days, parts=parts)
    return Reevaluation(status, changed_rows(status, previous))


def partition(inputs: Inputs, partitions: int) -> list[Inputs]:
    """Split the residents (and their inputs) into ``partitions`` parts by a hash of ``rid``."""
    if partitions < 1:
        raise ValueError("partitions must be at least 1")

    def part_of(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns((pl.col("rid").hash(seed=0) % partitions).alias("__part"))

    tables = {
        name: part_of(getattr(inputs, name))
        for name in ("residents", "stays", "tests", "vaccinations", "contacts", "symptoms")
    }
    out = []
    for k in range(partitions):
        chosen = {
            name: df.filter(pl.col("__part") == k).drop("__part") for name, df in tables.items()
        }
        out.append(Inputs(areas=inputs.areas, **chosen))
    return out


def reevaluate_dask(
    inputs: Inputs,
    rules: Sequence[Rule],
    at: datetime,
    *,
    partitions: int,
    client: Any = None,
    previous: pl.DataFrame | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> Reevaluation:
    """The same result as ``reevaluate``, computed partition by partition as Dask tasks.

    ``client``: a ``dask.distributed.Client`` (its cluster may span machines); None runs the
    tasks on Dask's threaded scheduler in this process.
    """
    from dask.base import compute
    from dask.delayed import delayed

    tasks = [
        delayed(colour_table)(part, list(rules), at, lookback_days=lookback_days)
        for part in partition(inputs, partitions)
    ]
    if client is not None:
        parts = client.gather(client.compute(tasks))
    else:
        parts = compute(*tasks, scheduler="threads")  # type: ignore[no-untyped-call]  # dask is untyped
    status = pl.concat(list(parts)).sort("rid")
    return Reevaluation(status, changed_rows(status, previous))


def colour_counts(status: pl.DataFrame) -> Mapping[str, int]:
    """Residents per colour."""
    counts = status.group_by("colour").len()
    return {str(row[0]): int(row[1]) for row in counts.iter_rows()}
