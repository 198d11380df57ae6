"""The verification use case: text or image, explicit certificates and a certificate source."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dyrd.core.errors import ValidationFailed
from dyrd.credential import encode_hc1, service
from dyrd.credential.compute import qr
from dyrd.credential.compute import signature as sig
from dyrd.credential.errors import CertificateInvalid, CredentialRequestInvalid
from dyrd.credential.types import Step
from tests.credential.conftest import FakeCertificateSource
from tests.credential.test_hcert import claims

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def clock() -> datetime:
    """Frozen now."""
    return NOW


@pytest.fixture
def code(es256_key: ec.EllipticCurvePrivateKey, es256_cert: bytes) -> str:
    """An ES256 DCC code valid at NOW."""
    sign = sig.signer(es256_key, sig.Algorithm.ES256)
    return encode_hc1(claims(), sign=sign, alg=-7, kid=sig.key_id(es256_cert))


def test_explicit_certificates_as_base64(code: str, es256_cert: bytes) -> None:
    """Base64 DER certificates (whitespace allowed) verify the code; none gives a verdict."""
    b64 = base64.b64encode(es256_cert).decode()
    wrapped = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    assert service.verify_credential(text=code, certificates=[wrapped], clock=clock).valid
    verdict = service.verify_credential(text=code, clock=clock)
    assert verdict.steps[Step.SIGNATURE] is False


def test_certificate_source_is_asked_by_kid(code: str, es256_cert: bytes) -> None:
    """The source is asked for the code's kid and its certificate used (cached by DER)."""
    source = FakeCertificateSource([es256_cert])
    cache = service.CertificateCache(size=2)
    for _ in range(2):
        verdict = service.verify_credential(text=code, source=source, clock=clock, cache=cache)
        assert verdict.valid
    assert source.asked == [sig.key_id(es256_cert)] * 2


def test_at_and_clock(code: str, es256_cert: bytes) -> None:
    """The clock is the default; an ISO 8601 ``at`` overrides it; a bad one is a 422 error."""
    later = (NOW + timedelta(days=365)).isoformat()
    verdict = service.verify_credential(text=code, certificates=[es256_cert], at=later, clock=clock)
    assert verdict.steps[Step.EXPIRY] is False
    with pytest.raises(CredentialRequestInvalid) as info:
        service.verify_credential(text=code, certificates=[es256_cert], at="soon", clock=clock)
    assert isinstance(info.value, ValidationFailed)
    assert info.value.message_zh
    assert info.value.errors[0].location == "at"


def test_bad_certificates_are_request_errors(code: str) -> None:
    """A certificate that is not base64 DER names its position."""
    with pytest.raises(CertificateInvalid) as info:
        service.verify_credential(
            text=code, certificates=["not base64!", base64.b64encode(b"x").decode()], clock=clock
        )
    assert [e.location for e in info.value.errors] == ["certificates[0]", "certificates[1]"]


def test_text_or_image_exactly_one(code: str) -> None:
    """Neither or both is a request error."""
    with pytest.raises(CredentialRequestInvalid):
        service.verify_credential(clock=clock)
    with pytest.raises(CredentialRequestInvalid):
        service.verify_credential(text=code, image=b"", clock=clock)


def test_image(code: str, es256_cert: bytes) -> None:
    """A QR image verifies like its text; an unreadable image is an invalid verdict."""
    png = qr.render_qr(code, "png")
    verdict = service.verify_credential(image=png, certificates=[es256_cert], clock=clock)
    assert verdict.valid, verdict.reason
    bad = service.verify_credential(image=b"not an image", certificates=[es256_cert], clock=clock)
    assert not bad.valid
    assert bad.steps[Step.PREFIX] is False
    assert "No HC1 text" in bad.reason
    assert bad.reason_zh
