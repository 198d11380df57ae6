"""What the HTTP benchmarks share: uvicorn servers in child processes, and a load generator.

A benchmark script runs itself with ``--serve ...`` in a child process; the child builds its app
and calls :func:`serve`, which prints the port and serves until the parent closes its stdin. The
parent starts it with :func:`child_server` and drives it with :func:`drive`: a bounded number of
requests over a few keep-alive connections, one thread each, all starting together.
"""

from __future__ import annotations

import http.client
import itertools
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

HOST = "127.0.0.1"

# The same for every server; access logs off so none pays for writing a line per request.
UVICORN_SETTINGS: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,
    "loop": "asyncio",
    "http": "h11",
    "lifespan": "on",
}

STARTUP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 30.0

P = TypeVar("P")


# --------------------------------------------------------------------------------------------
# Child side


def serve(app: Any, *, port: int = 0, reuse_port: bool = False) -> None:
    """Run ``app``; print its port on stdout; stop when stdin closes (the parent is gone).

    ``reuse_port``: several processes share one port (SO_REUSEPORT: the kernel spreads
    connections over them), which is how a benchmark runs more than one worker.
    """
    import uvicorn

    # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # IPPROTO_TCP, and without it Nagle plus delayed ACKs add ~40 ms to every response.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((HOST, port))
    sock.listen(1024)
    server = uvicorn.Server(uvicorn.Config(app, **UVICORN_SETTINGS))

    def stop_when_parent_leaves() -> None:
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=stop_when_parent_leaves, daemon=True).start()
    sys.stdout.write(f"{sock.getsockname()[1]}\n")
    sys.stdout.flush()
    server.run(sockets=[sock])


# --------------------------------------------------------------------------------------------
# Parent side


@contextmanager
def child_server(args: Sequence[str], *, env: Mapping[str, str] | None = None) -> Iterator[int]:
    """``python *args`` in a child process that calls :func:`serve`; yields its port, stops it."""
    proc = subprocess.Popen(  # noqa: S603  # our own interpreter and script, fixed arguments
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(env if env is not None else os.environ),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        yield _read_port(proc, proc.stdout)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def _read_port(proc: subprocess.Popen[str], stdout: IO[str]) -> int:
    ready, _, _ = select.select([stdout], [], [], STARTUP_TIMEOUT_S)
    line = stdout.readline() if ready else ""
    if not line.strip().isdigit():
        proc.kill()
        raise RuntimeError(f"server did not start (exit code {proc.poll()}); see stderr above")
    return int(line)


def drive(
    port: int,
    parts: Sequence[P],
    n: int,
    max_seconds: float,
    send: Callable[[http.client.HTTPConnection, int, P], None],
) -> float:
    """Requests ``0..n-1``, each by ``send(conn, i, part)``, over one keep-alive connection (and
    thread) per part, until all are sent or ``max_seconds`` pass; the wall seconds taken.

    The threads connect first and start together; the first error in any of them is raised.
    """
    tickets = itertools.count()  # next() on a count is atomic under the GIL
    deadline = [float("inf")]
    start = threading.Barrier(len(parts) + 1)
    errors: list[BaseException] = []

    def worker(part: P) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        try:
            conn.connect()
            start.wait()
            while (i := next(tickets)) < n and time.perf_counter() < deadline[0]:
                send(conn, i, part)
        except BaseException as exc:  # reported by the caller, never swallowed
            errors.append(exc)
            start.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(p,), daemon=True) for p in parts]
    for t in threads:
        t.start()
    # Set before the barrier opens: no worker reads it until then.
    deadline[0] = time.perf_counter() + max_seconds
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return elapsed
