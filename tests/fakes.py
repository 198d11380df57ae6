"""Fakes of the ports, for tests that exercise one domain without wiring the others."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.errors import AuthenticationRequired
from dyrd.ledger.ports import Signer
from dyrd.trust.adapters.file_keystore import (
    PrivateKey,
    generate_private_key,
    raw_signature,
    spki_of,
)
from dyrd.trust.compute import jose
from dyrd.trust.errors import KeyStoreError
from dyrd.trust.types import KeyAlgorithm


@dataclass
class FakeAuthenticator:
    """Maps fixed bearer tokens to principals (implements dyrd.core.auth.Authenticator)."""

    principals: dict[str, Principal] = field(default_factory=dict)

    def __call__(self, session: Session, token: str) -> Principal:
        try:
            return self.principals[token]
        except KeyError:
            raise AuthenticationRequired("Unknown token.", "令牌无效。") from None


class GatedSigner:
    """A ledger ``Signer`` that blocks inside ``sign`` until released (a slow HSM or TSA)."""

    def __init__(self, inner: Signer) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self._gate = threading.Event()
        self.calls = 0

    @property
    def key_id(self) -> str:
        return self.inner.key_id

    @property
    def algorithm(self) -> str:
        return self.inner.algorithm

    @property
    def public_key(self) -> bytes:
        return self.inner.public_key

    def release(self) -> None:
        self._gate.set()

    def sign(self, data: bytes) -> bytes:
        self.calls += 1
        self.entered.set()
        if not self._gate.wait(60):
            raise TimeoutError("GatedSigner was never released")
        return self.inner.sign(data)


class InMemoryKeyStore:
    """Private keys in memory (implements dyrd.trust.ports.KeyStore)."""

    def __init__(self) -> None:
        self._keys: dict[str, PrivateKey] = {}
        self.signatures = 0

    def __repr__(self) -> str:
        return f"InMemoryKeyStore(keys={len(self._keys)})"

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def generate(self, algorithm: KeyAlgorithm) -> str:
        private_key = generate_private_key(KeyAlgorithm(algorithm))
        key_id = jose.key_id(spki_of(private_key))
        self._keys[key_id] = private_key
        return key_id

    def _private(self, key_id: str) -> PrivateKey:
        try:
            return self._keys[key_id]
        except KeyError:
            raise KeyStoreError(f"No private key {key_id}.", "没有该私钥。") from None

    def public_key(self, key_id: str) -> bytes:
        return spki_of(self._private(key_id))

    def sign(self, key_id: str, data: bytes) -> bytes:
        self.signatures += 1
        return raw_signature(self._private(key_id), data)

    def forget(self, key_id: str) -> None:
        """Lose a private key, as when a key directory is not carried over to a new machine."""
        del self._keys[key_id]
