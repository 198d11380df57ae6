"""Entropy-weight TOPSIS and Theil decomposition on a large synthetic panel, against plain numpy.

The platform's functions (``dyrd.economy.compute``) do more than the bare formulas: input checks
(finite, non-negative, constant columns), 0·ln 0 handling, group bookkeeping and direct within-
group sums. The baseline is the same maths written as the shortest plain-numpy code, run in the
same process on the same arrays; rounds alternate so drift hits both alike. Results are checked
equal (1e-9) before any figure is printed.

    python bench/economy.py [--units 20000] [--indicators 30] [--groups 40] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

if not __package__:  # run as `python bench/economy.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dyrd.economy.compute import inequality, mcda
from dyrd.economy.types import Direction


def _baseline_topsis(x: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    lo, hi = x.min(0), x.max(0)
    r = np.where(benefit, (x - lo) / (hi - lo), (hi - x) / (hi - lo))
    p = r / r.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.nansum(p * np.log(p), axis=0) / np.log(len(x))
    w = (1 - e) / (1 - e).sum()
    v = r * w
    dp = np.sqrt(((v - v.max(0)) ** 2).sum(1))
    dm = np.sqrt(((v - v.min(0)) ** 2).sum(1))
    return np.asarray(dm / (dp + dm))


def _baseline_theil(y: np.ndarray, g: np.ndarray, k: int) -> tuple[float, float]:
    s = y / y.sum()
    total = float((s * np.log(s * len(y))).sum())
    sg = np.bincount(g, weights=s, minlength=k)
    ng = np.bincount(g, minlength=k)
    between = float((sg * np.log(sg * len(y) / ng)).sum())
    return total, between


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Median seconds per call of each side, and the ratios dyrd / baseline."""

    units: int
    indicators: int
    groups: int
    rounds: int
    topsis_dyrd_s: float
    topsis_numpy_s: float
    topsis_ratio: float
    theil_dyrd_s: float
    theil_numpy_s: float
    theil_ratio: float


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(
    *, units: int = 20_000, indicators: int = 30, groups: int = 40, rounds: int = 5, seed: int = 1
) -> BenchResult:
    """Run both sides ``rounds`` times each on one synthetic panel; check they agree."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(mean=2.0, sigma=0.7, size=(units, indicators))
    dirs = [Direction.BENEFIT if j % 3 else Direction.COST for j in range(indicators)]
    benefit = np.array([d is Direction.BENEFIT for d in dirs])
    y = rng.lognormal(mean=10.0, sigma=0.5, size=units)
    g = rng.integers(0, groups, size=units)

    def dyrd_topsis() -> np.ndarray:
        w = mcda.entropy_weights(x, dirs).weights
        return mcda.topsis(x, w, dirs).closeness

    def dyrd_theil() -> tuple[float, float]:
        d = inequality.theil_t_decomposition(y, g)
        return d.total, d.between

    ours, base = dyrd_topsis(), _baseline_topsis(x, benefit)
    if not np.allclose(ours, base, atol=1e-9, rtol=0):
        raise AssertionError("TOPSIS closeness differs from the baseline")
    if not np.allclose(dyrd_theil(), _baseline_theil(y, g, groups), atol=1e-9, rtol=0):
        raise AssertionError("Theil decomposition differs from the baseline")
    times: dict[str, list[float]] = {k: [] for k in ("td", "tn", "hd", "hn")}
    for _ in range(rounds):
        times["td"].append(_time(dyrd_topsis))
        times["tn"].append(_time(lambda: _baseline_topsis(x, benefit)))
        times["hd"].append(_time(dyrd_theil))
        times["hn"].append(_time(lambda: _baseline_theil(y, g, groups)))
    med = {k: float(np.median(v)) for k, v in times.items()}
    return BenchResult(
        units=units,
        indicators=indicators,
        groups=groups,
        rounds=rounds,
        topsis_dyrd_s=med["td"],
        topsis_numpy_s=med["tn"],
        topsis_ratio=med["td"] / med["tn"],
        theil_dyrd_s=med["hd"],
        theil_numpy_s=med["hn"],
        theil_ratio=med["hd"] / med["hn"],
    )


def render(r: BenchResult) -> str:
    """A small table for people."""
    return "\n".join(
        [
            f"panel: {r.units} units x {r.indicators} indicators, {r.groups} groups, "
            f"median of {r.rounds} rounds",
            f"{'':28}{'dyrd s':>10}{'numpy s':>10}{'dyrd/numpy':>12}",
            f"{'entropy weights + TOPSIS':28}{r.topsis_dyrd_s:10.4f}{r.topsis_numpy_s:10.4f}"
            f"{r.topsis_ratio:12.2f}",
            f"{'Theil T decomposition':28}{r.theil_dyrd_s:10.4f}{r.theil_numpy_s:10.4f}"
            f"{r.theil_ratio:12.2f}",
        ]
    )


def main(argv: list[str] | None = None, out: Callable[[str], object] = print) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(
        units=args.units, indicators=args.indicators, groups=args.groups, rounds=args.rounds
    )
    out(json.dumps(asdict(result)) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
