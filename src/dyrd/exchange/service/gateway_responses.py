"""What the provider gateway sends back and logs: signed responses, refusals, ledger entries.

Every answer, or refusal as problem+json, is signed with the provider member's key over
``@status``, the body's digest and the request's own signature, which binds it to that request
(steps 5 and 6 of ``gateway``). Every exchange, answered or refused, becomes one ledger entry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.errors import DyrdError, NotFoundError
from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.service.gateway_keys import SignerCache
from dyrd.exchange.service.gateway_messages import (
    ExchangeState,
    GatewayResponse,
    Refusal,
    json_bytes,
    sha256_hex,
)

log = logging.getLogger("dyrd.exchange.service.gateway")  # one logger for the whole gateway

LEDGER_KIND = "exchange.gateway"
"""Ledger entry kind of every exchange through the gateway, answered or refused."""

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: ("Malformed request", "请求格式错误"),
    401: ("Signature not accepted", "签名未通过验证"),
    403: ("Not granted", "未获授权"),
    404: ("Not found", "未找到"),
    409: ("Replayed request", "重放请求"),
    503: ("Service unavailable", "服务不可用"),
}


@dataclass(slots=True)
class ResponseSigner:
    """Signs the gateway's responses with the provider member's key (``algorithm``)."""

    keystore: trust.KeyStore
    algorithm: str
    signers: SignerCache = field(default_factory=SignerCache)

    def signed(
        self,
        session: Session,
        ex: ExchangeState,
        *,
        status: int,
        body: bytes,
        content_type: str,
        extra: Mapping[str, str],
        now: datetime,
    ) -> GatewayResponse:
        """The response with its X-Road headers, signed when the request was and a key exists."""
        headers = {
            "Content-Type": content_type,
            "Content-Digest": httpsig.content_digest(body),
            "X-Road-Id": ex.message_id or "",
            "X-Road-Request-Hash": ex.request_hash,
            **extra,
        }
        if ex.client:
            headers["X-Road-Client"] = ex.client
        if ex.provider and ex.service:
            headers["X-Road-Service"] = f"{ex.provider}/{ex.service}"
        if ex.signature is None or ex.provider is None:
            return GatewayResponse(status, headers, body)
        try:
            signer = self.signers.get(
                session, ex.provider, algorithm=self.algorithm, keystore=self.keystore
            )
        except (NotFoundError, DyrdError):
            log.warning("no signing key for %s: response unsigned", ex.provider)
            return GatewayResponse(status, headers, body)
        response = httpsig.HttpMessage.response_of(status, headers.items(), request=ex.message)
        params = httpsig.make_params(
            xroad.response_components(),
            created=xroad.unix(now),
            keyid=signer.key_id,
            alg=httpsig.HTTPSIG_OF_JOSE[signer.algorithm],
            tag=xroad.RESPONSE_TAG,
        )
        try:
            signed = httpsig.sign_message(
                response, params, label=xroad.SIGNATURE_LABEL, sign=signer.sign
            )
        except httpsig.SignatureError:
            # The request's own Signature field did not parse as the binding needs: unsigned.
            return GatewayResponse(status, headers, body)
        headers["Signature-Input"] = signed.signature_input
        headers["Signature"] = signed.signature
        return GatewayResponse(status, headers, body)

    def refusal(
        self, session: Session, ex: ExchangeState, refusal: Refusal, now: datetime
    ) -> GatewayResponse:
        """``refusal`` as a signed problem+json (RFC 9457) with ``X-Road-Error``."""
        title, title_zh = _TITLES.get(refusal.status, ("Refused", "已拒绝"))
        problem = {
            "type": f"urn:dyrd:problem:gateway:{refusal.reason}",
            "title": title,
            "status": refusal.status,
            "detail": refusal.message,
            "title_zh": title_zh,
            "detail_zh": refusal.message_zh,
            "reason": refusal.reason,
        }
        if refusal.hint:
            problem["hint"] = refusal.hint
        for name, value in refusal.details.items():
            problem.setdefault(name, value)
        side = "Server" if refusal.status >= 500 else "Client"
        extra = {**refusal.headers, "X-Road-Error": f"{side}.{refusal.reason}"}
        return self.signed(
            session,
            ex,
            status=refusal.status,
            body=json_bytes(problem),
            content_type=PROBLEM_JSON,
            extra=extra,
            now=now,
        )


def ledger_entry(
    ex: ExchangeState, *, status: int, reason: str, response: GatewayResponse, at: datetime
) -> ledger.NewEntry:
    """The provider's ledger entry of one exchange, answered or refused."""
    payload: dict[str, Any] = {
        "outcome": "answered" if reason == "ok" else "refused",
        "status": status,
        "reason": reason,
        "message_id": ex.message_id,
        "client": ex.client,
        "provider": ex.provider,
        "service": ex.service,
        "resource_id": ex.resource_id,
        "grant_id": ex.grant_id,
        "user_id": ex.user_id,
        "issue": ex.issue,
        "fields": ex.fields,
        "rows": ex.rows,
        "key_id": ex.key_id,
        "nonce": ex.nonce,
        "request_hash": ex.request_hash,
        "response_hash": sha256_hex(response.body),
        "response_signed": "Signature" in response.headers,
    }
    if ex.privacy is not None:
        payload["privacy"] = ex.privacy
    return ledger.NewEntry(
        kind=LEDGER_KIND,
        subject=(ex.message_id or "-")[:256],
        actor=Actor(user=(ex.user_id or "-")[:128], member=(ex.client or "-")[:128]),
        payload=payload,
        at=at,
    )
