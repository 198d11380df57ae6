"""Batch re-evaluation of synthetic residents: columnar (polars) against the row interpreter.

    uv run --frozen --no-sync python bench/healthcode_reeval.py --residents 10000000 [--json]

1. Generates a seeded synthetic population (``dyrd.healthcode.compute.synthetic``): residents in
   the four jurisdictions, ~2 stays each over 14 days, tests, vaccinations, flags, symptoms, and
   six risk areas; the SAMPLE rule sets of the four jurisdictions. Generation is timed on its
   own (``generate_seconds``) and is not part of the re-evaluation figure.
2. Re-evaluates every resident with ``batch.reevaluate`` (features + compiled CertLogic, one lazy
   polars query per slice of ``--parts`` hash slices, default 1),
   sampling the process's resident memory every 10 ms: ``reeval_peak_mb`` is the peak RSS seen
   while it ran (the inputs it reads included), ``reeval_residents_per_s`` residents / seconds.
3. Baseline, same run: the CertLogic interpreter row by row on ``--baseline`` residents' features
   (the per-resident path the API uses); ``ratio`` = columnar rate / interpreter rate.
4. ``--dask N`` also runs ``batch.reevaluate_dask`` with N partitions on local threads and checks
   that its colours equal the polars ones.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from dyrd.healthcode.bundled import sample_rules
from dyrd.healthcode.compute import batch
from dyrd.healthcode.compute.colour import evaluate_resident
from dyrd.healthcode.compute.features import external_context, facts_of_row, features_frame
from dyrd.healthcode.compute.synthetic import synthetic_inputs

CITIES_CSV = Path(__file__).resolve().parents[1] / "src" / "dyrd" / "region" / "data" / "cities.csv"
AT = datetime(2020, 2, 5, 2, 0, tzinfo=UTC)
TODAY = date(2020, 2, 5)
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


@dataclass(frozen=True, slots=True)
class ReevalResult:
    """What one run measured."""

    residents: int
    parts: int
    generate_seconds: float
    seconds: float
    reeval_residents_per_s: float
    reeval_peak_mb: float
    baseline_residents: int
    baseline_residents_per_s: float
    ratio: float
    colours: dict[str, int]
    dask_equal: bool | None


def _cities() -> list[int]:
    lines = CITIES_CSV.read_text(encoding="utf-8").strip().splitlines()[1:]
    return [int(line.split(",", 1)[0]) for line in lines]


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE_MB


class PeakSampler:
    """Samples this process's RSS in a thread; ``peak`` is the largest value seen."""

    def __init__(self, interval: float = 0.01) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def measure(
    residents: int,
    *,
    baseline: int = 20_000,
    dask: int = 0,
    seed: int = 1,
    parts: int = 1,
) -> ReevalResult:
    """Generate, re-evaluate, compare with the interpreter; see the module docstring.

    ``parts`` defaults to 1: at 10 million residents (2 shared cores) one slice took 29.6 s at
    a 2.5 GB peak and ten slices 37 s at 2.4 GB; polars' streaming engine already works in
    batches, so slicing buys little memory for the extra passes over the inputs.
    """
    started = time.perf_counter()
    inputs = synthetic_inputs(
        residents, rng=np.random.default_rng(seed), today=TODAY, cities=_cities()
    )
    generate_seconds = time.perf_counter() - started
    rules = sample_rules()
    with PeakSampler() as sampler:
        started = time.perf_counter()
        result = batch.reevaluate(inputs, rules, AT, parts=parts)
        seconds = time.perf_counter() - started
    n_base = min(baseline, residents)
    sample = inputs.only(inputs.residents["rid"].head(n_base))
    features = features_frame(sample, AT)
    ext = external_context(AT)
    force = batch.in_force(rules, AT)
    started = time.perf_counter()
    for row in features.iter_rows(named=True):
        evaluate_resident(facts_of_row(row, ext), force[row["resident.jurisdiction"]], {})
    base_seconds = time.perf_counter() - started
    dask_equal = None
    if dask:
        dask_equal = batch.reevaluate_dask(inputs, rules, AT, partitions=dask).status.equals(
            result.status
        )
    rate = residents / seconds
    base_rate = n_base / base_seconds if base_seconds > 0 else float("inf")
    return ReevalResult(
        residents=residents,
        parts=parts,
        generate_seconds=round(generate_seconds, 3),
        seconds=round(seconds, 3),
        reeval_residents_per_s=round(rate),
        reeval_peak_mb=round(sampler.peak, 1),
        baseline_residents=n_base,
        baseline_residents_per_s=round(base_rate),
        ratio=round(rate / base_rate, 2),
        colours=dict(batch.colour_counts(result.status)),
        dask_equal=dask_equal,
    )


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def render(r: ReevalResult) -> str:
    """The human-readable table."""
    return "\n".join(
        [
            f"residents                 {r.residents:>14,}",
            f"synthetic generation      {r.generate_seconds:>14} s (not in the rate below)",
            f"hash slices (--parts)     {r.parts:>14}",
            f"re-evaluation (polars)    {r.reeval_residents_per_s:>14,} residents/s "
            f"({r.seconds} s)",
            f"peak RSS during it        {r.reeval_peak_mb:>14,.1f} MB",
            f"baseline (interpreter)    {r.baseline_residents_per_s:>14,} residents/s "
            f"({r.baseline_residents:,} residents)",
            f"ratio                     {r.ratio:>14}",
            f"colours                   {r.colours}",
            f"dask equals polars        {r.dask_equal}",
            f"max RSS of the process    {_max_rss_mb():>14,.1f} MB",
        ]
    )


def main(argv: Sequence[str] | None = None, *, out: Callable[[str], object] = print) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=20_000)
    parser.add_argument("--dask", type=int, default=0, metavar="PARTITIONS")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--parts", type=int, default=1, help="hash slices evaluated one after another"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    r = measure(
        args.residents, baseline=args.baseline, dask=args.dask, seed=args.seed, parts=args.parts
    )
    if args.json:
        out(
            json.dumps(
                {
                    "reeval_residents_per_s": r.reeval_residents_per_s,
                    "reeval_peak_mb": r.reeval_peak_mb,
                    "residents": r.residents,
                }
            )
        )
    else:
        out(render(r))
    return 0 if r.dask_equal in (None, True) else 1


if __name__ == "__main__":
    sys.exit(main())
