"""Shared fixtures of the credential tests and the per-flag agreement table of the DCC vectors."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from dyrd.credential.compute import signature as sig

AGREEMENT: dict[str, list[bool]] = defaultdict(list)
"""Flag -> one entry per vector that sets it: True when the verifier agreed."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the EU DCC vector agreement per flag whenever the vector test ran."""
    if not AGREEMENT:
        return
    terminalreporter.write_sep("-", "EU DCC test vectors: agreement per EXPECTED flag")
    total_ok = total = 0
    for flag in sorted(AGREEMENT):
        results = AGREEMENT[flag]
        ok = sum(results)
        total_ok += ok
        total += len(results)
        terminalreporter.write_line(f"{flag:<20} {ok:>3}/{len(results):<3}")
    terminalreporter.write_line(f"{'all flags':<20} {total_ok:>3}/{total:<3}")


ISSUED = datetime(2026, 11, 1, tzinfo=UTC)


def make_certificate(
    key: sig.PrivateKey, *, usages: tuple[str, ...] = (), name: str = "DYRD Test DSC"
) -> bytes:
    """A self-signed DER certificate on ``key`` (a DSC for tests), with EKU ``usages`` if any."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ISSUED)
        .not_valid_after(ISSUED + timedelta(days=730))
    )
    if usages:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(u) for u in usages]), critical=False
        )
    digest = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, digest).public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")
def es256_key() -> ec.EllipticCurvePrivateKey:
    """One P-256 key for the session (key generation is not what these tests measure)."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def es256_cert(es256_key: ec.EllipticCurvePrivateKey) -> bytes:
    """A DSC for ``es256_key`` with no EKU (valid for every DCC type)."""
    return make_certificate(es256_key)


class FakeCertificateSource:
    """A CertificateSource on a dict (what the trust list does, without the trust domain)."""

    def __init__(self, certificates: list[bytes]) -> None:
        self.by_kid = {sig.key_id(der): [der] for der in certificates}
        self.asked: list[bytes] = []

    def certificates_for(self, kid: bytes) -> list[bytes]:
        """Certificates with this kid."""
        self.asked.append(kid)
        return self.by_kid.get(kid, [])
