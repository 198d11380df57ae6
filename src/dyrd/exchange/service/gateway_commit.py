"""Group commit: many threads' writes in one transaction, each acknowledged only after it.

A thread that submits while no commit is running becomes the leader: it takes every queued item
(its own included), writes them on its own session, commits once, and wakes the others; items
that arrive meanwhile wait for the next leader. Nothing is acknowledged before the commit that
holds it has returned, so a crash loses only work no caller was told about, and one fsync is
shared by everyone who arrived while the previous one ran (the write-ahead-log technique of
database servers, e.g. PostgreSQL's commit_delay, applied one level up).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")

DEFAULT_MAX_BATCH = 256
"""Most items one commit takes; the rest wait for the next leader (bounds a transaction)."""


@dataclass(slots=True)
class _Slot(Generic[T]):
    item: T
    done: bool = False
    error: BaseException | None = None


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
