"""Ports of the ledger: who signs tree heads and who checks signatures."""

from __future__ import annotations

from typing import Protocol


class Signer(Protocol):
    """Signs tree heads with one private key (a key file, an HSM, a member key of trust)."""

    @property
    def key_id(self) -> str:
        """RFC 7638 thumbprint of the public key, as published at ``GET /api/v1/ledger/keys``."""
        ...

    @property
    def algorithm(self) -> str:
        """JOSE/COSE algorithm name: ``EdDSA`` or ``ES256``."""
        ...

    @property
    def public_key(self) -> bytes:
        """SubjectPublicKeyInfo DER of the public key."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Signature over ``data`` (may be slow: appends never wait for it)."""
        ...


class Verifier(Protocol):
    """Checks signatures by key id (``dyrd.ledger.compute.signatures.KeyRing`` is one)."""

    def verify(self, key_id: str, data: bytes, signature: bytes) -> bool:
        """True when ``signature`` over ``data`` verifies with the key ``key_id``."""
        ...
