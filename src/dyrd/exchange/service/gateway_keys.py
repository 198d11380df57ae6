"""Members' keys as the gateway uses them: verified public keys and signers, cached.

Public keys come from a ``MemberLocator`` (the local trust tables, or the verified directory on a
federated node), signers from the trust domain's public surface. The caches hold entries for
``ttl`` seconds (30 s by default, the trust verifier's own default), which bounds how long a
revocation or a rotation made elsewhere takes to be seen here. Parsing a public key and
computing a signer's key id are what the hot path would otherwise repeat on every message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.errors import NotFoundError
from dyrd.exchange.compute.httpsig import HTTPSIG_OF_JOSE, jwk_verifier
from dyrd.exchange.ports import MemberLocator

DEFAULT_TTL = 30.0
"""Seconds a key or signer is reused: ``trust.key_verifier``'s default cache time."""


@dataclass(frozen=True, slots=True)
class MemberKey:
    """A member's public key, parsed, with the window in which its signatures count."""

    kid: str
    member_id: str
    alg: str
    window: trust.KeyWindow
    verify: Callable[[bytes, bytes], bool]
    loaded: float

    def verifies(self, base: bytes, signature: bytes, *, created: int) -> bool:
        """True when the signature verifies and was made inside the key's window.

        ``created`` has whole seconds (RFC 9421), so a signature made in the key's first
        second may carry a time just before ``not_before``: that second counts.
        """
        at = datetime.fromtimestamp(created, tz=UTC)
        if at < self.window.not_before < at + timedelta(seconds=1):
            at = self.window.not_before
        return self.window.covers(at) and self.verify(base, signature)


class KeyCache:
    """Public keys by key id, from a ``MemberLocator``, parsed once per ``ttl``."""

    def __init__(
        self,
        locator: MemberLocator,
        *,
        ttl: float = DEFAULT_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._locator = locator
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._keys: dict[str, MemberKey] = {}

    def get(self, session: Session, kid: str) -> MemberKey | None:
        """The key ``kid``, or None when the locator lists no such key."""
        now = self._monotonic()
        with self._lock:
            hit = self._keys.get(kid)
        if hit is not None and now - hit.loaded < self._ttl:
            return hit
        found = self._locator.key(session, kid)
        if found is None:
            return None
        alg = HTTPSIG_OF_JOSE[found.algorithm]
        key = MemberKey(
            kid=found.kid,
            member_id=found.member_id,
            alg=alg,
            window=found.window,
            verify=jwk_verifier(alg, dict(found.public_jwk)),
            loaded=now,
        )
        with self._lock:
            self._keys[kid] = key
        return key


class SignerCache:
    """Signers on members' active keys (``trust.member_signer``), by member and algorithm."""

    def __init__(
        self, *, ttl: float = DEFAULT_TTL, monotonic: Callable[[], float] = time.monotonic
    ):
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._signers: dict[tuple[str, str, int], tuple[trust.KeySigner, float]] = {}

    def get(
        self, session: Session, member_id: str, *, algorithm: str, keystore: trust.KeyStore
    ) -> trust.KeySigner:
        """The member's signer for ``algorithm`` (NotFoundError when it has no active key)."""
        now = self._monotonic()
        slot = (member_id, algorithm, id(keystore))
        with self._lock:
            hit = self._signers.get(slot)
        if hit is not None and now - hit[1] < self._ttl:
            return hit[0]
        signer = trust.member_signer(session, member_id, keystore=keystore, algorithm=algorithm)
        with self._lock:
            self._signers[slot] = (signer, now)
        return signer


class MemberCache:
    """Which member ids exist (``trust.get_member``), cached like keys."""

    def __init__(
        self, *, ttl: float = DEFAULT_TTL, monotonic: Callable[[], float] = time.monotonic
    ):
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._known: dict[str, float] = {}

    def exists(self, session: Session, member_id: str) -> bool:
        """True when the member is registered."""
        now = self._monotonic()
        with self._lock:
            seen = self._known.get(member_id)
        if seen is not None and now - seen < self._ttl:
            return True
        try:
            trust.get_member(session, member_id)
        except NotFoundError:
            return False
        with self._lock:
            self._known[member_id] = now
        return True
