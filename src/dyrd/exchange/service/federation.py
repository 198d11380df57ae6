"""The gateways on a federated node: members' keys and node URLs through a ``MemberLocator``.

On a federated node the trust tables hold only the node's own member, so the consumer's
signature (provider side), the provider's answer (consumer side) and the provider's node URL are
looked up in the verified directory instead, through the ``MemberLocator`` port.

``LocatingGateway`` and ``LocatingConsumerGateway`` are a bridge: they swap the key cache and the
node lookup of the gateway classes, which do not take a locator yet. Once ``Gateway`` takes a
``keys`` argument and ``ConsumerGateway`` a locator for node URLs, they go away.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.errors import NotFoundError, ServiceUnavailable, UpstreamInvalid
from dyrd.exchange.compute.httpsig import HTTPSIG_OF_JOSE, jwk_verifier
from dyrd.exchange.ports import MemberLocator, RawResponse
from dyrd.exchange.service.gateway import Gateway
from dyrd.exchange.service.gateway_consumer import (
    ConsumerGateway,
    FetchRequest,
    FetchResult,
    SignedRequest,
    _invalid,
    _refused,
)
from dyrd.exchange.service.gateway_keys import DEFAULT_TTL, KeyCache, MemberKey

CONSUMER_LEDGER_KIND = "exchange.gateway.consumer"
"""Ledger entry kind of every exchange a federated node's consumer gateway makes."""


class LocatorKeyCache(KeyCache):
    """Members' public keys from a ``MemberLocator``, parsed and cached like ``KeyCache``'s."""

    def __init__(
        self,
        locator: MemberLocator,
        *,
        ttl: float = DEFAULT_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl=ttl, monotonic=monotonic)
        self._locator = locator
        self._parsed: dict[str, tuple[float, MemberKey]] = {}

    def get(self, session: Session, kid: str) -> MemberKey | None:
        """The key ``kid`` as the locator lists it now, or None."""
        now = self._monotonic()
        with self._lock:
            hit = self._parsed.get(kid)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        found = self._locator.key(session, kid)
        if found is None:
            return None
        alg = HTTPSIG_OF_JOSE[found.algorithm]
        key = MemberKey(
            kid=found.kid,
            member_id=found.member_id,
            alg=alg,
            window=found.window,
            verify=jwk_verifier(alg, dict(found.public_jwk)),
            loaded=now,
        )
        with self._lock:
            self._parsed[kid] = (now, key)
        return key


class LocatingGateway(Gateway):
    """The provider gateway, verifying consumers' signatures with keys from a locator."""

    def __init__(self, *, locator: MemberLocator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keys = LocatorKeyCache(locator)


@dataclass
class LocatingConsumerGateway(ConsumerGateway):
    """The consumer gateway, finding provider nodes and their keys through a locator."""

    locator: MemberLocator | None = None

    def __post_init__(self) -> None:
        if self.locator is not None:
            self.keys = LocatorKeyCache(self.locator)

    def node_url(self, session: Session, member_id: str) -> str:
        """The provider's node URL; NotFoundError when the locator lists none."""
        url = None if self.locator is None else self.locator.node_url(session, member_id)
        if url is None:
            raise NotFoundError(
                f"Member {member_id!r} has no node in the directory.",
                f"目录中没有成员 {member_id} 的节点。",
                hint="The member's node registers with the directory "
                "(`dyrd directory register`); this node picks it up on its next poll.",
            )
        return url

    def fetch(self, session: Session, req: FetchRequest) -> FetchResult:
        """``ConsumerGateway.fetch`` with the node URL from the locator, and the consumer's own
        ledger entry for every exchange (answered, refused, or unanswered), committed before
        the result or the error leaves, so both sides' ledgers can be compared."""
        sent = self.sign(session, req, base_url=self.node_url(session, req.provider_member))
        request_hash = hashlib.sha256(sent.base).hexdigest()
        try:
            raw = self.transport.get(sent.url, sent.headers)
        except ServiceUnavailable:
            self._log(session, req, sent, request_hash, status=503, reason="provider-unreachable")
            raise
        if raw.status != 200:
            signed = True
            try:
                self.verify_response(session, sent, raw, provider_member=req.provider_member)
            except UpstreamInvalid:
                signed = False
            self._log(
                session,
                req,
                sent,
                request_hash,
                status=raw.status,
                reason=_reason(raw.body),
                raw=raw,
                signed=signed,
            )
            raise _refused(raw, signed=signed)
        try:
            key_id = self.verify_response(session, sent, raw, provider_member=req.provider_member)
        except UpstreamInvalid:
            self._log(
                session, req, sent, request_hash, status=502, reason="invalid-answer", raw=raw
            )
            raise
        try:
            body = json.loads(raw.body)
            result = FetchResult(
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
                request_hash=request_hash,
                response_hash=hashlib.sha256(raw.body).hexdigest(),
                provider_key_id=key_id,
            )
        except (ValueError, KeyError, TypeError) as exc:
            self._log(session, req, sent, request_hash, status=502, reason="malformed", raw=raw)
            raise _invalid(
                "malformed",
                "The answer is not the rows document expected.",
                "应答不是预期的数据格式。",
            ) from exc
        self._log(
            session,
            req,
            sent,
            request_hash,
            status=200,
            reason="ok",
            raw=raw,
            signed=True,
            rows=len(result.rows),
        )
        return result

    def _log(  # one entry's worth of facts
        self,
        session: Session,
        req: FetchRequest,
        sent: SignedRequest,
        request_hash: str,
        *,
        status: int,
        reason: str,
        raw: RawResponse | None = None,
        signed: bool = False,
        rows: int | None = None,
    ) -> None:
        ledger.append(
            session,
            kind=CONSUMER_LEDGER_KIND,
            subject=sent.message_id,
            actor=Actor(user=(req.user_id or "-")[:128], member=req.consumer_member[:128]),
            payload={
                "outcome": "answered" if reason == "ok" else "refused",
                "status": status,
                "reason": reason,
                "message_id": sent.message_id,
                "client": req.consumer_member,
                "provider": req.provider_member,
                "service": req.resource_id,
                "grant_id": req.grant_id,
                "fields": list(req.fields),
                "rows": rows,
                "request_hash": request_hash,
                "response_hash": None if raw is None else hashlib.sha256(raw.body).hexdigest(),
                "response_signed": signed,
            },
            clock=self.clock,
        )
        session.commit()


def _reason(body: bytes) -> str:
    try:
        problem = json.loads(body)
    except ValueError:
        return "unreadable"
    return str(problem.get("reason") or "unknown") if isinstance(problem, dict) else "unknown"
