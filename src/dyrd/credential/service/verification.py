"""Verify HC1 credentials: text or a QR image, against the trust list and given certificates."""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.credential.compute import hcert, qr
from dyrd.credential.compute.payload import PayloadChecker
from dyrd.credential.compute.signature import KeyRing, SigningCertificate, load_certificate
from dyrd.credential.errors import CertificateInvalid, CredentialRequestInvalid
from dyrd.credential.ports import CertificateSource
from dyrd.credential.types import STEPS, Step, Verdict

CERTIFICATE_CACHE_SIZE = 4096
"""Loaded trust-list certificates kept in memory (loading one costs more than a verification)."""


class _Certificates:
    """The lookup one verification uses: explicit certificates, then the trust-list source."""

    def __init__(self, ring: KeyRing, source: CertificateSource | None, cache: CertificateCache):
        self._ring = ring
        self._source = source
        self._cache = cache

    def lookup(self, kid: bytes) -> Sequence[SigningCertificate]:
        found = list(self._ring.lookup(kid))
        if self._source is not None:
            for der in self._source.certificates_for(kid):
                cert = self._cache.load(der)
                if cert is not None and all(c.der != der for c in found):
                    found.append(cert)
        return found


class CertificateCache:
    """Loaded certificates by DER digest, least recently used dropped first; thread-safe."""

    def __init__(self, size: int = CERTIFICATE_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[bytes, SigningCertificate | None] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, der: bytes) -> SigningCertificate | None:
        """The loaded certificate, or None when it has no usable public key."""
        digest = hashlib.sha256(der).digest()
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return self._items[digest]
        try:
            cert: SigningCertificate | None = load_certificate(der)
        except ValueError:
            cert = None
        with self._lock:
            self._items[digest] = cert
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return cert


_DEFAULT_CACHE = CertificateCache()


def parse_certificates(values: Sequence[str | bytes], *, field: str = "certificates") -> KeyRing:
    """A key ring of base64 DER (str) or DER (bytes) certificates; CertificateInvalid otherwise."""
    ring = KeyRing()
    problems = []
    for index, value in enumerate(values):
        location = f"{field}[{index}]"
        try:
            der = (
                value
                if isinstance(value, bytes)
                else base64.b64decode("".join(value.split()), validate=True)
            )
            ring.add(load_certificate(der))
        except (binascii.Error, ValueError) as exc:
            problems.append(
                FieldError(location, f"not a base64 DER X.509 certificate: {exc}", "不是证书")
            )
    if problems:
        raise CertificateInvalid(
            f"{len(problems)} certificate(s) cannot be read.",
            f"{len(problems)} 个证书无法读取。",
            hint="Give each document-signer certificate as base64 DER, without PEM armour.",
            errors=problems,
        )
    return ring


def parse_at(value: str | None, *, clock: Clock) -> datetime:
    """The validation time: ``value`` (ISO 8601; naive is UTC) or now."""
    if value is None or not value.strip():
        return clock()
    try:
        return hcert.parse_time(value)
    except ValueError:
        raise CredentialRequestInvalid(
            f"{value!r} is not an ISO 8601 time.",
            f"{value!r} 不是 ISO 8601 时间。",
            hint="Write it like 2021-06-01T12:00:00Z or 2021-06-01T20:00:00+08:00.",
            errors=[FieldError("at", "not an ISO 8601 time", "不是 ISO 8601 时间", value[:64])],
        ) from None


def unreadable_image(reason: str, reason_zh: str) -> Verdict:
    """The verdict on an image with no readable QR code: nothing could be checked."""
    steps: dict[Step, bool | None] = dict.fromkeys(STEPS)
    steps[Step.PREFIX] = False
    return Verdict(steps, f"No HC1 text could be read: {reason}.", f"无法读取二维码：{reason_zh}")


def verify_credential(
    *,
    text: str | None = None,
    image: bytes | None = None,
    certificates: Sequence[str | bytes] = (),
    source: CertificateSource | None = None,
    at: str | datetime | None = None,
    clock: Clock,
    checker: PayloadChecker | None = None,
    cache: CertificateCache | None = None,
) -> Verdict:
    """The verdict on HC1 ``text`` or a QR ``image`` (exactly one).

    Certificates are the explicit ``certificates`` (base64 DER or DER) and those ``source``
    trusts for the credential's kid. Raises only for a request that cannot be understood:
    neither or both of text and image, an unreadable certificate or time.
    """
    if (text is None) == (image is None):
        raise CredentialRequestInvalid(
            "Give either the HC1 text or a QR image, not both and not neither.",
            "请提供二维码文本或图片之一。",
        )
    ring = parse_certificates(certificates)
    when = at if isinstance(at, datetime) else parse_at(at, clock=clock)
    lookup = _Certificates(ring, source, cache if cache is not None else _DEFAULT_CACHE)
    if image is not None:
        try:
            text = qr.decode_image(image)
        except qr.QrError as exc:
            return unreadable_image(str(exc), "图片中没有可读的二维码，或图片无法读取。")
    assert text is not None  # noqa: S101  # exactly one of text and image was given
    return hcert.verify(text, lookup, when, checker=checker)
