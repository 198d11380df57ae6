"""The consumer side of the signed gateway: sign a request, send it, verify the answer.

:func:`fetch` finds the provider's node URL in the directory, signs an X-Road-style GET with the
consumer member's key (RFC 9421, label ``dyrd``, a fresh nonce), sends it through the
``GatewayTransport`` port, and accepts the answer only when the provider's signature verifies
with a key of the provider member, covers the body's digest, and is bound to this request's own
signature, so an answer recorded for another request cannot be passed off as this one's.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.clock import Clock
from dyrd.core.errors import (
    ConflictError,
    DyrdError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ServiceUnavailable,
    UpstreamInvalid,
)
from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.ports import GatewayTransport, RawResponse
from dyrd.exchange.service.gateway_keys import KeyCache, SignerCache
from dyrd.trust import service as trust_service

REQUEST_LIFETIME = timedelta(seconds=60)
"""``expires - created`` of a request signature: well under xroad.MAX_LIFETIME."""


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What a consumer asks for."""

    consumer_member: str
    provider_member: str
    resource_id: str
    grant_id: str
    fields: Sequence[str] = ()
    user_id: str | None = None
    issue: str | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """A request ready to send: URL, headers (signature included) and what it signed."""

    url: str
    headers: list[tuple[str, str]]
    message: httpsig.HttpMessage
    message_id: str
    base: bytes


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Rows a provider released, with the evidence of the exchange."""

    message_id: str
    provider_member: str
    resource_id: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(hash=False)
    pseudonymised: list[str]
    total: int
    limit: int
    offset: int
    data_version: int | None
    request_hash: str
    response_hash: str
    provider_key_id: str


@dataclass
class ConsumerGateway:
    """The consumer gateway of one node: its key caches and transport (one per process)."""

    transport: GatewayTransport
    keystore: trust.KeyStore
    clock: Clock
    algorithm: str = "ES256"
    skew: timedelta = xroad.DEFAULT_SKEW
    keys: KeyCache = field(default_factory=KeyCache)
    signers: SignerCache = field(default_factory=SignerCache)

    def sign(self, session: Session, req: FetchRequest, *, base_url: str) -> SignedRequest:
        """Build and sign the request for ``req`` to the node at ``base_url``."""
        signer = self.signers.get(
            session, req.consumer_member, algorithm=self.algorithm, keystore=self.keystore
        )
        path = xroad.build_path(req.provider_member, req.resource_id, "rows")
        params: list[tuple[str, str]] = []
        if req.fields:
            params.append(("fields", ",".join(req.fields)))
        params += [("limit", str(req.limit)), ("offset", str(req.offset))]
        url = base_url.rstrip("/") + path + "?" + urlencode(params, safe=",")
        message_id = str(uuid.uuid4())
        headers: list[tuple[str, str]] = [
            ("X-Road-Client", req.consumer_member),
            ("X-Road-Id", message_id),
        ]
        if req.user_id:
            headers.append(("X-Road-UserId", req.user_id))
        if req.issue:
            headers.append(("X-Road-Issue", req.issue))
        headers += [
            ("X-Dyrd-Grant", req.grant_id),
            ("Content-Digest", httpsig.content_digest(b"")),
            ("Accept", "application/json"),
        ]
        message = httpsig.HttpMessage.request_of("GET", url, headers)
        now = self.clock()
        sig_params = httpsig.make_params(
            xroad.request_components(has_user=bool(req.user_id), has_issue=bool(req.issue)),
            created=xroad.unix(now),
            expires=xroad.unix(now + REQUEST_LIFETIME),
            nonce=secrets.token_urlsafe(24),
            keyid=signer.key_id,
            alg=httpsig.HTTPSIG_OF_JOSE[signer.algorithm],
            tag=xroad.REQUEST_TAG,
        )
        signed = httpsig.sign_message(
            message, sig_params, label=xroad.SIGNATURE_LABEL, sign=signer.sign
        )
        headers += [("Signature-Input", signed.signature_input), ("Signature", signed.signature)]
        return SignedRequest(
            url=url,
            headers=headers,
            message=httpsig.HttpMessage.request_of("GET", url, headers),
            message_id=message_id,
            base=signed.base,
        )

    def verify_response(
        self, session: Session, sent: SignedRequest, raw: RawResponse, *, provider_member: str
    ) -> str:
        """Check the provider's signature on ``raw`` and its binding to ``sent``; the key id.

        UpstreamInvalid when the answer is unsigned, signed by another member, stale, about
        another body, or bound to another request.
        """
        msg = httpsig.HttpMessage.response_of(raw.status, raw.headers, request=sent.message)
        sig_input, sig_value = msg.field_values("signature-input"), msg.field_values("signature")
        if not sig_input or not sig_value:
            raise _invalid(
                "unsigned", "The provider's answer is not signed.", "提供方的应答未签名。"
            )
        try:
            received = httpsig.parse_signatures(", ".join(sig_input), ", ".join(sig_value)).get(
                xroad.SIGNATURE_LABEL
            )
        except httpsig.SignatureError as exc:
            raise _invalid("malformed", str(exc), "应答签名头格式错误。") from exc
        if received is None:
            raise _invalid("unsigned", "The answer has no dyrd signature.", "应答没有 dyrd 签名。")
        params = received.params
        try:
            created, keyid, alg, tag = params.created, params.keyid, params.alg, params.tag
        except httpsig.SignatureError as exc:
            raise _invalid("malformed", str(exc), "应答签名参数格式错误。") from exc
        for comp in xroad.response_components():
            if not params.covers(comp.name, **dict(comp.params)):
                raise _invalid(
                    "uncovered-component",
                    f"The answer's signature does not cover {comp.identifier}.",
                    f"应答签名未覆盖 {comp.identifier}。",
                )
        if created is None or keyid is None or tag != xroad.RESPONSE_TAG:
            raise _invalid(
                "malformed",
                "The answer's signature lacks created, keyid or tag.",
                "应答签名缺少 created、keyid 或 tag。",
            )
        now = self.clock()
        if abs(xroad.unix(now) - created) > self.skew.total_seconds():
            raise _invalid(
                "stale-signature", "The answer's signature is stale.", "应答签名已过时。"
            )
        digest = msg.field_values("content-digest")
        if not digest or not httpsig.digest_matches(", ".join(digest), raw.body):
            raise _invalid(
                "digest-mismatch",
                "The answer's body does not match its digest.",
                "应答消息体与摘要不符。",
            )
        key = self.keys.get(session, keyid)
        if key is None or key.member_id != provider_member or key.alg != alg:
            raise _invalid(
                "unknown-key",
                f"The answer is signed with key {keyid!r}, not a key of {provider_member!r}.",
                f"应答签名所用密钥不属于 {provider_member}。",
            )
        try:
            base = httpsig.signature_base(msg, params)
        except httpsig.SignatureError as exc:
            raise _invalid(exc.reason, str(exc), "无法构造应答签名基串。") from exc
        if not key.verifies(base, received.signature, created=created):
            raise _invalid(
                "bad-signature",
                "The answer's signature does not verify for this request.",
                "应答签名无法针对本请求验证（可能是其他请求的应答）。",
            )
        return keyid

    def fetch(self, session: Session, req: FetchRequest) -> FetchResult:
        """Fetch rows from the provider through its gateway (see the module docstring)."""
        base_url = _node_url(session, req.provider_member)
        sent = self.sign(session, req, base_url=base_url)
        raw = self.transport.get(sent.url, sent.headers)
        if raw.status != 200:
            signed = True
            try:
                self.verify_response(session, sent, raw, provider_member=req.provider_member)
            except UpstreamInvalid:
                signed = False
            raise _refused(raw, signed=signed)
        key_id = self.verify_response(session, sent, raw, provider_member=req.provider_member)
        try:
            body = json.loads(raw.body)
            return FetchResult(
                message_id=sent.message_id,
                provider_member=req.provider_member,
                resource_id=str(body["resource_id"]),
                columns=list(body["columns"]),
                rows=list(body["rows"]),
                pseudonymised=list(body.get("pseudonymised") or []),
                total=int(body["total"]),
                limit=int(body["limit"]),
                offset=int(body["offset"]),
                data_version=body.get("data_version"),
                request_hash=hashlib.sha256(sent.base).hexdigest(),
                response_hash=hashlib.sha256(raw.body).hexdigest(),
                provider_key_id=key_id,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise _invalid(
                "malformed",
                "The answer is not the rows document expected.",
                "应答不是预期的数据格式。",
            ) from exc


def _node_url(session: Session, provider_member: str) -> str:
    try:
        node = trust_service.get_node(session, provider_member)
    except NotFoundError as exc:
        raise NotFoundError(
            f"Member {provider_member!r} has no node in the directory.",
            f"目录中没有成员 {provider_member} 的节点。",
            hint="The provider registers its node with PUT /api/v1/trust/members/{id}/node.",
        ) from exc
    return str(node.url)


def _invalid(reason: str, message: str, message_zh: str) -> UpstreamInvalid:
    return UpstreamInvalid(
        message,
        message_zh,
        hint="The provider node or the network altered the answer; nothing was accepted.",
        errors=[FieldError("reason", reason)],
    )


def _refused(raw: RawResponse, *, signed: bool) -> DyrdError:
    """The provider's refusal as the matching platform error."""
    try:
        problem = json.loads(raw.body)
        if not isinstance(problem, dict):
            problem = {}
    except ValueError:
        problem = {}
    reason = str(problem.get("reason") or f"http-{raw.status}")
    detail = str(problem.get("detail") or f"The provider answered HTTP {raw.status}.")
    detail_zh = str(problem.get("detail_zh") or f"提供方返回 HTTP {raw.status}。")
    errors = [
        FieldError("reason", reason),
        FieldError("signed", "yes" if signed else "no (the refusal is not proven)"),
    ]
    hint = str(problem.get("hint") or "")
    if raw.status == 503:
        retry = next((v for k, v in raw.headers if k.lower() == "retry-after"), "30")
        return ServiceUnavailable(
            detail,
            detail_zh,
            hint=hint,
            errors=errors,
            retry_after=int(retry) if retry.isdigit() else 30,
        )
    kinds: dict[int, type[DyrdError]] = {
        403: PermissionDenied,
        404: NotFoundError,
        409: ConflictError,
    }
    cls = kinds.get(raw.status, UpstreamInvalid)
    return cls(detail, detail_zh, hint=hint, errors=errors)
