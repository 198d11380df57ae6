"""The provider gateway's checks of who is asking: X-Road headers, RFC 9421 signature, nonce.

Steps 1 and 2 of ``gateway``: the path and headers are well formed (400), the body matches its
``Content-Digest`` and the signature's parameters are fresh (401), and the signing key is a key
of the ``X-Road-Client`` member, valid at ``created``, that verifies the signature base (401).
The nonce is claimed later, in the group commit, or here first when an exchange must not reach
its service twice (a proxied call).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.repository import NonceRepository
from dyrd.exchange.service.gateway_keys import KeyCache
from dyrd.exchange.service.gateway_messages import (
    ExchangeState,
    Refusal,
    header_value,
    replayed,
    sha256_hex,
)


def signatures_of(msg: httpsig.HttpMessage) -> dict[str, httpsig.ReceivedSignature] | None:
    """The signatures of ``msg`` by label; None without Signature-Input and Signature.

    Raises ``httpsig.SignatureError`` when the fields do not parse. Both gateways read their
    peer's signature through this: the provider a request's, the consumer an answer's.
    """
    sig_input = msg.field_values("signature-input")
    sig_value = msg.field_values("signature")
    if not sig_input or not sig_value:
        return None
    return httpsig.parse_signatures(", ".join(sig_input), ", ".join(sig_value))


def authenticate(
    session: Session, ex: ExchangeState, now: datetime, *, keys: KeyCache, skew: timedelta
) -> None:
    """Read the X-Road headers and the path into ``ex``, then verify the signature."""
    msg = ex.message
    for name, required in (
        (xroad.H_CLIENT, True),
        (xroad.H_ID, True),
        (xroad.H_GRANT, True),
        (xroad.H_USER, False),
        (xroad.H_ISSUE, False),
    ):
        problem = xroad.header_problem(name, header_value(msg, name), required=required)
        if problem is not None:
            raise Refusal(400, problem.reason, problem.message, problem.message_zh)
    ex.client = header_value(msg, xroad.H_CLIENT)
    ex.message_id = header_value(msg, xroad.H_ID)
    ex.grant_id = header_value(msg, xroad.H_GRANT)
    ex.user_id = header_value(msg, xroad.H_USER) or None
    ex.issue = header_value(msg, xroad.H_ISSUE) or None
    try:
        target = xroad.parse_path(ex.request.path)
    except xroad.ProtocolError as exc:
        raise Refusal(400, exc.reason, exc.message, exc.message_zh) from exc
    ex.provider, ex.service = target.member_id, target.service
    verify(session, ex, now, keys=keys, skew=skew)


def verify(
    session: Session, ex: ExchangeState, now: datetime, *, keys: KeyCache, skew: timedelta
) -> None:
    """Check the request's digest and signature; sets the key id, nonce and request hash."""
    msg = ex.message
    try:
        signatures = signatures_of(msg)
    except httpsig.SignatureError as exc:
        raise Refusal(400, "bad-signature-input", str(exc), "签名头格式错误。") from exc
    if signatures is None:
        raise Refusal(
            401,
            "missing-signature",
            "The request carries no Signature-Input and Signature (RFC 9421).",
            "请求未携带 Signature-Input 与 Signature 签名头（RFC 9421）。",
            hint="Send it through a dyrd consumer gateway (`dyrd exchange fetch`).",
        )
    received = signatures.get(xroad.SIGNATURE_LABEL)
    if received is None:
        raise Refusal(
            401,
            "missing-signature",
            f"No signature labelled {xroad.SIGNATURE_LABEL!r}.",
            f"没有标签为 {xroad.SIGNATURE_LABEL} 的签名。",
        )
    ex.signature = received
    digest = header_value(msg, "content-digest")
    if digest is None or not httpsig.digest_matches(digest, ex.request.body):
        raise Refusal(
            401,
            "digest-mismatch",
            "Content-Digest is missing or does not match the body (RFC 9530).",
            "Content-Digest 缺失或与消息体不符（RFC 9530）。",
        )
    try:
        xroad.check_request_signature(
            received,
            has_user=ex.user_id is not None,
            has_issue=ex.issue is not None,
            now=now,
            skew=skew,
        )
    except xroad.ProtocolError as exc:
        status = 400 if exc.reason == "bad-signature-input" else 401
        raise Refusal(status, exc.reason, exc.message, exc.message_zh) from exc
    params = received.params
    assert params.keyid is not None  # noqa: S101  # checked above
    assert params.created is not None  # noqa: S101  # checked above
    ex.key_id, ex.nonce = params.keyid, params.nonce
    try:
        base = httpsig.signature_base(msg, params)
    except httpsig.SignatureError as exc:
        raise Refusal(400, exc.reason, str(exc), "无法构造签名基串。") from exc
    ex.request_hash = sha256_hex(base)
    key = keys.get(session, params.keyid)
    if key is None or key.member_id != ex.client or key.alg != params.alg:
        raise Refusal(
            401,
            "unknown-key",
            f"Key {params.keyid!r} is not a {params.alg} key of {ex.client!r}.",
            f"密钥 {params.keyid} 不是 {ex.client} 的 {params.alg} 密钥。",
            hint="Sign with the client member's own key, as listed in the directory.",
        )
    if not key.verifies(base, received.signature, created=params.created):
        raise Refusal(
            401,
            "bad-signature",
            "The signature does not verify with the client's key at its creation time.",
            "签名无法用客户端成员在签名时有效的密钥验证。",
        )
    created_at = params.created
    ex.nonce_expires = datetime.fromtimestamp(xroad.nonce_expiry(created_at, skew), tz=UTC)


def claim_nonce(session: Session, ex: ExchangeState, *, write_lock: threading.Lock) -> None:
    """Claim the nonce now, in a transaction of its own (before a proxied call); 409 if used."""
    session.commit()  # end the read transaction first (see Gateway.handle)
    assert ex.client is not None  # noqa: S101  # checked above
    assert ex.nonce is not None  # noqa: S101  # checked above
    assert ex.nonce_expires is not None  # noqa: S101  # checked above
    with write_lock:
        claimed = NonceRepository(session).claim(
            ex.client, ex.nonce, expires_at=ex.nonce_expires, message_id=ex.message_id or ""
        )
        session.commit()
    if not claimed:
        raise replayed(ex)
    ex.claimed = True
