"""The trust list of the local database as a credential ``CertificateSource`` (embedded default).

One process hosting every member needs no signed download: it reads the certificate table
through ``current_trust_list`` and keeps the result for ``ttl`` seconds (loading the table for
every verification would cost more than the verification). A federated node uses
``TrustListClient`` instead, with the same two methods.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.trust.compute import trustlist as tl
from dyrd.trust.service.trustlist import current_trust_list

DEFAULT_TTL = 30.0
"""Seconds a read of the table is reused: a DSC revoked on this node stops verifying within it."""


class LocalTrustList:
    """``current()`` and ``certificates_for()`` over this node's own certificate table."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        *,
        clock: Clock,
        ttl: float = DEFAULT_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._held: tuple[float, tl.TrustList] | None = None

    def __repr__(self) -> str:
        return f"LocalTrustList(ttl={self._ttl})"

    def current(self) -> tl.TrustList:
        """The list as the table holds it (re-read after ``ttl`` seconds)."""
        now = self._monotonic()
        with self._lock:
            held = self._held
        if held is not None and now - held[0] < self._ttl:
            return held[1]
        with self._sessions() as session:
            fresh = current_trust_list(
                session, clock=self._clock, validity=timedelta(seconds=max(self._ttl, 60.0))
            )
        with self._lock:
            self._held = (now, fresh)
        return fresh

    def trust_list(self) -> tl.TrustList:
        """The list held (always valid: it is this node's own)."""
        return self.current()

    def certificates_for(self, kid: bytes) -> Sequence[bytes]:
        """DER of the listed DSCs with this DCC kid (``CertificateSource``)."""
        return self.current().certificates_for(kid)

    def invalidate(self) -> None:
        """Forget the held copy: the next lookup reads the table."""
        with self._lock:
            self._held = None
