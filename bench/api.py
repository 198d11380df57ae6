"""Throughput and latency of GET /api/v1/region/cities over loopback HTTP, against a bare baseline.

Two uvicorn servers run in child processes with identical settings, each on a free 127.0.0.1 port:

* ``dyrd``: the real application (``dyrd.bootstrap.build_app``) on a temporary SQLite database
  prepared with ``upgrade_database`` and ``load_bundled``;
* ``bare``: a plain Starlette app with one route returning the exact bytes ``dyrd`` answered.

A bounded load generator (a fixed number of requests over a few keep-alive connections, one
thread each, after a warm-up) measures both in the same run, in alternating rounds so drift in
the machine affects both alike. The figures that matter are the ratios dyrd/bare: absolute numbers
depend on the machine, the ratio says what the platform costs on top of the HTTP stack.

    python bench/api.py [--requests 2000] [--concurrency 4] [--rounds 2] [--max-seconds 45] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if not __package__:  # run as `python bench/api.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._loopback import (  # after the path fix above
    HOST,
    REQUEST_TIMEOUT_S,
    UVICORN_SETTINGS,
    child_server,
    drive,
    serve,
)

PATH = "/api/v1/region/cities"
WARMUP_MAX_S = 3.0


@dataclass(frozen=True, slots=True)
class ServerResult:
    """What one server did under the measured load (warm-up excluded)."""

    name: str
    planned: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    body_mismatches: int


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Both servers, the ratios dyrd/bare, and how they were measured."""

    path: str
    requests: int
    concurrency: int
    rounds: int
    warmup: int
    max_seconds: float
    body_bytes: int
    uvicorn: dict[str, Any]
    dyrd: ServerResult
    bare: ServerResult
    rps_ratio: float
    p50_ratio: float
    p99_ratio: float
    python: str = field(default_factory=lambda: sys.version.split()[0])


# --------------------------------------------------------------------------------------------
# Child side: one uvicorn server per process.


def _bare_app(body: bytes) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def cities(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(PATH, cities)])


def _dyrd_app(database_url: str) -> Any:
    from dyrd import bootstrap
    from dyrd.core.config import Settings
    from dyrd.core.db import create_db_engine

    engine = create_db_engine(database_url)
    return bootstrap.build_app(Settings(database_url=database_url), engine=engine)


def _serve(kind: str, database_url: str, body_file: str) -> None:
    """Run one server; print its port on stdout; stop when stdin closes (the parent is gone)."""
    serve(_dyrd_app(database_url) if kind == "dyrd" else _bare_app(Path(body_file).read_bytes()))


# --------------------------------------------------------------------------------------------
# Parent side: prepare the database, start both servers, generate load.


def _prepare_database(directory: Path) -> str:
    from sqlalchemy.orm import Session

    from dyrd import bootstrap
    from dyrd.core.clock import utc_now
    from dyrd.core.db import create_db_engine
    from dyrd.region import service

    url = f"sqlite:///{directory / 'bench.db'}"
    engine = create_db_engine(url)
    try:
        bootstrap.upgrade_database(engine)
        with Session(engine) as session:
            service.load_bundled(session, clock=utc_now)
    finally:
        engine.dispose()
    return url


@contextmanager
def _server(
    kind: str, workdir: Path, *, database_url: str = "", body_file: str = ""
) -> Iterator[int]:
    """A child process serving ``kind``; yields its port and stops it on exit."""
    args = [str(Path(__file__).resolve()), "--serve", kind]
    args += ["--database-url", database_url, "--body-file", body_file]
    # The app runs as deployed (its ledger signer included), but keeps its files in workdir.
    env = {**os.environ, "DYRD_LEDGER_KEY_PATH": str(workdir / "ledger-ed25519.pem")}
    with child_server(args, env=env) as port:
        _get(port)  # answers once before it is measured
        yield port


def _get(port: int) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request("GET", PATH)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@dataclass
class _Sample:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    mismatches: int = 0
    seconds: float = 0.0

    def merge(self, other: _Sample) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.mismatches += other.mismatches
        self.seconds += other.seconds


def _load(port: int, n: int, concurrency: int, expected: bytes, max_seconds: float) -> _Sample:
    """Send ``n`` GETs over ``concurrency`` keep-alive connections, or fewer if time runs out."""

    def send(conn: http.client.HTTPConnection, _i: int, out: _Sample) -> None:
        t0 = time.perf_counter()
        conn.request("GET", PATH)
        resp = conn.getresponse()
        body = resp.read()
        out.latencies.append(time.perf_counter() - t0)
        out.statuses[resp.status] += 1
        out.mismatches += body != expected

    parts = [_Sample() for _ in range(concurrency)]
    total = _Sample(seconds=drive(port, parts, n, max_seconds, send))
    for part in parts:
        total.merge(part)  # the parts' own seconds are 0: the wall time is the run's
    return total


def _summary(name: str, planned: int, sample: _Sample) -> ServerResult:
    lat = sample.latencies
    cuts = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
    return ServerResult(
        name=name,
        planned=planned,
        requests=len(lat),
        seconds=sample.seconds,
        rps=len(lat) / sample.seconds if sample.seconds else 0.0,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        statuses=dict(sorted(sample.statuses.items())),
        body_mismatches=sample.mismatches,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def measure(
    *,
    requests: int = 2000,
    concurrency: int = 4,
    rounds: int = 2,
    warmup: int | None = None,
    max_seconds: float = 45.0,
) -> BenchResult:
    """Run the whole benchmark and return both servers' figures and the ratios dyrd/bare.

    ``max_seconds`` caps each server's measured load (split over the rounds), so a slow
    endpoint ends the run early instead of making it last minutes; the result says so.
    """
    if requests < 1 or concurrency < 1 or rounds < 1 or max_seconds <= 0:
        raise ValueError("requests, concurrency and rounds must be at least 1, max_seconds > 0")
    warm = warmup if warmup is not None else min(200, max(10, requests // 10))
    per_round = [requests // rounds + (i < requests % rounds) for i in range(rounds)]
    with tempfile.TemporaryDirectory(prefix="dyrd-bench-") as tmp, ExitStack() as stack:
        database_url = _prepare_database(Path(tmp))
        dyrd_port = stack.enter_context(_server("dyrd", Path(tmp), database_url=database_url))
        status, body = _get(dyrd_port)
        if status != 200:
            raise RuntimeError(f"GET {PATH} answered {status}: {body[:200]!r}")
        body_file = Path(tmp) / "cities.json"
        body_file.write_bytes(body)
        bare_port = stack.enter_context(_server("bare", Path(tmp), body_file=str(body_file)))

        ports = {"bare": bare_port, "dyrd": dyrd_port}
        samples = {name: _Sample() for name in ports}
        for port in ports.values():
            _load(port, warm, concurrency, body, WARMUP_MAX_S)
        # Alternate the servers round by round, so slow drift of the machine hits both alike.
        for n in per_round:
            for name, port in ports.items():
                if n:
                    samples[name].merge(_load(port, n, concurrency, body, max_seconds / rounds))

    dyrd = _summary("dyrd", requests, samples["dyrd"])
    bare = _summary("bare", requests, samples["bare"])
    return BenchResult(
        path=PATH,
        requests=requests,
        concurrency=concurrency,
        rounds=rounds,
        warmup=warm,
        max_seconds=max_seconds,
        body_bytes=len(body),
        uvicorn=dict(UVICORN_SETTINGS),
        dyrd=dyrd,
        bare=bare,
        rps_ratio=_ratio(dyrd.rps, bare.rps),
        p50_ratio=_ratio(dyrd.p50_ms, bare.p50_ms),
        p99_ratio=_ratio(dyrd.p99_ms, bare.p99_ms),
    )


def render(result: BenchResult) -> str:
    """The human-readable table."""
    head = (
        f"GET {result.path} over loopback HTTP: {result.requests} requests per server "
        f"({result.rounds} rounds, {result.warmup} warm-up), {result.concurrency} keep-alive "
        f"connections, {result.body_bytes} byte body, uvicorn loop={result.uvicorn['loop']} "
        f"http={result.uvicorn['http']}, Python {result.python}"
    )
    rows = [
        ("", "rps", "p50 ms", "p99 ms"),
        _row("bare Starlette", result.bare.rps, result.bare.p50_ms, result.bare.p99_ms, ".1f"),
        _row("dyrd", result.dyrd.rps, result.dyrd.p50_ms, result.dyrd.p99_ms, ".1f"),
        _row("dyrd / bare", result.rps_ratio, result.p50_ratio, result.p99_ratio, ".3g"),
    ]
    lines = [head, ""]
    lines += [f"{a:<16}{b:>12}{c:>12}{d:>12}" for a, b, c, d in rows]
    for server in (result.bare, result.dyrd):
        if server.requests < server.planned:
            lines.append(
                f"NOTE {server.name}: time cap of {result.max_seconds:g} s reached after "
                f"{server.requests} of {server.planned} requests (figures are from those)"
            )
        if server.statuses != {200: server.requests} or server.body_mismatches:
            lines.append(
                f"WARNING {server.name}: statuses {server.statuses}, "
                f"{server.body_mismatches} bodies differ from the captured one"
            )
    return "\n".join(lines)


def _row(
    label: str, rps: float, p50: float, p99: float, rps_format: str
) -> tuple[str, str, str, str]:
    latency_format = ".3g" if rps_format == ".3g" else ".3f"
    return label, format(rps, rps_format), format(p50, latency_format), format(p99, latency_format)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None, *, out: Callable[[str], None] = print) -> int:
    """Command line: measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--requests", type=_positive, default=2000, help="per server, after warm-up"
    )
    parser.add_argument("--concurrency", type=_positive, default=4, help="keep-alive connections")
    parser.add_argument("--rounds", type=_positive, default=2, help="alternating rounds")
    parser.add_argument(
        "--max-seconds", type=float, default=45.0, help="cap on each server's measured load"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    # Internal: how the parent starts each server in a child process.
    parser.add_argument("--serve", choices=["dyrd", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--body-file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.serve, args.database_url, args.body_file)
        return 0
    result = measure(
        requests=args.requests,
        concurrency=args.concurrency,
        rounds=args.rounds,
        max_seconds=args.max_seconds,
    )
    out(json.dumps(asdict(result), indent=2) if args.json else render(result))
    failed = any(
        s.statuses != {200: s.requests} or s.body_mismatches for s in (result.dyrd, result.bare)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
