"""Co-visitor search: the polars join (``compute.tracing``) against the O(n x m) pair loop.

    uv run --frozen --no-sync python bench/healthcode_tracing.py --scans 200000 [--json]

A seeded synthetic day of scans (``--venues`` venues, entry times uniform over 24 h, dwell 5 to
120 minutes) and a case with ``--visits`` visits to random venues. Both searches run in the same
process on the same data and must return the same scans; ``ratio`` = loop seconds / polars
seconds. The loop runs on ``--baseline`` scans at most (it is quadratic) and its time is scaled
linearly to all scans, which flatters the loop (it is linear in scans for a fixed case).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from dyrd.healthcode.compute import tracing


def _data(
    scans: int, venues: int, visits: int, rng: np.random.Generator
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    names = [f"v{i}" for i in range(venues)]
    start = rng.integers(0, 86_400, size=scans)
    dwell = rng.integers(300, 7_200, size=scans)
    where = rng.integers(0, venues, size=scans)
    rows = [(names[w], int(s), int(s + d)) for w, s, d in zip(where, start, dwell, strict=True)]
    picks = rng.integers(0, venues, size=visits)
    case_start = rng.integers(0, 86_400, size=visits)
    case = [(names[p], int(s), int(s) + 3_600) for p, s in zip(picks, case_start, strict=True)]
    return case, rows


def _loop(
    case: list[tuple[str, int, int]], rows: list[tuple[str, int, int]], margin: int
) -> list[int]:
    return [
        i
        for i, (venue, start, end) in enumerate(rows)
        if any(v == venue and start <= e + margin and end >= s - margin for v, s, e in case)
    ]


def main() -> None:
    """Run the comparison and print the result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scans", type=int, default=200_000)
    parser.add_argument("--venues", type=int, default=2_000)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--baseline", type=int, default=50_000)
    parser.add_argument("--margin", type=int, default=1_800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    case, rows = _data(args.scans, args.venues, args.visits, np.random.default_rng(20200201))
    visits, scans = tracing.visits_frame(case), tracing.scans_frame(rows)
    started = time.perf_counter()
    found = tracing.co_visitor_rows(visits, scans, args.margin)
    polars_s = time.perf_counter() - started
    part = rows[: args.baseline]
    started = time.perf_counter()
    expected = _loop(case, part, args.margin)
    loop_s = (time.perf_counter() - started) * len(rows) / max(len(part), 1)
    if [i for i in found if i < len(part)] != expected:
        raise SystemExit("the polars search and the loop disagree")
    out = {
        "scans": len(rows),
        "co_visitors": len(found),
        "polars_s": round(polars_s, 4),
        "loop_s_scaled": round(loop_s, 4),
        "ratio": round(loop_s / polars_s, 1) if polars_s > 0 else None,
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
