"""A verifier's copy of the credential trust list: fetched, verified, cached, usable offline.

What DCC verifier apps do with the gateway's trust list, made incremental: fetch the full list
once, then only the changes since the version held (``?since=V``), each document signed by the
region's root key (the key the node pins for the directory). The cache file holds the signed
documents themselves (the last full one and the deltas after it), so a restarted verifier
re-verifies what it loads and a tampered cache is refused, not trusted.

Refused, and the held copy kept: a bad signature, a document that is not valid now, an older
version (rollback), a delta that does not start at the held version, and a result whose digest
is not the one the issuer signed (then the full list is fetched instead). While the server is
unreachable the held copy keeps answering until it expires; after that ``status()`` says
``expired`` and nothing raises.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from dyrd.core.clock import Clock
from dyrd.core.poller import PollingClient
from dyrd.trust.adapters.directory_client import _write_atomically
from dyrd.trust.compute import trustlist as tl
from dyrd.trust.compute.directory import format_time
from dyrd.trust.ports import DirectorySource
from dyrd.trust.types import DirectoryState

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 300.0
"""Seconds between fetches: 5 minutes, the issue's bound for a revocation to reach verifiers
(DCC verifier apps sync daily; the DCC revocation service pulls every 30 minutes)."""

MAX_DELTAS = 64
"""Deltas kept in the cache before the next refresh fetches a full list instead."""

CACHE_FORMAT = "dyrd-trust-list-cache/1"


def trust_list_url(directory_url: str, reference: str = "trust-list") -> str:
    """The trust list's URL: the directory's pointer resolved against the directory's URL."""
    return urljoin(directory_url, reference)


class _Refused(Exception):
    """A fetch that produced nothing usable; the message says why (no document content)."""


@dataclass(frozen=True, slots=True)
class TrustListStatus:
    """What a trust-list client reports: its state and the version it holds, if any."""

    state: DirectoryState
    version: int | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    directory_version: int | None = None
    """The version the signed directory announces, when the client reads one."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``/trustlistz``-style health pages and CLIs)."""

        def when(at: datetime | None) -> str | None:
            return None if at is None else format_time(at)

        return {
            "state": self.state.value,
            "version": self.version,
            "issued_at": when(self.issued_at),
            "expires_at": when(self.expires_at),
            "last_attempt_at": when(self.last_attempt_at),
            "last_success_at": when(self.last_success_at),
            "last_error": self.last_error,
            "directory_version": self.directory_version,
        }


def _cached_documents(data: bytes) -> list[bytes]:
    parsed = json.loads(data)
    if not isinstance(parsed, dict) or parsed.get("format") != CACHE_FORMAT:
        raise _Refused("not a trust-list cache file")
    return [d.encode("utf-8") for d in parsed["documents"]]


class TrustListClient(PollingClient):
    """Keeps a verified trust list from ``url`` (a ``CertificateSource`` for credentials).

    ``refresh()`` fetches once; ``start()`` fetches every ``interval`` seconds in a daemon
    thread until ``close()``. ``directory``, when given, is read for the trust list's current
    version: a directory that announces a newer version than the one held makes the state
    ``stale-but-valid`` until it is fetched.
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
        directory: DirectorySource | None = None,
        max_deltas: int = MAX_DELTAS,
    ) -> None:
        self.url = url
        self.cache_path = cache_path
        super().__init__(interval=interval, thread_name="dyrd-trust-list")
        self._root = root_public_jwk
        self._clock = clock
        self._freshness = freshness or timedelta(seconds=2 * interval)
        self._directory = directory
        self._max_deltas = max_deltas
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "dyrd-trust-list-client"},
        )
        self._lock = threading.Lock()
        self._current: tl.TrustList | None = None
        self._documents: list[bytes] = []
        self._last_attempt: datetime | None = None
        self._last_success: datetime | None = None
        self._last_error: str | None = None
        self._load_cache()

    def __repr__(self) -> str:
        return f"TrustListClient(url={self.url!r}, cache={str(self.cache_path)!r})"

    # --- what verifiers use -------------------------------------------------------------------

    def current(self) -> tl.TrustList | None:
        """The trust list held, even if it has expired (check :meth:`status`)."""
        with self._lock:
            return self._current

    def trust_list(self) -> tl.TrustList | None:
        """The trust list held if it is valid now, else None."""
        current = self.current()
        return current if current is not None and current.valid_at(self._clock()) else None

    def certificates_for(self, kid: bytes) -> Sequence[bytes]:
        """DER of the DSCs with this kid in the list held (``CertificateSource``).

        An expired list still answers, so a checkpoint can say "trust list expired" next to
        a verdict rather than "unknown key"; :meth:`status` tells which it is.
        """
        current = self.current()
        return () if current is None else current.certificates_for(kid)

    def _directory_version(self) -> int | None:
        if self._directory is None:
            return None
        directory = self._directory.directory()
        pointer = None if directory is None else directory.trust_list
        return None if pointer is None else pointer.version

    def status(self) -> TrustListStatus:
        """Fresh, stale but valid, or expired, with the version and times of the list held."""
        now = self._clock()
        with self._lock:
            current, success, error = self._current, self._last_success, self._last_error
            attempt = self._last_attempt
        announced = self._directory_version()
        behind = announced is not None and (current is None or announced > current.version)
        if current is None or not current.valid_at(now):
            state = DirectoryState.EXPIRED
        elif (
            error is None
            and not behind
            and success is not None
            and now - success <= self._freshness
        ):
            state = DirectoryState.FRESH
        else:
            state = DirectoryState.STALE_BUT_VALID
        return TrustListStatus(
            state=state,
            version=None if current is None else current.version,
            issued_at=None if current is None else current.issued_at,
            expires_at=None if current is None else current.expires_at,
            last_attempt_at=attempt,
            last_success_at=success,
            last_error=error,
            directory_version=announced,
        )

    # --- cache ---------------------------------------------------------------------------------

    def _load_cache(self) -> None:
        try:
            data = self.cache_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self._last_error = f"cache unreadable: {exc.strerror}"
            log.warning("trust-list cache %s unreadable: %s", self.cache_path, exc.strerror)
            return
        try:
            documents = _cached_documents(data)
            current = None
            for document in documents:
                # Not checked for expiry: an expired copy still sets the version floor.
                current = tl.adopt(current, tl.open_document(document, self._root))
        except tl.TrustListRejected as exc:
            self._last_error = f"cache refused ({exc.reason.value}): {exc.message}"
            log.warning("trust-list cache %s refused: %s", self.cache_path, exc.reason.value)
            return
        except (_Refused, ValueError, KeyError, TypeError, AttributeError) as exc:
            self._last_error = f"cache refused: {exc}"
            log.warning("trust-list cache %s refused: not a cache file", self.cache_path)
            return
        self._current, self._documents = current, documents

    def _save(self, documents: list[bytes]) -> None:
        body = {"format": CACHE_FORMAT, "documents": [d.decode("utf-8") for d in documents]}
        _write_atomically(self.cache_path, json.dumps(body).encode("utf-8"))

    # --- fetching ------------------------------------------------------------------------------

    def _fetch(self, since: int | None) -> bytes:
        params = {} if since is None else {"since": str(since)}
        try:
            with self._http.stream("GET", self.url, params=params) as response:
                if response.status_code != httpx.codes.OK:
                    raise _Refused(f"HTTP {response.status_code} from {self.url}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > tl.MAX_DOCUMENT_BYTES:
                        raise _Refused(f"document larger than {tl.MAX_DOCUMENT_BYTES} bytes")
                return bytes(body)
        except httpx.HTTPError as exc:
            raise _Refused(f"unreachable: {type(exc).__name__}") from exc

    def _next(
        self, current: tl.TrustList | None, documents: list[bytes], now: datetime
    ) -> tuple[tl.TrustList, list[bytes]]:
        """The list and cache documents after one fetch (a delta, or a full list if needed)."""
        if current is not None and len(documents) <= self._max_deltas:
            raw = self._fetch(current.version)
            opened = tl.verify_document(raw, self._root, at=now)
            try:
                adopted = tl.adopt(current, opened)
            except tl.TrustListRejected as exc:
                if exc.reason not in {
                    tl.TrustListRejectReason.GAP,
                    tl.TrustListRejectReason.DIVERGED,
                }:
                    raise
                log.warning("trust-list delta refused (%s); fetching the full list", exc.reason)
            else:
                kept = documents
                if len(kept) > 1 and not tl.open_document(kept[-1], self._root).changes:
                    kept = kept[:-1]  # an empty delta only renewed the validity: replace it
                return adopted, [*kept, raw]
        raw = self._fetch(None)
        opened = tl.verify_document(raw, self._root, at=now)
        return tl.adopt(current, opened), [raw]

    def refresh(self) -> TrustListStatus:
        """Fetch once (delta or full), verify, adopt, cache; returns the new status."""
        now = self._clock()
        with self._lock:
            self._last_attempt = now
            current, documents = self._current, list(self._documents)
        try:
            adopted, kept = self._next(current, documents, now)
            self._save(kept)
        except _Refused as exc:
            self._failed(str(exc))
        except tl.TrustListRejected as exc:
            self._failed(f"refused ({exc.reason.value}): {exc.message}")
        except OSError as exc:
            self._failed(f"cache not written: {exc.strerror}")
        else:
            with self._lock:
                self._current, self._documents = adopted, kept
                self._last_success = now
                self._last_error = None
            if current is None or adopted.version != current.version:
                log.info("trust list version %d adopted", adopted.version)
        return self.status()

    def _failed(self, reason: str) -> None:
        with self._lock:
            self._last_error = reason
        log.warning("trust-list refresh from %s failed: %s", self.url, reason)

    # --- polling (PollingClient runs ``_poll`` in its thread) ---------------------------------

    def _poll(self) -> object:
        return self.refresh()

    def _release(self) -> None:
        self._http.close()
