"""A node's copy of the signed regional directory: fetched over HTTP, verified, cached on disk.

What X-Road security servers do with the global configuration: poll the central server on an
interval, accept only documents signed by the pinned root key, keep the last good one on disk,
and keep working from it while the central server is unreachable, until it expires.

Refused, and the cached copy kept: a document that does not verify with the pinned root key, one
that has expired or is not yet valid, one with a lower serial than the cached one (a rollback to
an older membership, e.g. one listing a key revoked since), and a different document under the
same serial (a forked issuer). The serial floor survives restarts because the cache is kept on
disk even once expired.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from dyrd.core.clock import Clock
from dyrd.core.poller import PollingClient
from dyrd.trust.compute.directory import (
    MAX_DOCUMENT_BYTES,
    Directory,
    DirectoryRejected,
    check_succession,
    open_directory,
    verify_directory,
)
from dyrd.trust.types import DirectoryState, DirectoryStatus

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60.0
"""Seconds between fetches: X-Road security servers poll the global configuration every 60 s."""


class _Refused(Exception):
    """A fetch that produced nothing usable; the message says why (no document content)."""


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class DirectoryClient(PollingClient):
    """Keeps a verified copy of the directory at ``url`` (implements ``DirectorySource``).

    ``refresh()`` fetches once; ``start()`` fetches every ``interval`` seconds in a daemon
    thread until ``close()``. The state is ``fresh`` after a successful fetch no older than
    ``freshness`` (default two intervals), ``stale-but-valid`` while the cached copy is still
    valid but the latest fetch failed or is overdue, and ``expired`` once no copy is valid.
    """

    def __init__(
        self,
        url: str,
        *,
        root_public_jwk: Mapping[str, Any],
        cache_path: Path,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL,
        freshness: timedelta | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.cache_path = cache_path
        super().__init__(interval=interval, thread_name="dyrd-directory")
        self._root = root_public_jwk
        self._clock = clock
        self._freshness = freshness or timedelta(seconds=2 * interval)
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "dyrd-directory-client"},
        )
        self._lock = threading.Lock()
        self._current: Directory | None = None
        self._etag: str | None = None
        self._last_attempt: datetime | None = None
        self._last_success: datetime | None = None
        self._last_error: str | None = None
        self._load_cache()

    def __repr__(self) -> str:
        return f"DirectoryClient(url={self.url!r}, cache={str(self.cache_path)!r})"

    # --- the port ------------------------------------------------------------------------------

    def status(self) -> DirectoryStatus:
        """Fresh, stale but valid, or expired, with the serial and times of the copy held."""
        now = self._clock()
        with self._lock:
            current, success, error = self._current, self._last_success, self._last_error
            attempt = self._last_attempt
        if current is None or not current.valid_at(now):
            state = DirectoryState.EXPIRED
        elif error is None and success is not None and now - success <= self._freshness:
            state = DirectoryState.FRESH
        else:
            state = DirectoryState.STALE_BUT_VALID
        return DirectoryStatus(
            state=state,
            serial=None if current is None else current.serial,
            issued_at=None if current is None else current.issued_at,
            expires_at=None if current is None else current.expires_at,
            last_attempt_at=attempt,
            last_success_at=success,
            last_error=error,
        )

    def directory(self) -> Directory | None:
        """The cached directory if it is valid now, else None."""
        now = self._clock()
        with self._lock:
            current = self._current
        return current if current is not None and current.valid_at(now) else None

    # --- fetching ------------------------------------------------------------------------------

    def _load_cache(self) -> None:
        try:
            data = self.cache_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self._last_error = f"cache unreadable: {exc.strerror}"
            log.warning("directory cache %s unreadable: %s", self.cache_path, exc.strerror)
            return
        try:
            # Not checked for expiry: an expired copy still sets the serial floor.
            self._current = open_directory(data, self._root)
        except DirectoryRejected as exc:
            self._last_error = f"cache refused ({exc.reason.value}): {exc.message}"
            log.warning("directory cache %s refused: %s", self.cache_path, exc.reason.value)

    def _fetch(self) -> tuple[bytes | None, str | None]:
        """(document, etag), or (None, etag) when the server says it has not changed."""
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            with self._http.stream("GET", self.url, headers=headers) as response:
                etag = response.headers.get("ETag")
                if response.status_code == httpx.codes.NOT_MODIFIED:
                    if not headers:  # only a conditional request may be answered with 304
                        raise _Refused("HTTP 304 to a request that had no If-None-Match")
                    return None, etag
                if response.status_code != httpx.codes.OK:
                    raise _Refused(f"HTTP {response.status_code} from {self.url}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise _Refused(f"document larger than {MAX_DOCUMENT_BYTES} bytes")
                return bytes(body), etag
        except httpx.HTTPError as exc:
            raise _Refused(f"unreachable: {type(exc).__name__}") from exc

    def refresh(self) -> DirectoryStatus:
        """Fetch once, verify, and adopt the document if it is newer; returns the new status."""
        now = self._clock()
        with self._lock:
            self._last_attempt = now
            current = self._current
        try:
            document, etag = self._fetch()
            if document is not None:
                candidate = verify_directory(document, self._root, at=now)
                if check_succession(current, candidate):
                    _write_atomically(self.cache_path, document)
                    with self._lock:
                        self._current = candidate
                    log.info("directory serial %d adopted", candidate.serial)
        except _Refused as exc:
            self._failed(str(exc))
        except DirectoryRejected as exc:
            self._failed(f"refused ({exc.reason.value}): {exc.message}")
        except OSError as exc:
            self._failed(f"cache not written: {exc.strerror}")
        else:
            with self._lock:
                self._etag = etag
                self._last_success = now
                self._last_error = None
        return self.status()

    def _failed(self, reason: str) -> None:
        with self._lock:
            self._last_error = reason
        log.warning("directory refresh from %s failed: %s", self.url, reason)

    # --- polling (PollingClient runs ``_poll`` in its thread) ---------------------------------

    def _poll(self) -> object:
        return self.refresh()

    def _release(self) -> None:
        self._http.close()
