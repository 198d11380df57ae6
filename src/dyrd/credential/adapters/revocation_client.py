"""A verifier's copy of issuers' revocation lists: synced as signed deltas, cached on disk.

Every ``interval`` seconds the client asks each issuer's node (found in the signed regional
directory) for the delta since the version it holds, with ``If-None-Match`` so an unchanged list
costs a 304. A document is used only when its signature verifies with a key the directory lists
for that very issuer; after applying a delta the client proves each touched partition equals
the issuer's (count and Bloom-filter digest) and otherwise starts over from the full list.

A signature proves only who signed a list, not that the signer issued the codes it names, so
an entry counts only when the trust list the verifier holds puts the entry's kid (its DSC) under
that very issuer or one of its departments; other entries, including any under a kid the held
trust list does not know, are ignored and counted per issuer as ``ignored_foreign``.

Each issuer's state is written to disk after every change and read back at start, so a
checkpoint keeps checking revocations offline. Lookups read an immutable snapshot that a sync
swaps in whole: a check never sees half a delta. EU DCC verifiers pull every 30 minutes; the
default here is 60 s, so a revocation reaches verifiers well within the 5-minute target.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import httpx

from dyrd import trust
from dyrd.core.b64 import b64url, b64url_decode
from dyrd.core.clock import Clock
from dyrd.core.jcs import canonical
from dyrd.core.poller import PollingClient
from dyrd.credential.compute import revocation as rc
from dyrd.credential.compute import revocation_document as rd

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60.0
"""Seconds between syncs: a revocation is seen within one interval plus a request."""

PATH = "/api/v1/credential/revocation"


class IssuerKeys(Protocol):
    """Checks a revocation document's signature: the member whose listed key signed it."""

    def check(self, kid: str, alg: str, data: bytes, signature: bytes) -> str | None:
        """The member id of key ``kid`` when it signed ``data`` now, else None."""
        ...


class DirectoryKeys:
    """Issuer keys from the verified regional directory (a ``trust.DirectorySource``)."""

    def __init__(self, source: trust.DirectorySource, clock: Clock) -> None:
        self._source = source
        self._clock = clock

    def __repr__(self) -> str:
        return f"DirectoryKeys({self._source!r})"

    def check(self, kid: str, alg: str, data: bytes, signature: bytes) -> str | None:
        """The member id of key ``kid`` when it signed ``data`` now, else None."""
        directory = self._source.directory()
        found = None if directory is None else directory.key(kid)
        if directory is None or found is None:
            return None
        member_id, key = found
        if key.algorithm.value != alg:
            return None
        return member_id if directory.verify(kid, data, signature, at=self._clock()) else None

    def issuers(self) -> list[str]:
        """Members the directory lists with a node: whose revocation lists can be synced."""
        directory = self._source.directory()
        return [] if directory is None else [m.id for m in directory.members if m.node_url]

    def node_url(self, member_id: str) -> str | None:
        """The member's node URL as the directory lists it."""
        directory = self._source.directory()
        member = None if directory is None else directory.member(member_id)
        return None if member is None else member.node_url


class TrustListOwners:
    """Kid owners from a trust list source (``trust.TrustList`` or None): re-indexed whenever the
    source hands out a different list object, so a synced trust-list change takes effect."""

    def __init__(self, trust_list: Callable[[], trust.TrustList | None]) -> None:
        self._trust_list = trust_list
        self._held: trust.TrustList | None = None
        self._index: dict[bytes, frozenset[str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TrustListOwners(kids={len(self._index)})"

    def __call__(self, kid: bytes) -> frozenset[str]:
        """Members whose listed DSC has ``kid`` (empty when unknown or no list is held)."""
        current = self._trust_list()
        with self._lock:
            if current is not self._held:
                self._held = current
                self._index = (
                    {}
                    if current is None
                    else rc.kid_index(
                        (e.kid, e.member_id) for e in current.entries if e.kind.value == "dsc"
                    )
                )
            return self._index.get(bytes(kid), frozenset())


class _Refused(Exception):
    """A sync of one issuer that produced nothing usable; the message says why."""


@dataclass
class _Issuer:
    state: rc.ListState
    partitions: dict[rc.PartitionKey, rc.Partition] = field(default_factory=dict)
    etag: str | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_bytes: int = 0


@dataclass(frozen=True, slots=True)
class IssuerStatus:
    """A verifier's copy of one issuer's list."""

    issuer: str
    version: int
    entries: int
    last_success_at: datetime | None
    last_error: str | None
    last_bytes: int
    ignored_foreign: int = 0
    """Entries under kids the held trust list does not give this issuer: not honoured."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """``fresh`` when every issuer synced within ``freshness``, ``stale`` otherwise, ``empty``
    before anything was ever synced or cached."""

    state: str
    interval: float
    issuers: tuple[IssuerStatus, ...]

    @property
    def ignored_foreign(self) -> int:
        """Entries ignored across issuers because their kid is not the issuer's."""
        return sum(i.ignored_foreign for i in self.issuers)


def _write_atomically(path: Path, data: bytes) -> None:
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


def _state_bytes(state: rc.ListState) -> bytes:
    entries = sorted([b64url(e.kid), e.hash_type.value, b64url(e.hash)] for e in state.entries)
    return canonical(
        {
            "format": "dyrd-revocation-cache/1",
            "issuer": state.issuer,
            "version": state.version,
            "entries": entries,
        }
    )


def _state_from(data: bytes, issuer: str) -> rc.ListState:
    raw = json.loads(data)
    if raw.get("format") != "dyrd-revocation-cache/1" or raw.get("issuer") != issuer:
        raise ValueError("not this issuer's revocation cache")
    entries = frozenset(
        rc.Entry(b64url_decode(k), rc.HashType(t), b64url_decode(h)) for k, t, h in raw["entries"]
    )
    version = raw["version"]
    if not isinstance(version, int) or version < 0:
        raise ValueError("bad version")
    return rc.ListState(issuer, version, entries)


class RevocationClient(PollingClient):
    """Keeps verified copies of the revocation lists of ``issuers``.

    ``node_url(member)`` finds an issuer's node (from the signed directory on a federated node);
    ``keys`` checks document signatures; ``kid_owners`` says whose DSC a kid is (e.g.
    :class:`TrustListOwners` over the verifier's trust list) and only an issuer's own kids'
    entries are honoured. ``sync()`` syncs every issuer once; ``start()`` syncs
    every ``interval`` seconds in a daemon thread until ``close()``, which also calls each of
    ``closing`` (e.g. to close a directory client made only for this one).
    """

    def __init__(
        self,
        issuers: Iterable[str] | Callable[[], Iterable[str]],
        *,
        node_url: Callable[[str], str | None],
        keys: IssuerKeys,
        kid_owners: rc.KidOwners,
        cache_dir: Path,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL,
        freshness: timedelta | None = None,
        timeout: float = 10.0,
        include_bloom: bool = False,
        transport: httpx.BaseTransport | None = None,
        closing: Iterable[Callable[[], None]] = (),
    ) -> None:
        super().__init__(interval=interval, thread_name="dyrd-revocation")
        self._closing = list(closing)
        self.cache_dir = cache_dir
        self._node_url = node_url
        self._keys = keys
        self._kid_owners = kid_owners
        self._clock = clock
        self._freshness = freshness or timedelta(seconds=max(2 * interval, 1.0))
        self._include_bloom = include_bloom
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "dyrd-revocation-client"},
        )
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._issuers: dict[str, _Issuer] = {}
        self._issuer_source = issuers if callable(issuers) else None
        for issuer in dict.fromkeys([] if callable(issuers) else issuers):
            self._issuers[issuer] = self._load(issuer)
        self._snapshot = self._build_snapshot()
        self.on_change: Callable[[rc.RevocationSnapshot], None] | None = None

    def __repr__(self) -> str:
        return f"RevocationClient(issuers={len(self._issuers)}, interval={self.interval})"

    # --- lookups -----------------------------------------------------------------------------

    def snapshot(self) -> rc.RevocationSnapshot:
        """The current immutable snapshot (what the verifier's revocation step reads)."""
        return self._snapshot

    def is_revoked(
        self,
        kid: bytes,
        signature: bytes,
        uci: str | None = None,
        *,
        alg: int | str = -7,
        country: str | None = None,
    ) -> bool:
        """``RevocationSnapshot.is_revoked`` on the current snapshot."""
        return self._snapshot.is_revoked(kid, signature, uci, alg=alg, country=country)

    def status(self) -> SyncStatus:
        """Per issuer: version held, entries, last success and error."""
        now = self._clock()
        with self._lock:
            items = [
                IssuerStatus(
                    issuer=name,
                    version=s.state.version,
                    entries=len(s.state.entries),
                    last_success_at=s.last_success,
                    last_error=s.last_error,
                    last_bytes=s.last_bytes,
                    ignored_foreign=self._snapshot.ignored_foreign.get(name, 0),
                )
                for name, s in sorted(self._issuers.items())
            ]
        if not items or all(i.version == 0 and i.last_success_at is None for i in items):
            state = "empty"
        elif all(
            i.last_error is None
            and i.last_success_at is not None
            and now - i.last_success_at <= self._freshness
            for i in items
        ):
            state = "fresh"
        else:
            state = "stale"
        return SyncStatus(state=state, interval=self.interval, issuers=tuple(items))

    # --- cache -------------------------------------------------------------------------------

    def _cache_path(self, issuer: str) -> Path:
        name = hashlib.sha256(issuer.encode("utf-8")).hexdigest()[:16]
        return self.cache_dir / f"revocation-{name}.json"

    def _load(self, issuer: str) -> _Issuer:
        path = self._cache_path(issuer)
        try:
            state = _state_from(path.read_bytes(), issuer)
        except FileNotFoundError:
            return _Issuer(rc.ListState(issuer))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("revocation cache %s refused: %s", path, type(exc).__name__)
            return _Issuer(rc.ListState(issuer), last_error=f"cache refused: {exc}")
        return _Issuer(state, partitions=rc.build_partitions(state))

    def _build_snapshot(self) -> rc.RevocationSnapshot:
        with self._lock:
            held = dict(self._issuers)
        parts: list[rc.Partition] = []
        ignored: dict[str, int] = {}
        for name, s in held.items():
            kept, dropped = rc.owned_state(s.state, self._kid_owners)
            ignored[name] = dropped
            if not dropped:
                parts.extend(s.partitions.values())
            else:  # partitions are per kid: keep the owned kids' ones as they are
                kids = {e.kid for e in kept.entries}
                parts.extend(p for p in s.partitions.values() if p.key.kid in kids)
        versions = {name: s.state.version for name, s in held.items()}
        return rc.RevocationSnapshot(parts, versions=versions, ignored_foreign=ignored)

    # --- syncing -----------------------------------------------------------------------------

    def _get(self, url: str, etag: str | None) -> tuple[bytes | None, str | None]:
        headers = {"If-None-Match": etag} if etag else {}
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                new_etag = response.headers.get("ETag")
                if response.status_code == httpx.codes.NOT_MODIFIED and headers:
                    return None, new_etag
                if response.status_code != httpx.codes.OK:
                    raise _Refused(f"HTTP {response.status_code} from {url}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > rd.MAX_DOCUMENT_BYTES:
                        raise _Refused(f"document larger than {rd.MAX_DOCUMENT_BYTES} bytes")
                return bytes(body), new_etag
        except httpx.HTTPError as exc:
            raise _Refused(f"unreachable: {type(exc).__name__}") from exc

    def _url(self, issuer: str, since: int) -> str:
        base = self._node_url(issuer)
        if not base:
            raise _Refused(f"no node URL for {issuer} in the directory")
        query = {"issuer": issuer, "since": since}
        if self._include_bloom:
            query["bloom"] = "true"
        return f"{base.rstrip('/')}{PATH}?{urlencode(query)}"

    def _fetch_apply(self, issuer: str, held: _Issuer, since: int) -> tuple[_Issuer, bool]:
        """(new issuer state, changed) after one request from ``since``."""
        etag = held.etag if since == held.state.version else None
        data, new_etag = self._get(self._url(issuer, since), etag)
        if data is None:
            return _Issuer(held.state, held.partitions, new_etag, held.last_success), False
        try:
            doc = rd.open_document(data, self._keys.check)
        except rd.DocumentRejected as exc:
            raise _Refused(f"refused ({exc.reason}): {exc.message}") from exc
        if doc.delta.issuer != issuer:
            raise _Refused(f"asked for {issuer}'s list, got {doc.delta.issuer}'s")
        if doc.delta.version < held.state.version:
            raise _Refused(
                f"rollback: version {doc.delta.version} after {held.state.version} was held"
            )
        state = rd.apply_document(held.state, doc)  # DocumentRejected: gap or diverged
        parts = dict(held.partitions) if not doc.delta.is_full else {}
        touched = {c.key for c in doc.checks} if not doc.delta.is_full else None
        rebuilt = state.partitions()
        for key, hashes in rebuilt.items():
            if touched is None or key in touched:
                parts[key] = rc.Partition(key, rc.partition_filter(hashes, doc.fp_exponent), hashes)
        for key in list(parts):
            if key not in rebuilt:
                del parts[key]
        changed = state.entries != held.state.entries or state.version != held.state.version
        out = _Issuer(state, parts, new_etag, held.last_success, last_bytes=len(data))
        return out, changed

    def sync_issuer(self, issuer: str) -> bool:
        """Sync one issuer; True when its list changed. Failures are recorded, not raised."""
        with self._lock:
            held = self._issuers[issuer]
        now = self._clock()
        try:
            try:
                fresh, changed = self._fetch_apply(issuer, held, held.state.version)
            except rd.DocumentRejected as exc:  # gap or diverged: start over from the full list
                log.warning("revocation delta of %s refused (%s); refetching", issuer, exc.reason)
                fresh, changed = self._fetch_apply(issuer, _Issuer(rc.ListState(issuer)), 0)
                changed = True
            if changed:
                _write_atomically(self._cache_path(issuer), _state_bytes(fresh.state))
        except (_Refused, rd.DocumentRejected) as exc:
            reason = exc.message if isinstance(exc, rd.DocumentRejected) else str(exc)
            with self._lock:
                self._issuers[issuer].last_error = reason
            log.warning("revocation sync of %s failed: %s", issuer, reason)
            return False
        except OSError as exc:
            with self._lock:
                self._issuers[issuer].last_error = f"cache not written: {exc.strerror}"
            return False
        fresh.last_success, fresh.last_error = now, None
        with self._lock:
            self._issuers[issuer] = fresh
        return changed

    def _discover(self) -> bool:
        """Add issuers the source names now (their caches load); True when any were added."""
        if self._issuer_source is None:
            return False
        try:
            names = [n for n in self._issuer_source() if n not in self._issuers]
        except Exception:  # the source is another domain's view; never let it stop syncing
            log.exception("listing revocation issuers failed")
            return False
        loaded = {n: self._load(n) for n in dict.fromkeys(names)}
        with self._lock:
            self._issuers.update(loaded)
        return bool(loaded)

    def sync(self) -> SyncStatus:
        """Sync every issuer once and swap in a new snapshot if anything changed."""
        with self._sync_lock:
            added = self._discover()
            changed = [self.sync_issuer(issuer) for issuer in list(self._issuers)]
            changed.append(added)
            # Rebuilt every sync: the trust list (who owns which kid) may have changed alone.
            fresh = self._build_snapshot()
            previous = self._snapshot
            self._snapshot = fresh
            if any(changed) or fresh.ignored_foreign != previous.ignored_foreign:
                callback = self.on_change
                if callback is not None:
                    callback(self._snapshot)
        return self.status()

    # --- polling (PollingClient runs ``_poll`` in its thread) ---------------------------------

    def _poll(self) -> object:
        return self.sync()

    def _release(self) -> None:
        self._http.close()
        for close in self._closing:
            close()
