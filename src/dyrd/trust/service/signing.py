"""Signing ports for other domains: a Signer on a member key, Verifiers on the key table.

``member_signer`` and ``key_verifier`` are what ``dyrd.bootstrap`` hands to other domains (the
ledger's tree-head signer, the credential issuer). A ``KeySigner`` is bound to one key: after a
rotation, build a new one (the retired key's later signatures would not verify, by design).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dyrd.core.errors import NotFoundError
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust.compute import jose
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.models import TrustKey
from dyrd.trust.ports import KeyStore
from dyrd.trust.repository import TrustRepository
from dyrd.trust.service._common import member_id_problem, raise_if_any, require_member
from dyrd.trust.service.keys import ROOT_ALGORITHM, algorithm_problem
from dyrd.trust.types import KeyAlgorithm, KeyWindow


class KeySigner:
    """A ``Signer`` on one key of the key store (implements ``dyrd.ledger.ports.Signer`` too)."""

    def __init__(self, keystore: KeyStore, kid: str, algorithm: KeyAlgorithm) -> None:
        self._keystore = keystore
        self._kid = kid
        self._algorithm = algorithm
        self._public = keystore.public_key(kid)
        if jose.key_id(self._public) != kid:
            raise KeyStoreError(
                f"The key store's key {kid} has a different public key than its id says.",
                f"密钥库中的密钥 {kid} 与其标识不符。",
            )

    def __repr__(self) -> str:
        return f"KeySigner(kid={self._kid!r}, algorithm={self._algorithm.value!r})"

    @property
    def key_id(self) -> str:
        """RFC 7638 thumbprint of the public key."""
        return self._kid

    @property
    def algorithm(self) -> str:
        """``ES256`` or ``EdDSA``."""
        return self._algorithm.value

    @property
    def public_key(self) -> bytes:
        """SubjectPublicKeyInfo DER."""
        return self._public

    @property
    def public_jwk(self) -> dict[str, str]:
        """The published JWK (with ``kid``, ``alg``, ``use``)."""
        return jose.published_jwk(jose.public_jwk(self._public), algorithm=self._algorithm)

    def sign(self, data: bytes) -> bytes:
        """ES256: 64-byte r || s; EdDSA: raw 64 bytes."""
        return self._keystore.sign(self._kid, data)


def member_signer(
    session: Session,
    member_id: str,
    *,
    keystore: KeyStore,
    algorithm: str = ROOT_ALGORITHM.value,
) -> KeySigner:
    """A signer on the member's active key for ``algorithm``, as it is now."""
    repo = TrustRepository(session)
    raise_if_any(member_id_problem(member_id, "member_id"), algorithm_problem(algorithm))
    require_member(repo, member_id)
    row = repo.active_key(member_id, algorithm)
    if row is None:
        raise NotFoundError(
            f"Member {member_id!r} has no active {algorithm} key.",
            f"成员 {member_id} 没有有效的 {algorithm} 密钥。",
            hint=f"Create one with `dyrd key create {member_id} --alg {algorithm}` "
            "(or `dyrd key init` for the default keys).",
        )
    return KeySigner(keystore, row.kid, KeyAlgorithm(row.algorithm))


def region_signer(
    session: Session, *, keystore: KeyStore, algorithm: str = ROOT_ALGORITHM.value
) -> KeySigner:
    """A signer on the region's root key (the key that signs the directory)."""
    return member_signer(session, REGION_MEMBER_ID, keystore=keystore, algorithm=algorithm)


@dataclass(frozen=True, slots=True)
class _Entry:
    algorithm: KeyAlgorithm
    key: jose.PublicKeyObject
    window: KeyWindow
    loaded: float


def _entry(row: TrustKey, loaded: float) -> _Entry:
    return _Entry(
        algorithm=KeyAlgorithm(row.algorithm),
        key=jose.key_from_jwk(row.public_jwk),
        window=KeyWindow(row.not_before, row.not_after, row.revoked_at),
        loaded=loaded,
    )


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("the signature time must be timezone-aware")


def verify_signature(
    session: Session, key_id: str, data: bytes, signature: bytes, *, at: datetime
) -> bool:
    """True when key ``key_id`` signed ``data`` and ``at`` lies in its validity window."""
    _require_aware(at)
    row = TrustRepository(session).key(key_id) if jose.is_key_id(key_id) else None
    if row is None:
        return False
    entry = _entry(row, 0.0)
    return entry.window.covers(at) and jose.verify_with_key(
        entry.algorithm, entry.key, data, signature
    )


class KeyTableVerifier:
    """A ``Verifier`` on the key table, caching each key for ``cache_seconds``.

    The cache bounds how long another process's revocation takes to be seen here; 0 reads the
    table on every call.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        cache_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session_factory = session_factory
        self._ttl = cache_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cache: dict[str, _Entry] = {}

    def __repr__(self) -> str:
        return f"KeyTableVerifier(cache_seconds={self._ttl})"

    def _lookup(self, key_id: str) -> _Entry | None:
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached is not None and now - cached.loaded < self._ttl:
            return cached
        with self._session_factory() as session:
            row = TrustRepository(session).key(key_id)
            entry = None if row is None else _entry(row, now)
        with self._lock:
            if entry is None:
                self._cache.pop(key_id, None)
            else:
                self._cache[key_id] = entry
        return entry

    def verify(self, key_id: str, data: bytes, signature: bytes, *, at: datetime) -> bool:
        """True when key ``key_id`` signed ``data`` and ``at`` lies in its validity window."""
        _require_aware(at)
        if not jose.is_key_id(key_id):
            return False
        entry = self._lookup(key_id)
        return (
            entry is not None
            and entry.window.covers(at)
            and jose.verify_with_key(entry.algorithm, entry.key, data, signature)
        )


def key_verifier(
    session_factory: Callable[[], Session], *, cache_seconds: float = 30.0
) -> KeyTableVerifier:
    """A Verifier of member signatures backed by the key table (what bootstrap wires)."""
    return KeyTableVerifier(session_factory, cache_seconds=cache_seconds)
