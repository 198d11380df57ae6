"""Metapopulation model and IF-EAKF timings (issue 5), against epydemix when it is installed.

Figures (seconds, one run each, wall clock):

* ``dyrd_41x100_s``: the stochastic model (Poisson flows, one stage per day, as a chain-binomial
  model steps) for the 41 YRD cities (Li et al. trips among them, mean of 10-23 Jan 2020) x 100
  members x 120 days;
* ``epydemix_41x100_s`` and ``ratio`` (epydemix / dyrd): the comparable model in epydemix 1.5
  (``epydemix_li2020.py``: the 41 cities as groups without travel, since epydemix has no
  spatial layer), run in the same process; the ratio is conservative, since dyrd's time includes
  the travel and the reporting delay that epydemix's model lacks. The same run checks that the
  two produce matching curves (``curve_gap``, ``peak_day_*``, ``final_size_ratio``; exit code 1
  when they do not match). epydemix is GPL-3, so it is never a project dependency: ``make bench``
  installs it from the ``bench-gpl`` group; when it is not importable these figures are null and
  the reason is printed on stderr;
* ``dyrd_375x300_s``: the same model on Li et al.'s 375 cities x 300 members x 120 days;
* ``calibration_s``: one IF-EAKF calibration on Li et al.'s data for 10-23 Jan 2020 (300
  members, 10 iterations, four Runge-Kutta stages per day, as in the paper's code).

    python bench/epidemic.py [--json] [--members-41 100] [--members-375 300] [--days 120]
                             [--cal-members 300] [--cal-iterations 10]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np

if not __package__:  # run as `python bench/epidemic.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.epydemix_li2020 import Comparison, compare, curves_match
from dyrd.epidemic.bundled import PeiData, pei_for_codes, read_pei2020
from dyrd.epidemic.compute.eakf import EAKFSettings, calibrate, li2020_initial
from dyrd.epidemic.compute.model import initial_state, li2020_seed, simulate
from dyrd.epidemic.types import ModelParams


@dataclass(frozen=True, slots=True)
class Result:
    """The printed figures."""

    dyrd_41x100_s: float
    epydemix_41x100_s: float | None
    ratio: float | None
    dyrd_375x300_s: float
    calibration_s: float
    curve_gap: float | None = None
    peak_day_dyrd: int | None = None
    peak_day_epydemix: int | None = None
    final_size_ratio: float | None = None

    @property
    def curves_match(self) -> bool | None:
        """Whether dyrd's and epydemix's curves match (None without epydemix)."""
        if self.curve_gap is None or self.peak_day_dyrd is None or self.peak_day_epydemix is None:
            return None
        return curves_match(self.curve_gap, self.peak_day_dyrd, self.peak_day_epydemix)


def _yrd_codes() -> list[str]:
    text = resources.files("dyrd.region").joinpath("data").joinpath("cities.csv").read_text("utf-8")
    return [r["code"] for r in csv.DictReader(text.splitlines())]


def _compare_with_epydemix(
    yrd: PeiData, codes: list[str], members: int, days: int, log: Callable[[str], None]
) -> Comparison | None:
    try:
        import epydemix  # type: ignore[import-not-found, unused-ignore]  # noqa: F401 - optional, GPL
    except ImportError:
        log("epydemix is not installed (GPL-3: `make bench` installs the bench-gpl group)")
        return None
    cmp = compare(yrd.population, yrd.mobility.mean(axis=0), codes, members=members, days=days)
    log(
        f"epydemix 41 x {members} x {days} d: {cmp.epydemix_s:.2f} s; curves"
        f" {'match' if cmp.matching else 'DO NOT match'}: gap {cmp.curve_gap:.4f} of the peak,"
        f" peak day {cmp.peak_day_dyrd} (dyrd) / {cmp.peak_day_epydemix} (epydemix),"
        f" final size ratio {cmp.final_size_ratio:.4f}"
    )
    return cmp


def measure(
    *,
    members_41: int = 100,
    members_375: int = 300,
    days: int = 120,
    cal_members: int = 300,
    cal_iterations: int = 10,
    cal_scheme: str = "rk4",
    log: Callable[[str], None] = lambda _: None,
) -> Result:
    """Run the three dyrd figures (and epydemix if it is available)."""
    data = read_pei2020()
    yrd = pei_for_codes(data, _yrd_codes())
    params = ModelParams()
    seed = np.zeros(yrd.population.size)
    seed[0] = 100.0  # Shanghai, E and Iu
    start = initial_state(yrd.population, n_members=members_41, E=seed, Iu=seed)
    began = time.perf_counter()
    simulate(
        params, start, yrd.mobility.mean(axis=0), days, rng=np.random.default_rng(0), scheme="euler"
    )
    t41 = time.perf_counter() - began
    log(f"dyrd 41 x {members_41} x {days} d: {t41:.2f} s")
    cmp = _compare_with_epydemix(yrd, _yrd_codes(), members_41, days, log)
    wuhan = data.index("Wuhan")
    start375 = li2020_seed(
        data.population,
        data.mobility[0],
        wuhan,
        n_members=members_375,
        rng=np.random.default_rng(0),
    )
    began = time.perf_counter()
    simulate(
        params,
        start375,
        data.mobility.mean(axis=0),
        days,
        rng=np.random.default_rng(1),
        scheme="euler",
    )
    t375 = time.perf_counter() - began
    log(f"dyrd 375 x {members_375} x {days} d: {t375:.2f} s")
    settings = EAKFSettings(
        n_members=cal_members,
        iterations=cal_iterations,
        scheme="rk4" if cal_scheme == "rk4" else "euler",
    )
    began = time.perf_counter()
    result = calibrate(
        data.incidence[:14],
        data.mobility,
        li2020_initial(data.population, data.mobility[0], wuhan),
        rng=np.random.default_rng(0),
        settings=settings,
    )
    tcal = time.perf_counter() - began
    log(
        f"IF-EAKF {cal_members} x {cal_iterations}: {tcal:.1f} s; "
        + ", ".join(f"{s.name} {s.estimate:.3f}" for s in result.summary)
    )
    return Result(
        dyrd_41x100_s=round(t41, 3),
        epydemix_41x100_s=None if cmp is None else round(cmp.epydemix_s, 3),
        ratio=None if cmp is None else round(cmp.epydemix_s / t41, 1),
        dyrd_375x300_s=round(t375, 3),
        calibration_s=round(tcal, 2),
        curve_gap=None if cmp is None else round(cmp.curve_gap, 5),
        peak_day_dyrd=None if cmp is None else cmp.peak_day_dyrd,
        peak_day_epydemix=None if cmp is None else cmp.peak_day_epydemix,
        final_size_ratio=None if cmp is None else round(cmp.final_size_ratio, 5),
    )


def render(r: Result) -> str:
    """Human-readable lines."""
    epy = "n/a" if r.epydemix_41x100_s is None else f"{r.epydemix_41x100_s:.2f} s"
    ratio = "n/a" if r.ratio is None else f"{r.ratio:.1f}x"
    match = {None: "n/a", True: "yes", False: "NO"}[r.curves_match]
    return (
        f"41 cities x 100 members x 120 d: dyrd {r.dyrd_41x100_s:.2f} s,"
        f" epydemix {epy} (ratio {ratio}); curves match: {match}"
        f" (gap {r.curve_gap} of the peak)\n"
        f"375 cities x 300 members x 120 d: dyrd {r.dyrd_375x300_s:.2f} s\n"
        f"IF-EAKF calibration (Li et al. 10-23 Jan 2020): {r.calibration_s:.1f} s"
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--members-41", type=int, default=100)
    ap.add_argument("--members-375", type=int, default=300)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--cal-members", type=int, default=300)
    ap.add_argument("--cal-iterations", type=int, default=10)
    ap.add_argument("--cal-scheme", choices=["rk4", "euler"], default="rk4")
    args = ap.parse_args(argv)
    result = measure(
        members_41=args.members_41,
        members_375=args.members_375,
        days=args.days,
        cal_members=args.cal_members,
        cal_iterations=args.cal_iterations,
        cal_scheme=args.cal_scheme,
        log=lambda line: print(line, file=sys.stderr),
    )
    out(json.dumps(asdict(result)) if args.json else render(result))
    return 1 if result.curves_match is False else 0


if __name__ == "__main__":
    raise SystemExit(main())
