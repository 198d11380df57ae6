"""The background-refresh lifecycle the node's HTTP clients share (directory, trust list,
revocation): one daemon thread that runs a poll at once and then every ``interval`` seconds until
``close()``, and that logs a crashing poll instead of dying silently."""

from __future__ import annotations

import logging
import threading
from typing import Self

log = logging.getLogger(__name__)


class PollingClient:
    """Base for clients that refresh in a daemon thread; subclasses define ``_poll`` and
    ``_release`` (what ``close()`` frees once polling has stopped)."""

    def __init__(self, *, interval: float, thread_name: str) -> None:
        self.interval = interval
        self._thread_name = thread_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _poll(self) -> object:
        """One refresh; its result is ignored by the polling thread."""
        raise NotImplementedError

    def _release(self) -> None:
        """Free what the client holds (connection pools, files) after polling stopped."""

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll()
            except Exception:  # a poller that dies silently is worse than one that logs
                log.exception("%s: poll crashed", self._thread_name)
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Poll in a daemon thread every ``interval`` seconds (first poll at once)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop polling, wait for the thread, then release the client's resources."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
