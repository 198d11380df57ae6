"""Throughput and latency of the signed gateway, against the same rows read without it.

One uvicorn child process serves the real application (``dyrd.bootstrap.build_app``) on a
temporary SQLite database (or ``--database-url``), prepared with two members with ES256 keys in
a key directory, a table of rows with an identifier column, and a grant. The app gets one extra
plain route, ``GET /bench/direct/{resource}``, that reads the same rows with the same limit and
returns the same granted columns: no signature, grant, pseudonyms or ledger.

The parent process is the consumer. Before each round it signs every request of the round (the
consumer gateway's own code: fresh nonce, RFC 9421 signature with the member key), then sends
them over keep-alive loopback connections and times each exchange: signature and digest check,
key lookup, nonce claim, grant check, field filter, pseudonymisation, signed response, ledger
append and commit on the server. Every fabric answer is then verified as a consumer would
(signature, digest, binding to its request), outside the timed part. Rounds alternate fabric
and direct, so drift of the machine hits both alike.

Client and server share the machine's cores, so the bench also reports what each costs: CPU
milliseconds per request of the server processes (from ``/proc``) and of this client process.
The client sends prepared request bytes over raw keep-alive sockets (``_loopback.RawConnection``)
and parses answers only when verifying them, so it takes as little of the machine as it can.

    python bench/exchange.py [--requests 2000] [--concurrency 8] [--rounds 2] [--json]
        [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# At module level: FastAPI reads the route's string annotations (PEP 563) from these globals.
from fastapi import APIRouter, Request, Response

if not __package__:  # run as `python bench/exchange.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._loopback import (
    HOST,
    Child,
    RawConnection,
    child_process,
    cpu_seconds,
    drive_raw,
    parse_head,
    request_bytes,
    serve,
)

CONSUMER = "CN-YRD/GOV/310000"
PROVIDER = "CN-YRD/GOV/330000"
FIELDS = ("code", "name", "district", "score")
COLUMNS = [
    {"name": "code", "type": "string", "required": True, "unique": True},
    {"name": "name", "type": "string", "personal_data": "identifier"},
    {"name": "district", "type": "string"},
    {"name": "score", "type": "number"},
    {"name": "note", "type": "string"},
]


# --------------------------------------------------------------------------------------------
# The prepared world (also used in-process by tests/exchange/test_gateway.py)


def _settings(database_url: str, workdir: Path) -> Any:
    from dyrd.core.config import Settings

    return Settings(
        database_url=database_url,
        key_dir=workdir / "keys",
        pseudonym_secret_path=workdir / "pseudonym.secret",
        ledger_key_path=workdir / "ledger-ed25519.pem",
    )


@dataclass
class Setup:
    """A database with the bench's members, keys, table and grant, and an app serving it."""

    database_url: str
    workdir: Path
    app: Any
    engine: Any
    session_factory: Callable[[], Any]
    keystore: Any
    clock: Callable[[], Any]
    resource_id: str
    grant_id: str
    rows: int
    limit: int
    fields: tuple[str, ...] = FIELDS

    def set_node(self, url: str) -> None:
        """Register the provider's node URL in the directory tables."""
        from dyrd.core.actor import Actor
        from dyrd.trust import service as trust_service

        with self.session_factory() as session:
            trust_service.set_node(
                session, PROVIDER, url=url, services=[], by=Actor.system(), clock=self.clock
            )

    def fetch_request(self) -> Any:
        """The request every fabric exchange makes."""
        from dyrd.exchange.service.gateway_consumer import FetchRequest

        return FetchRequest(
            consumer_member=CONSUMER,
            provider_member=PROVIDER,
            resource_id=self.resource_id,
            grant_id=self.grant_id,
            fields=self.fields,
            user_id="CNbench",
            issue="bench",
            limit=self.limit,
        )

    def close(self) -> None:
        """Dispose of the engine."""
        self.engine.dispose()


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c["name"] for c in COLUMNS])
    for i in range(rows):
        writer.writerow([f"C{i:06d}", f"Person {i}", f"D{i % 7}", f"{(i * 37) % 100}.5", "x" * 8])
    return out.getvalue().encode()


def prepare(
    workdir: Path, database_url: str | None = None, *, rows: int = 50, limit: int = 20
) -> Setup:
    """Migrate, load members, give both members keys, create the table, its rows and a grant."""
    from sqlalchemy.orm import Session

    from dyrd import bootstrap
    from dyrd.core.actor import Actor
    from dyrd.core.auth import Principal
    from dyrd.core.clock import utc_now
    from dyrd.core.db import create_db_engine, make_session_factory
    from dyrd.core.types import Role
    from dyrd.exchange import service
    from dyrd.exchange.access_schemas import AccessRequestCreate, DecisionCreate
    from dyrd.exchange.compute.tabular import FileFormat
    from dyrd.exchange.schemas import ResourceCreate
    from dyrd.region import service as region_service
    from dyrd.trust import service as trust_service

    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    settings = _settings(url, workdir)
    engine = create_db_engine(url)
    bootstrap.upgrade_database(engine)  # SQLite: WAL journal, by create_db_engine
    keystore = bootstrap.trust_keystore(settings)
    steward = Principal("bench.steward", {PROVIDER: frozenset({Role.DATA_STEWARD})})
    analyst = Principal("bench.analyst", {CONSUMER: frozenset({Role.ANALYST})})
    with Session(engine) as session:
        region_service.load_bundled(session, clock=utc_now)
        trust_service.load_default_members(session, clock=utc_now)
        for member in (CONSUMER, PROVIDER):
            trust_service.rotate_key(
                session, member, algorithm="ES256", keystore=keystore, by=Actor.system(),
                clock=utc_now,
            )  # fmt: skip
        body = {
            "owner_member": PROVIDER,
            "kind": "table",
            "name": f"bench-gateway-{secrets.token_hex(4)}",
            "title_zh": "网关基准测试表",
            "title_en": "Gateway benchmark table",
            "description_zh": "基准测试数据。",
            "description_en": "Benchmark rows.",
            "owner_name_zh": "浙江省",
            "sharing_class": "conditional",
            "themes": ["GOVE"],
            "keywords": ["bench"],
            "frequency": "DAILY",
            "spatial": ["330000"],
            "licence": "CC_BY_4_0",
            "contact_name": "bench",
            "contact_email": "bench@example.invalid",
            "columns": COLUMNS,
        }
        rid = service.create_resource(
            session, ResourceCreate.model_validate(body), principal=steward, clock=utc_now
        ).id
        service.upload_data(
            session, rid, content=_csv(rows), fmt=FileFormat.CSV, principal=steward, clock=utc_now
        )
        request = AccessRequestCreate.model_validate(
            {
                "resource": rid,
                "consumer_member": CONSUMER,
                "purpose_code": "market_regulation",
                "purpose_zh": "基准测试",
                "legal_basis": "《政务数据共享条例》第十四条",
                "fields": list(FIELDS),
                "duration_days": 30,
            }
        )
        policy = bootstrap.exchange_access_policy(settings)
        req = service.request_access(
            session, request, principal=analyst, clock=utc_now, policy=policy
        )
        decided = service.decide(
            session,
            req.id,
            DecisionCreate.model_validate({"decision": "approve"}),
            principal=steward,
            clock=utc_now,
        )
        assert decided.grant_id is not None
    app = build(url, workdir, engine=engine)
    return Setup(
        database_url=url,
        workdir=workdir,
        app=app,
        engine=engine,
        session_factory=make_session_factory(engine),
        keystore=keystore,
        clock=utc_now,
        resource_id=rid,
        grant_id=decided.grant_id,
        rows=rows,
        limit=limit,
    )


def build(database_url: str, workdir: Path, *, engine: Any = None) -> Any:
    """The application as deployed, plus the plain ``/bench/direct/{resource}`` route."""
    from dyrd import bootstrap
    from dyrd.exchange.repository import ExchangeRepository

    app = bootstrap.build_app(_settings(database_url, workdir), engine=engine)
    router = APIRouter()

    @router.get("/bench/direct/{resource_id}")
    def direct(resource_id: str, request: Request, limit: int = 20) -> Response:
        with request.app.state.session_factory() as session:
            repo = ExchangeRepository(session)
            res = repo.resource(resource_id)
            if res is None or res.data_version is None:
                return Response(status_code=404)
            ver = repo.version(res.id, res.data_version)
            assert ver is not None
            rows = [{f: r.get(f) for f in FIELDS} for r in repo.rows(ver.id, limit=limit)]
        body = {"resource_id": res.id, "columns": list(FIELDS), "rows": rows}
        return Response(json.dumps(body).encode(), media_type="application/json")

    app.include_router(router)
    return app


# --------------------------------------------------------------------------------------------
# Child side: the server


def _serve(database_url: str, workdir: str, port: int = 0) -> None:
    """Run the app on ``port`` (0: a free one), sharing it with other such processes."""
    serve(build(database_url, Path(workdir)), port=port, reuse_port=True)


def _serve_args(database_url: str, workdir: Path, port: int = 0) -> list[str]:
    args = [str(Path(__file__).resolve()), "--serve", "--port", str(port)]
    return [*args, "--database-url", database_url, "--workdir", str(workdir)]


@contextmanager
def _servers(database_url: str, workdir: Path, workers: int) -> Iterator[list[Child]]:
    """``workers`` server processes on one loopback port."""
    with ExitStack() as stack:
        first = stack.enter_context(child_process(_serve_args(database_url, workdir)))
        children = [first]
        for _ in range(workers - 1):
            args = _serve_args(database_url, workdir, first.port)
            children.append(stack.enter_context(child_process(args)))
        yield children


# --------------------------------------------------------------------------------------------
# Parent side: load


@dataclass
class _Sample:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    client_cpu: float = 0.0
    """CPU seconds of this (client) process while it sent the requests."""
    server_cpu: float = 0.0
    """CPU seconds of the server processes meanwhile."""
    answers: list[tuple[int, Any, int, bytes, bytes]] = field(default_factory=list)

    def merge(self, other: _Sample) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.seconds += other.seconds
        self.client_cpu += other.client_cpu
        self.server_cpu += other.server_cpu
        self.answers += other.answers


Planned = tuple[bytes, Any]  # the request's bytes, what verifies the answer (None: nothing)


def _load(
    servers: list[Child], plan: list[Planned], concurrency: int, max_seconds: float
) -> _Sample:
    """Send the planned requests over ``concurrency`` keep-alive connections, timing each."""

    def send(conn: RawConnection, i: int, out: _Sample) -> None:
        data, sent = plan[i]
        t0 = time.perf_counter()
        status, head, body = conn.exchange(data)
        out.latencies.append(time.perf_counter() - t0)
        out.statuses[status] += 1
        if sent is not None:
            out.answers.append((i, sent, status, head, body))

    parts = [_Sample() for _ in range(concurrency)]
    server0 = sum(cpu_seconds(c.pid) for c in servers)
    client0 = time.process_time()
    seconds = drive_raw(servers[0].port, parts, len(plan), max_seconds, send)
    total = _Sample(
        seconds=seconds,
        client_cpu=time.process_time() - client0,
        server_cpu=sum(cpu_seconds(c.pid) for c in servers) - server0,
    )
    for part in parts:
        total.merge(part)
    return total


def _fabric_plan(setup: Setup, gateway: Any, port: int, n: int) -> list[Planned]:
    base = f"http://{HOST}:{port}"
    plan: list[Planned] = []
    with setup.session_factory() as session:
        for _ in range(n):
            sent = gateway.sign(session, setup.fetch_request(), base_url=base)
            parts = urlsplit(sent.url)
            target = f"{parts.path}?{parts.query}"
            plan.append((request_bytes(target, port, sent.headers), sent))
    return plan


def _direct_plan(setup: Setup, port: int, n: int) -> list[Planned]:
    target = f"/bench/direct/{setup.resource_id}?limit={setup.limit}"
    return [(request_bytes(target, port), None)] * n


def _verify(setup: Setup, gateway: Any, sample: _Sample) -> int:
    """Check every fabric answer as the consumer does; how many failed."""
    from dyrd.exchange.ports import RawResponse

    failed = 0
    with setup.session_factory() as session:
        for _i, sent, status, head, body in sample.answers:
            try:
                raw = RawResponse(status, parse_head(head), body)
                gateway.verify_response(session, sent, raw, provider_member=PROVIDER)
                rows = json.loads(body)["rows"]
                failed += len(rows) != setup.limit or status != 200
            except Exception:  # counted, reported in the result
                failed += 1
    return failed


@dataclass(frozen=True, slots=True)
class BenchResult:
    """The figures the brief asks for, and how they were measured."""

    fabric_rps: float
    direct_rps: float
    p50_ms: float
    p99_ms: float
    overhead_p50_ms: float
    direct_p50_ms: float
    direct_p99_ms: float
    requests: int
    fabric_requests: int
    direct_requests: int
    concurrency: int
    rounds: int
    fabric_statuses: dict[int, int]
    direct_statuses: dict[int, int]
    unverified_answers: int
    database: str
    workers: int
    fabric_server_cpu_ms: float = float("nan")
    """Server CPU milliseconds per fabric exchange (all server processes, from ``/proc``)."""
    direct_server_cpu_ms: float = float("nan")
    fabric_client_cpu_ms: float = float("nan")
    """This client's CPU milliseconds per fabric exchange (sending, timing, reading)."""
    direct_client_cpu_ms: float = float("nan")
    python: str = field(default_factory=lambda: sys.version.split()[0])


def _quantiles(lat: list[float]) -> tuple[float, float]:
    if not lat:
        return float("nan"), float("nan")
    cuts = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
    return cuts[49] * 1000, cuts[98] * 1000


def measure(
    *,
    requests: int = 2000,
    concurrency: int = 8,
    rounds: int = 2,
    warmup: int = 100,
    max_seconds: float = 40.0,
    database_url: str | None = None,
    rows: int = 50,
    limit: int = 20,
    workers: int = 1,
) -> BenchResult:
    """Run the benchmark (bounded by ``requests`` and ``max_seconds``) and return the figures."""
    from dyrd.exchange.adapters.gateway_client import HttpxGatewayTransport
    from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator
    from dyrd.exchange.service.gateway_consumer import ConsumerGateway

    if requests < 1 or concurrency < 1 or rounds < 1:
        raise ValueError("requests, concurrency and rounds must be at least 1")
    per_round = [requests // rounds + (i < requests % rounds) for i in range(rounds)]
    with tempfile.TemporaryDirectory(prefix="dyrd-bench-x-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        setup = prepare(workdir, database_url, rows=rows, limit=limit)
        stack.callback(setup.close)
        servers = stack.enter_context(_servers(setup.database_url, workdir, workers))
        port = servers[0].port
        setup.set_node(f"http://{HOST}:{port}")
        gateway = ConsumerGateway(
            transport=HttpxGatewayTransport(),
            keystore=setup.keystore,
            locator=DatabaseMemberLocator(),
            clock=setup.clock,
        )
        fabric, direct = _Sample(), _Sample()
        _load(servers, _fabric_plan(setup, gateway, port, warmup), concurrency, 10)
        _load(servers, _direct_plan(setup, port, warmup), concurrency, 10)
        unverified = 0
        for n in per_round:
            plan = _fabric_plan(setup, gateway, port, n)
            got = _load(servers, plan, concurrency, max_seconds / rounds / 2)
            unverified += _verify(setup, gateway, got)
            got.answers.clear()
            fabric.merge(got)
            direct_plan = _direct_plan(setup, port, n)
            direct.merge(_load(servers, direct_plan, concurrency, max_seconds / rounds / 2))
        database = setup.engine.dialect.name
    p50, p99 = _quantiles(fabric.latencies)
    d50, d99 = _quantiles(direct.latencies)

    def per_request(seconds: float, sample: _Sample) -> float:
        return seconds / len(sample.latencies) * 1000 if sample.latencies else float("nan")

    return BenchResult(
        fabric_rps=len(fabric.latencies) / fabric.seconds if fabric.seconds else 0.0,
        direct_rps=len(direct.latencies) / direct.seconds if direct.seconds else 0.0,
        p50_ms=p50,
        p99_ms=p99,
        overhead_p50_ms=p50 - d50,
        direct_p50_ms=d50,
        direct_p99_ms=d99,
        requests=requests,
        fabric_requests=len(fabric.latencies),
        direct_requests=len(direct.latencies),
        concurrency=concurrency,
        rounds=rounds,
        fabric_statuses=dict(fabric.statuses),
        direct_statuses=dict(direct.statuses),
        unverified_answers=unverified,
        database=database,
        workers=workers,
        fabric_server_cpu_ms=per_request(fabric.server_cpu, fabric),
        direct_server_cpu_ms=per_request(direct.server_cpu, direct),
        fabric_client_cpu_ms=per_request(fabric.client_cpu, fabric),
        direct_client_cpu_ms=per_request(direct.client_cpu, direct),
    )


def render(result: BenchResult) -> str:
    """The human-readable table."""
    lines = [
        f"Signed gateway vs direct read over loopback HTTP ({result.database}): "
        f"{result.requests} requests each, {result.concurrency} connections, "
        f"{result.workers} server processes, "
        f"{result.rounds} rounds, Python {result.python}",
        "",
        f"{'':<10}{'rps':>10}{'p50 ms':>10}{'p99 ms':>10}{'server CPU':>12}{'client CPU':>12}",
        f"{'fabric':<10}{result.fabric_rps:>10.1f}{result.p50_ms:>10.2f}{result.p99_ms:>10.2f}"
        f"{result.fabric_server_cpu_ms:>12.2f}{result.fabric_client_cpu_ms:>12.2f}",
        f"{'direct':<10}{result.direct_rps:>10.1f}"
        f"{result.direct_p50_ms:>10.2f}{result.direct_p99_ms:>10.2f}"
        f"{result.direct_server_cpu_ms:>12.2f}{result.direct_client_cpu_ms:>12.2f}",
        f"{'overhead':<10}{'':>10}{result.overhead_p50_ms:>10.2f}",
        f"fabric/direct rps ratio: {result.fabric_rps / result.direct_rps:.3g}; "
        "CPU columns: milliseconds per request",
    ]
    if (
        result.unverified_answers
        or set(result.fabric_statuses) != {200}
        or set(result.direct_statuses) != {200}
    ):
        lines.append(
            f"WARNING: statuses fabric {result.fabric_statuses}, direct {result.direct_statuses}, "
            f"{result.unverified_answers} answers failed verification"
        )
    return "\n".join(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None, *, out: Callable[[str], None] = print) -> int:
    """Command line: measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=_positive, default=2000, help="per path, after warm-up")
    parser.add_argument("--concurrency", type=_positive, default=8, help="keep-alive connections")
    parser.add_argument("--rounds", type=_positive, default=2, help="alternating rounds")
    parser.add_argument("--max-seconds", type=float, default=40.0, help="cap on measured load")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--all-figures",
        action="store_true",
        help="JSON of every figure (CPU per request of server and client, statuses, ...)",
    )
    parser.add_argument(
        "--workers", type=_positive, default=1, help="server processes sharing the port"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.database_url, args.workdir, args.port)
        return 0
    result = measure(
        requests=args.requests,
        concurrency=args.concurrency,
        rounds=args.rounds,
        max_seconds=args.max_seconds,
        database_url=args.database_url,
        workers=args.workers,
    )
    if args.all_figures:
        out(json.dumps(dataclasses.asdict(result)))
    elif args.json:
        keys = ("fabric_rps", "direct_rps", "p50_ms", "p99_ms", "overhead_p50_ms")
        data = {k: round(getattr(result, k), 3) for k in keys}
        out(json.dumps(data))
    else:
        out(render(result))
    ok = (
        result.unverified_answers == 0
        and set(result.fabric_statuses) == {200}
        and set(result.direct_statuses) == {200}
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
