"""Ports of the credential domain: where a verifier finds document-signer certificates.

The trust domain's credential trust list implements ``CertificateSource``; ``dyrd.bootstrap``
wires it. Explicit certificates given with a request are used as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class CertificateSource(Protocol):
    """Trusted document-signer certificates by DCC key id (a cached, offline trust list)."""

    def certificates_for(self, kid: bytes) -> Sequence[bytes]:
        """DER X.509 certificates whose kid is ``kid``; empty when none is trusted."""
        ...
