"""The consumer side of the signed gateway: sign a request, send it, verify the answer.

:meth:`ConsumerGateway.fetch` finds the provider's node URL through the ``MemberLocator`` port
(the local trust tables, or the verified directory on a federated node), signs an X-Road-style
GET with the consumer member's key (RFC 9421, label ``dyrd``, a fresh nonce), sends it through the
``GatewayTransport`` port, and accepts the answer only when the provider's signature verifies
with a key of the provider member, covers the body's digest, and is bound to this request's own
signature, so an answer recorded for another request cannot be passed off as this one's.

Every exchange it makes, answered, refused or unanswered, is appended to the consumer node's own
ledger (kind ``exchange.gateway.consumer``) and committed before the result or the error leaves,
with the request and response hashes the provider logs too, so both sides' ledgers can be compared.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import (
    ConflictError,
    DyrdError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ServiceUnavailable,
    UpstreamInvalid,
    ValidationFailed,
)
from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.compute.dp import DPQuery, query_params
from dyrd.exchange.ports import GatewayTransport, MemberLocator, RawResponse
from dyrd.exchange.service.gateway_keys import KeyCache, SignerCache
from dyrd.exchange.service.gateway_messages import sha256_hex
from dyrd.exchange.service.gateway_privacy import dp_record
from dyrd.exchange.service.gateway_rows import DEFAULT_LIMIT
from dyrd.exchange.service.gateway_verify import signatures_of

REQUEST_LIFETIME = timedelta(seconds=60)
"""``expires - created`` of a request signature: well under xroad.MAX_LIFETIME."""

CONSUMER_LEDGER_KIND = "exchange.gateway.consumer"
"""Ledger entry kind of every exchange the consumer gateway makes (provider: ``LEDGER_KIND``)."""


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
    limit: int = DEFAULT_LIMIT
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
    anonymity: dict[str, Any] | None = field(default=None, hash=False)
    """What the provider's k-anonymity gate did (levels, suppressed rows); None: not applied."""


@dataclass(frozen=True, slots=True)
class AggregateResult:
    """A differentially private aggregate a provider released, with the exchange's evidence."""

    message_id: str
    provider_member: str
    resource_id: str
    data_version: int | None
    aggregate: str
    column: str | None
    value: Any = field(hash=False)
    epsilon: float
    bounds: list[float] | None = field(hash=False)
    categories: list[str] = field(hash=False)
    noise: list[dict[str, Any]] = field(hash=False)
    budget: dict[str, float] = field(hash=False)
    """The grant's ε budget after this answer: total, spent, remaining."""
    request_hash: str
    response_hash: str
    provider_key_id: str


@dataclass(slots=True)
class _Outcome:
    """What the consumer's ledger entry records about one exchange, filled in as it goes."""

    request_hash: str
    status: int = 0
    """0 while no HTTP status is known (the consumer failed before reading one)."""
    reason: str = "consumer-error"
    raw: RawResponse | None = None
    signed: bool = False
    rows: int | None = None
    query: DPQuery | None = None
    budget: dict[str, float] | None = None


@dataclass
class ConsumerGateway:
    """The consumer gateway of one node: its key caches, transport and locator (one per process).

    ``locator`` says where provider nodes are and what their keys are: the local trust tables
    when one process hosts every member, the verified directory on a federated node.
    """

    transport: GatewayTransport
    keystore: trust.KeyStore
    locator: MemberLocator
    clock: Clock
    algorithm: str = "ES256"
    skew: timedelta = xroad.DEFAULT_SKEW
    keys: KeyCache = field(init=False)
    signers: SignerCache = field(default_factory=SignerCache)

    def __post_init__(self) -> None:
        self.keys = KeyCache(self.locator)

    def node_url(self, session: Session, member_id: str) -> str:
        """The provider's node URL; NotFoundError when the locator lists none."""
        url = self.locator.node_url(session, member_id)
        if url is None:
            raise NotFoundError(
                f"Member {member_id!r} has no node in the directory.",
                f"目录中没有成员 {member_id} 的节点。",
                hint="The provider registers its node (PUT /api/v1/trust/members/{id}/node, or "
                "`dyrd directory register` for a federated node, picked up on the next poll).",
            )
        return url

    def sign(
        self,
        session: Session,
        req: FetchRequest,
        *,
        base_url: str,
        aggregate: DPQuery | None = None,
    ) -> SignedRequest:
        """Build and sign the request for ``req`` (rows, or ``aggregate``) to ``base_url``."""
        signer = self.signers.get(
            session, req.consumer_member, algorithm=self.algorithm, keystore=self.keystore
        )
        rest = "rows" if aggregate is None else "aggregate"
        path = xroad.build_path(req.provider_member, req.resource_id, rest)
        params: list[tuple[str, str]] = []
        if aggregate is not None:
            params = query_params(aggregate)
        else:
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
        try:
            signatures = signatures_of(msg)
        except httpsig.SignatureError as exc:
            raise _invalid("malformed", str(exc), "应答签名头格式错误。") from exc
        if signatures is None:
            raise _invalid(
                "unsigned", "The provider's answer is not signed.", "提供方的应答未签名。"
            )
        received = signatures.get(xroad.SIGNATURE_LABEL)
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
        """Fetch rows from the provider through its gateway (see the module docstring).

        Commits the session: once before the network call, so no transaction (a lock, or on
        SQLite a snapshot that would refuse the later write) is held across it, and once with
        the ledger entry, before the result or the error leaves.
        """
        sent = self.sign(session, req, base_url=self.node_url(session, req.provider_member))
        session.commit()
        outcome = _Outcome(request_hash=sha256_hex(sent.base))
        try:
            result = self._exchange(session, req, sent, outcome)
        finally:
            self._log(session, req, sent, outcome)
        return result

    def aggregate(self, session: Session, req: FetchRequest, query: DPQuery) -> AggregateResult:
        """Ask the provider a differentially private aggregate under ``req``'s grant.

        The same signed exchange as :meth:`fetch` (``fields``, ``limit`` and ``offset`` of
        ``req`` are not used); the provider charges ``query.epsilon`` to the grant's budget.
        """
        base = self.node_url(session, req.provider_member)
        sent = self.sign(session, req, base_url=base, aggregate=query)
        session.commit()
        outcome = _Outcome(request_hash=sha256_hex(sent.base))
        outcome.query = query
        try:
            raw, key_id = self._answer(session, req, sent, outcome)
            result = _parse(
                outcome,
                _aggregate_result(req, sent, outcome, raw, key_id),
                "The answer is not the aggregate document expected.",
                "应答不是预期的统计结果格式。",
            )
            outcome.reason = "ok"
            outcome.budget = result.budget
        finally:
            self._log(session, req, sent, outcome)
        return result

    def _answer(
        self, session: Session, req: FetchRequest, sent: SignedRequest, outcome: _Outcome
    ) -> tuple[RawResponse, str]:
        """Send ``sent``; the verified 200 answer and the provider's key id, or the error."""
        try:
            raw = self.transport.get(sent.url, sent.headers)
        except ServiceUnavailable:
            outcome.status, outcome.reason = 503, "provider-unreachable"
            raise
        outcome.raw, outcome.status = raw, raw.status
        key_id = ""
        try:
            key_id = self.verify_response(session, sent, raw, provider_member=req.provider_member)
            outcome.signed = True
        except UpstreamInvalid:
            if raw.status == 200:
                outcome.status, outcome.reason = 502, "invalid-answer"
                raise
        if raw.status != 200:
            outcome.reason = _reason(raw.body)
            raise _refused(raw, signed=outcome.signed)
        return raw, key_id

    def _exchange(
        self, session: Session, req: FetchRequest, sent: SignedRequest, outcome: _Outcome
    ) -> FetchResult:
        raw, key_id = self._answer(session, req, sent, outcome)

        def build() -> FetchResult:
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
                request_hash=outcome.request_hash,
                response_hash=sha256_hex(raw.body),
                provider_key_id=key_id,
                anonymity=body.get("anonymity"),
            )

        result = _parse(
            outcome,
            build,
            "The answer is not the rows document expected.",
            "应答不是预期的数据格式。",
        )
        outcome.reason, outcome.rows = "ok", len(result.rows)
        return result

    def _log(
        self, session: Session, req: FetchRequest, sent: SignedRequest, outcome: _Outcome
    ) -> None:
        """Append the exchange to this node's ledger, in a transaction of its own, and commit."""
        session.commit()  # end the read transaction of the verification: a fresh one writes
        raw = outcome.raw
        ledger.append(
            session,
            kind=CONSUMER_LEDGER_KIND,
            subject=sent.message_id,
            actor=Actor(user=(req.user_id or "-")[:128], member=req.consumer_member[:128]),
            payload={
                "outcome": "answered" if outcome.reason == "ok" else "refused",
                "status": outcome.status,
                "reason": outcome.reason,
                "message_id": sent.message_id,
                "client": req.consumer_member,
                "provider": req.provider_member,
                "service": req.resource_id,
                "grant_id": req.grant_id,
                "fields": list(req.fields),
                "rows": outcome.rows,
                "request_hash": outcome.request_hash,
                "response_hash": None if raw is None else sha256_hex(raw.body),
                "response_signed": outcome.signed,
                **_privacy_payload(outcome),
            },
            clock=self.clock,
        )
        session.commit()


def _aggregate_result(
    req: FetchRequest, sent: SignedRequest, outcome: _Outcome, raw: RawResponse, key_id: str
) -> Callable[[], AggregateResult]:
    def build() -> AggregateResult:
        body = json.loads(raw.body)
        bounds = body.get("bounds")
        return AggregateResult(
            message_id=sent.message_id,
            provider_member=req.provider_member,
            resource_id=str(body["resource_id"]),
            data_version=body.get("data_version"),
            aggregate=str(body["aggregate"]),
            column=body.get("column"),
            value=body["value"],
            epsilon=float(body["epsilon"]),
            bounds=None if bounds is None else [float(b) for b in bounds],
            categories=[str(c) for c in body.get("categories") or []],
            noise=[dict(n) for n in body.get("noise") or []],
            budget={k: float(v) for k, v in dict(body["budget"]).items()},
            request_hash=outcome.request_hash,
            response_hash=sha256_hex(raw.body),
            provider_key_id=key_id,
        )

    return build


_T = TypeVar("_T")


def _parse(outcome: _Outcome, build: Callable[[], _T], message: str, message_zh: str) -> _T:
    """``build()``, the result read from a 200 answer; 502 ``malformed`` when it does not read."""
    try:
        return build()
    except (ValueError, KeyError, TypeError) as exc:
        outcome.status, outcome.reason = 502, "malformed"
        raise _invalid("malformed", message, message_zh) from exc


def _privacy_payload(outcome: _Outcome) -> dict[str, Any]:
    """The aggregate asked and the budget the provider reported, for the consumer's ledger."""
    if outcome.query is None:
        return {}
    return {"privacy": dp_record(outcome.query, outcome.budget)}


def _problem(body: bytes) -> dict[str, Any] | None:
    """A provider's problem+json refusal ({} when not an object); None when not JSON."""
    try:
        problem = json.loads(body)
    except ValueError:
        return None
    return problem if isinstance(problem, dict) else {}


def _reason(body: bytes) -> str:
    """The ``reason`` of a provider's problem+json refusal, as the consumer's ledger records it."""
    problem = _problem(body)
    if problem is None:
        return "unreadable"
    return str(problem.get("reason") or "unknown")


def _invalid(reason: str, message: str, message_zh: str) -> UpstreamInvalid:
    return UpstreamInvalid(
        message,
        message_zh,
        hint="The provider node or the network altered the answer; nothing was accepted.",
        errors=[FieldError("reason", reason)],
    )


_CALLER_QUERY_REASONS = frozenset({"bad-query", "privacy-query-invalid"})
"""Provider refusals (400) caused by what the caller asked, not by this node's signing."""


def _refused(raw: RawResponse, *, signed: bool) -> DyrdError:
    """The provider's refusal as the matching platform error."""
    problem = _problem(raw.body) or {}
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
    if raw.status == 400 and reason in _CALLER_QUERY_REASONS:
        cls = ValidationFailed  # the query the caller asked for was wrong, not this node
    return cls(detail, detail_zh, hint=hint, errors=errors)
