"""What the HTTP benchmarks share: uvicorn servers in child processes, and a load generator.

A benchmark script runs itself with ``--serve ...`` in a child process; the child builds its app
and calls :func:`serve`, which prints the port and serves until the parent closes its stdin. The
parent starts it with :func:`child_server` (or :func:`child_process`, which also gives its pid
for :func:`cpu_seconds`) and drives it with :func:`drive`: a bounded number of requests over a
few keep-alive connections, one thread each, all starting together. :func:`drive_raw` does the
same over :class:`RawConnection`, which sends prepared request bytes and leaves header parsing
for later, so the client (which shares the machine's cores with the server) costs less.
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
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeVar

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


class _Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)


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


@dataclass(frozen=True, slots=True)
class Child:
    """A server child process: its loopback port and process id."""

    port: int
    pid: int


@contextmanager
def child_server(args: Sequence[str], *, env: Mapping[str, str] | None = None) -> Iterator[int]:
    """``python *args`` in a child process that calls :func:`serve`; yields its port, stops it."""
    with child_process(args, env=env) as child:
        yield child.port


@contextmanager
def child_process(args: Sequence[str], *, env: Mapping[str, str] | None = None) -> Iterator[Child]:
    """Like :func:`child_server`, yielding the port and the pid."""
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
        yield Child(_read_port(proc, proc.stdout), proc.pid)
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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds process ``pid`` has used (Linux ``/proc``; NaN elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:  # a procfs read
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    # After the command name: state is field 3 of proc(5), utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RawConnection:
    """A keep-alive HTTP/1.1 connection that sends prepared request bytes and returns the raw
    head: a few microseconds of client work per request where ``http.client`` spends a lot more
    (it parses every response header with the ``email`` package)."""

    def __init__(self, port: int, *, timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = b""

    def exchange(self, request: bytes) -> tuple[int, bytes, bytes]:
        """Send one request; its status, head (status line and headers) and body.

        The answer must carry Content-Length (uvicorn sets it on every non-streamed response).
        """
        self.sock.sendall(request)
        buf = self._buf
        while (end := buf.find(b"\r\n\r\n")) < 0:
            buf += self._recv()
        head = buf[:end]
        at = head.lower().find(b"\r\ncontent-length:")
        if at < 0:
            raise ValueError(f"answer without Content-Length: {head[:200]!r}")
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop >= 0 else len(head)])
        start = end + 4
        while len(buf) < start + length:
            buf += self._recv()
        self._buf = buf[start + length :]
        return int(head[9:12]), head, buf[start : start + length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-answer")
        return chunk

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


def request_bytes(target: str, port: int, headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """A GET as ``http.client`` sends it (``Host`` first), for :meth:`RawConnection.exchange`."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_head(head: bytes) -> list[tuple[str, str]]:
    """The header fields of a raw head from :meth:`RawConnection.exchange`, in order."""
    out: list[tuple[str, str]] = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        out.append((name.strip(), value.strip()))
    return out


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

    def connect() -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        conn.connect()
        return conn

    return _drive(connect, parts, n, max_seconds, send)


def drive_raw(
    port: int,
    parts: Sequence[P],
    n: int,
    max_seconds: float,
    send: Callable[[RawConnection, int, P], None],
) -> float:
    """:func:`drive` over :class:`RawConnection` connections."""
    return _drive(lambda: RawConnection(port), parts, n, max_seconds, send)


def _drive(
    connect: Callable[[], C],
    parts: Sequence[P],
    n: int,
    max_seconds: float,
    send: Callable[[C, int, P], None],
) -> float:
    tickets = itertools.count()  # next() on a count is atomic under the GIL
    deadline = [float("inf")]
    start = threading.Barrier(len(parts) + 1)
    errors: list[BaseException] = []

    def worker(part: P) -> None:
        conn: C | None = None
        try:
            conn = connect()
            start.wait()
            while (i := next(tickets)) < n and time.perf_counter() < deadline[0]:
                send(conn, i, part)
        except BaseException as exc:  # reported by the caller, never swallowed
            errors.append(exc)
            start.abort()
        finally:
            if conn is not None:
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
