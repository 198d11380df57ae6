"""The credential codec and verifier ports on ``dyrd.credential`` (HC1 container, QR images)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from dyrd import credential
from dyrd.credential.compute import qr  # render_qr, decode_image: not yet in credential's __all__
from dyrd.credential.compute.payload import ClaimChecker, PayloadCheck
from dyrd.credential.service import verify_credential
from dyrd.healthcode.compute.claims import HCERT_CLAIM, YRD_HC_CLAIM_KEY
from dyrd.healthcode.ports import ClaimCheck, TrustListView


class HcertCodec:
    """``CredentialCodec`` and ``CredentialVerifier`` by the credential domain's HC1 codec."""

    def encode(
        self, claims: Mapping[int, Any], *, sign: Callable[[bytes], bytes], alg: int, kid: bytes
    ) -> str:
        """HC1 text of ``claims``."""
        return credential.encode_hc1(claims, sign=sign, alg=alg, kid=kid)

    def render(self, text: str, fmt: str) -> bytes:
        """PNG or SVG bytes of a QR code of ``text``."""
        return qr.render_qr(text, fmt)

    def read_image(self, image: bytes) -> str:
        """The QR text in an image (zxing-cpp); ValueError when there is none."""
        try:
            return qr.decode_image(image)
        except qr.QrError as exc:
            raise ValueError(str(exc)) from None

    def verify(
        self, text: str, *, certificates: TrustListView, at: datetime, check: ClaimCheck
    ) -> credential.Verdict:
        """Every HC1 step, our claim map (-260 / -65537) checked by ``check``."""

        def payload_check(payload: Any) -> PayloadCheck:
            ok, reason, reason_zh = check(payload)
            return PayloadCheck(ok, reason, reason_zh)

        checker = ClaimChecker(claim=HCERT_CLAIM, key=YRD_HC_CLAIM_KEY, check_payload=payload_check)
        return verify_credential(
            text=text, source=certificates, at=at, clock=lambda: at, checker=checker
        )

    def verify_dcc(
        self, text: str, *, certificates: TrustListView, at: datetime
    ) -> credential.Verdict:
        """Every HC1 step, the payload checked as an EU DCC (bundled schemas, value sets)."""
        return verify_credential(text=text, source=certificates, at=at, clock=lambda: at)
