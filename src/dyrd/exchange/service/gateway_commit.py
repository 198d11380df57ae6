"""Group commit: many threads' writes in one transaction, each acknowledged only after it.

A thread that submits while no commit is running becomes the leader: it takes every queued item
(its own included), writes them on its own session, commits once, and wakes the others; items
that arrive meanwhile wait for the next leader. Nothing is acknowledged before the commit that
holds it has returned, so a crash loses only work no caller was told about, and one fsync is
shared by everyone who arrived while the previous one ran (the write-ahead-log technique of
database servers, e.g. PostgreSQL's commit_delay, applied one level up).

On a SQLite file several server processes may share, the leaders of those processes also take
turns on an advisory lock file beside the database (:class:`SqliteWriterTurns`): SQLite's own
busy handler sleeps 1, 2, 5, 10 ... ms between tries, so a leader that finds the database locked
would wait for the next sleep to end, where one waiting on the lock file wakes as soon as the
other leader commits. The lock only orders who tries first; SQLite's locking still decides.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

try:
    import fcntl
except ImportError:  # pragma: no cover  # not on Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

DEFAULT_MAX_BATCH = 256
"""Most items one commit takes; the rest wait for the next leader (bounds a transaction)."""


@dataclass(slots=True)
class _Slot(Generic[T]):
    item: T
    done: bool = False
    error: BaseException | None = None


class SqliteWriterTurns:
    """Leaders of processes sharing a SQLite file take turns on ``<file>-writer.lock``.

    A no-op for other databases (PostgreSQL queues row-lock waiters and wakes them at once) and
    for in-memory SQLite. One open file per database path, kept for the process's lifetime.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, int] = {}

    def _fd(self, session: Session) -> int | None:
        url = session.get_bind().engine.url  # a Connection (tests) or an Engine
        if fcntl is None or url.get_backend_name() != "sqlite":
            return None
        database = url.database or ""
        if database in {"", ":memory:"} or database.startswith("file:"):
            return None
        path = os.path.abspath(database) + "-writer.lock"
        with self._lock:
            fd = self._files.get(path)
            if fd is None:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                self._files[path] = fd
        return fd

    @contextlib.contextmanager
    def turn(self, session: Session) -> Iterator[None]:
        """Hold this process's turn to write ``session``'s database (blocking until it is)."""
        fd = self._fd(session)
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class GroupCommit(Generic[T]):
    """Batches ``write(session, items)`` + commit across threads (see the module docstring)."""

    def __init__(
        self,
        write: Callable[[Session, Sequence[T]], None],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._turns = SqliteWriterTurns()
        self._cv = threading.Condition()
        self._queue: list[_Slot[T]] = []
        self._leading = False
        self.commits = 0
        self.items = 0

    def submit(self, session: Session, item: T) -> None:
        """Return once ``item`` is committed; raise what its batch's write or commit raised."""
        slot = _Slot(item)
        with self._cv:
            self._queue.append(slot)
        while True:
            with self._cv:
                while not slot.done and self._leading:
                    self._cv.wait()
                if slot.done:
                    break
                self._leading = True
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
            self._lead(session, batch)
        if slot.error is not None:
            raise slot.error

    def _lead(self, session: Session, batch: list[_Slot[T]]) -> None:
        error: BaseException | None = None
        try:
            with self._turns.turn(session):
                self._write(session, [s.item for s in batch])
                session.commit()
        except BaseException as exc:  # handed to every waiter of the batch, re-raised there
            session.rollback()
            error = exc
        with self._cv:
            for s in batch:
                s.done, s.error = True, error
            self._leading = False
            if error is None:
                self.commits += 1
                self.items += len(batch)
            self._cv.notify_all()
