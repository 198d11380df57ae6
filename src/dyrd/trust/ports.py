"""Ports of the trust domain: where private keys live, who signs, who verifies, who fetches.

Implementations are in ``dyrd.trust.adapters`` (and ``dyrd.trust.service.signing`` for the
signer and verifier built on the key table); ``dyrd.bootstrap`` wires them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from dyrd.trust.compute.directory import Directory
from dyrd.trust.types import DirectoryStatus, KeyAlgorithm


class KeyStore(Protocol):
    """Holds private keys and signs with them; never hands a private key out.

    Signatures come in the JOSE/COSE form: 64-byte r || s for ES256, raw 64 bytes for EdDSA.
    Errors and reprs name key ids and paths only, never key material.
    """

    def generate(self, algorithm: KeyAlgorithm) -> str:
        """Create and keep a new private key; return its key id (RFC 7638 thumbprint)."""
        ...

    def public_key(self, key_id: str) -> bytes:
        """SubjectPublicKeyInfo DER of the key ``key_id``."""
        ...

    def sign(self, key_id: str, data: bytes) -> bytes:
        """Signature over ``data`` with the private key ``key_id``."""
        ...

    def __contains__(self, key_id: object) -> bool:
        """True when the store holds the private key ``key_id``."""
        ...


class Signer(Protocol):
    """Signs with one member key (the shape of ``dyrd.ledger.ports.Signer``, plus the JWK)."""

    @property
    def key_id(self) -> str:
        """RFC 7638 thumbprint of the public key."""
        ...

    @property
    def algorithm(self) -> str:
        """JOSE/COSE algorithm name: ``ES256`` or ``EdDSA``."""
        ...

    @property
    def public_key(self) -> bytes:
        """SubjectPublicKeyInfo DER of the public key."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Signature over ``data``."""
        ...


class Verifier(Protocol):
    """Checks a signature by key id, at the time it claims to have been made."""

    def verify(self, key_id: str, data: bytes, signature: bytes, *, at: datetime) -> bool:
        """True when ``key_id`` signed ``data`` and ``at`` lies in that key's validity window."""
        ...


class DirectorySource(Protocol):
    """Where a node gets the signed regional directory (a client of the central directory)."""

    def status(self) -> DirectoryStatus:
        """Fresh, stale but valid, or expired, with the serial and times of the copy held."""
        ...

    def directory(self) -> Directory | None:
        """The verified directory valid now, or None when there is none."""
        ...
