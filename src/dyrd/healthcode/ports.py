"""Ports of the health-code domain: the credential codec and verifier, the identity-hash secret,
and what a checkpoint holds offline (the credential trust list, revocations)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from dyrd.credential import Verdict
from dyrd.trust import TrustList


class CredentialCodec(Protocol):
    """Builds the HC1 text of a claims map and renders it as a QR image (``dyrd.credential``)."""

    def encode(
        self, claims: Mapping[int, Any], *, sign: Callable[[bytes], bytes], alg: int, kid: bytes
    ) -> str:
        """HC1 text: CBOR claims in a COSE_Sign1 signed by ``sign``, zlib, base45, prefix."""
        ...

    def render(self, text: str, fmt: str) -> bytes:
        """A QR image of ``text`` as ``png`` or ``svg`` bytes."""
        ...


IdSecret = Callable[[], bytes]
"""Returns the node's identity-hash secret (read once from its file, made on first use)."""


ClaimCheck = Callable[[Any], tuple[bool, str, str]]
"""Checks a decoded claim map: ``(ok, reason_en, reason_zh)``."""


class CredentialVerifier(Protocol):
    """Reads QR images and verifies HC1 text offline (``dyrd.credential``'s verifier)."""

    def read_image(self, image: bytes) -> str:
        """The text of the QR code in a PNG or JPEG; ValueError when none can be read."""
        ...

    def verify(
        self, text: str, *, certificates: TrustListView, at: datetime, check: ClaimCheck
    ) -> Verdict:
        """The verdict on ``text`` against the DSCs ``certificates`` holds, at ``at``."""
        ...

    def verify_dcc(self, text: str, *, certificates: TrustListView, at: datetime) -> Verdict:
        """The verdict on an EU DCC (a test certificate) under the DCC schemas and value sets."""
        ...


class TrustListView(Protocol):
    """The credential trust list a checkpoint holds (local table or synced signed copy)."""

    def current(self) -> TrustList | None:
        """The list held, even if expired; None when none was ever obtained."""
        ...

    def certificates_for(self, kid: bytes) -> Sequence[bytes]:
        """DER of the listed DSCs with this DCC kid."""
        ...


class RevocationView(Protocol):
    """Revoked credentials as a checkpoint holds them (a revocation snapshot)."""

    def is_revoked(
        self,
        kid: bytes,
        signature: bytes,
        uci: str | None = None,
        *,
        alg: int | str = -7,
        country: str | None = None,
    ) -> bool:
        """True when the credential signed with ``kid`` is revoked."""
        ...
