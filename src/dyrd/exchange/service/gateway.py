"""The provider side of the signed gateway: verify, check the grant, release, sign, log.

One call of :meth:`Gateway.handle` is one X-Road-style exchange (``dyrd.exchange.compute.xroad``
describes the protocol). In order:

1. the path, the X-Road headers, ``Content-Digest`` against the body, and the RFC 9421
   signature's parameters are checked (400 malformed, 401 unsigned, tampered or stale);
2. the signing key is looked up, must belong to the ``X-Road-Client`` member, must have been
   valid at ``created``, and must verify the signature base (401);
3. the provider member and the service (a catalog resource of that member) must exist (404),
   the resource must be shared (403 ``not-shared``), and the grant in ``X-Dyrd-Grant`` must
   cover this consumer, this resource and the fields asked for (403, ``check_grant``);
4. a table's stored rows are released with only those fields; to another member, identifier
   columns become per-grant pseudonyms and, when quasi-identifier or sensitive columns are
   granted, the release passes k-anonymity and l-diversity (``gateway_privacy``; generalised
   as needed, or refused with 403 ``anonymity-refused``). ``.../aggregate`` answers a count,
   sum, mean or histogram with differential privacy, its ε charged to the grant's budget
   together with the nonce claim before computing (403 ``privacy-budget-exhausted``). A
   service resource is proxied to its registered base URL (its nonce claimed first; 503 with
   ``Retry-After`` when the upstream does not answer);
5. the response (or the refusal, as problem+json) is signed with the provider's key over
   ``@status``, the body digest and the request's own signature, which binds it to that request;
6. in one group commit (``gateway_commit``) the nonce is claimed, a replay turning the answer
   into a signed 409, and one ledger entry is appended for the exchange, answered or refused.
   The response leaves only after that commit: an answered request is always logged, and a
   nonce is never answered twice, across processes and restarts (the database's primary key).

This module orchestrates those steps; each lives in its own module: ``gateway_messages`` (the
request, the exchange's state, refusals), ``gateway_verify`` (1-2), ``gateway_rows`` and
``gateway_aggregate`` (4, tables; their privacy gates in ``gateway_privacy``), ``gateway_proxy``
(4, services), ``gateway_responses`` (5 and the ledger entry) and ``gateway_commit`` (6).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.clock import Clock
from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.errors import GrantDenied, GrantNotFound
from dyrd.exchange.models import Resource
from dyrd.exchange.ports import MemberLocator
from dyrd.exchange.repository import ExchangeRepository, NonceClaim, NonceRepository
from dyrd.exchange.service.access import check_grant
from dyrd.exchange.service.gateway_aggregate import aggregate_query, answer_aggregate
from dyrd.exchange.service.gateway_commit import GroupCommit
from dyrd.exchange.service.gateway_keys import KeyCache, MemberCache
from dyrd.exchange.service.gateway_messages import (
    Answer,
    ExchangeState,
    GatewayResponse,
    GatewaySettings,
    IncomingRequest,
    Refusal,
    replayed,
    sha256_hex,
)
from dyrd.exchange.service.gateway_privacy import TableCache
from dyrd.exchange.service.gateway_proxy import proxy_service
from dyrd.exchange.service.gateway_responses import (
    LEDGER_KIND,
    PROBLEM_JSON,
    ResponseSigner,
    ledger_entry,
)
from dyrd.exchange.service.gateway_rows import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PageCache,
    RowRelease,
    release_rows,
    table_query,
)
from dyrd.exchange.service.gateway_verify import authenticate, claim_nonce
from dyrd.exchange.types import ResourceKind, SharingClass

__all__ = [
    "DEFAULT_LIMIT",
    "LEDGER_KIND",
    "MAX_LIMIT",
    "PROBLEM_JSON",
    "Gateway",
    "GatewayResponse",
    "GatewaySettings",
    "IncomingRequest",
    "Refusal",
    "prune_nonces",
]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Done:
    """An exchange ready to be logged: its outcome and signed response."""

    ex: ExchangeState
    status: int
    reason: str
    now: datetime
    response: GatewayResponse | None = None


class Gateway:
    """The provider gateway of one node; thread-safe, one per process.

    ``locator`` finds the consumers' public keys: the local trust tables when one process hosts
    every member, the verified directory on a federated node.
    """

    def __init__(
        self,
        *,
        keystore: trust.KeyStore,
        locator: MemberLocator,
        clock: Clock,
        secret: Callable[[], bytes],
        settings: GatewaySettings | None = None,
        upstream: httpx.Client | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or GatewaySettings()
        self._clock = clock
        self._keys = KeyCache(locator)
        self._responses = ResponseSigner(keystore, self.settings.algorithm)
        self._members = MemberCache()
        self._monotonic = monotonic
        self._upstream = upstream or httpx.Client(
            timeout=self.settings.upstream_timeout, follow_redirects=False
        )
        self._prune_lock = threading.Lock()
        # Writes outside the group commit (a proxied request's early nonce claim) take turns
        # here: waiting on a lock wakes at once, SQLite's busy handler sleeps up to 100 ms.
        self._write_lock = threading.Lock()
        self._commits: GroupCommit[_Done] = GroupCommit(self._write)
        self._tables = TableCache()
        self._release = RowRelease(
            pages=PageCache(),
            tables=self._tables,
            policy=self.settings.privacy.policy,
            secret=secret,
        )
        self._next_prune = 0.0

    def close(self) -> None:
        """Close the upstream HTTP client."""
        self._upstream.close()

    # --- the exchange -------------------------------------------------------------------------

    def handle(self, session: Session, request: IncomingRequest) -> GatewayResponse:
        """Answer one exchange (see the module docstring); commits the session once."""
        message = httpsig.HttpMessage.request_of(
            request.method, request.target_uri, request.headers
        )
        ex = ExchangeState(request=request, message=message)
        ex.request_hash = sha256_hex(
            f"{request.method} {request.target_uri}\n".encode() + request.body
        )
        now = self._clock()
        try:
            authenticate(session, ex, now, keys=self._keys, skew=self.settings.skew)
            status, body, content_type, extra = self._serve(session, ex, now)
            done = _Done(ex, status, "ok", now)
            done.response = self._responses.signed(
                session,
                ex,
                status=status,
                body=body,
                content_type=content_type,
                extra=extra,
                now=now,
            )
        except Refusal as refusal:
            done = _Done(ex, refusal.status, refusal.reason, now)
            done.response = self._responses.refusal(session, ex, refusal, now)
        # End the read transaction: on SQLite a transaction that read and then writes can
        # deadlock with another writer (SQLITE_BUSY at once), one that starts writing waits.
        session.commit()
        self._commits.submit(session, done)
        if done.reason != "ok":
            log.info(
                "gateway refused %s: %s",
                ex.message_id,
                done.reason,
                extra={"client": ex.client, "status": done.status, "reason": done.reason},
            )
        assert done.response is not None  # noqa: S101  # set above, or by the replay check
        return done.response

    def _write(self, session: Session, batch: Sequence[_Done]) -> None:
        """One group commit's writes: the nonces claimed in one statement (a replay turns into
        a 409), then all the exchanges' ledger entries in one append. Runs in the leader's
        thread; its caller commits."""
        claiming: list[_Done] = []
        claims: list[NonceClaim] = []
        for d in batch:
            x = d.ex
            if x.nonce_expires is not None and not x.claimed:
                claiming.append(d)
                claims.append(
                    NonceClaim(x.client or "", x.nonce or "", x.nonce_expires, x.message_id or "")
                )
        for done, won in zip(claiming, NonceRepository(session).claim_many(claims), strict=True):
            ex = done.ex
            if won:
                ex.claimed = True
            else:
                refusal = replayed(ex)
                done.status, done.reason = refusal.status, refusal.reason
                done.response = self._responses.refusal(session, ex, refusal, done.now)
        entries: list[ledger.NewEntry] = []
        for done in batch:
            ex = done.ex
            assert done.response is not None  # noqa: S101  # set before submitting
            entries.append(
                ledger_entry(
                    ex, status=done.status, reason=done.reason, response=done.response, at=done.now
                )
            )
        ledger.append_many(session, entries, clock=self._clock)
        if batch:
            self._maybe_prune(session, batch[-1].now)

    def _serve(self, session: Session, ex: ExchangeState, now: datetime) -> Answer:
        assert ex.provider is not None  # noqa: S101  # checked above
        assert ex.service is not None  # noqa: S101  # checked above
        if not self._members.exists(session, ex.provider):
            raise Refusal(
                404,
                "unknown-member",
                f"No member {ex.provider!r} on this platform.",
                f"平台上没有成员 {ex.provider}。",
                hint="Check the member identifier in the directory (GET /api/v1/trust/members).",
            )
        repo = ExchangeRepository(session)
        res = repo.resource(ex.service)
        if res is None or res.owner_member != ex.provider or res.status != "active":
            raise Refusal(
                404,
                "unknown-service",
                f"Member {ex.provider!r} offers no service {ex.service!r}.",
                f"成员 {ex.provider} 没有服务 {ex.service}。",
                hint="Search the catalog for the resource id.",
            )
        ex.resource_id = res.id
        if res.sharing_class == SharingClass.NOT_SHARED.value:
            raise Refusal(
                403,
                "not-shared",
                f"Resource {res.name!r} is not shared (不予共享).",
                f"数据资源 {res.name} 不予共享。",
            )
        if res.kind == ResourceKind.SERVICE.value:
            return self._proxy(session, ex, res, now)
        return self._rows(session, ex, res, now)

    def _grant(
        self, session: Session, ex: ExchangeState, res: Resource, fields: list[str], now: datetime
    ) -> tuple[str, ...]:
        assert ex.grant_id is not None  # noqa: S101  # checked above
        assert ex.client is not None  # noqa: S101  # checked above
        try:
            check = check_grant(
                session,
                grant_id=ex.grant_id,
                consumer_member=ex.client,
                resource_id=res.id,
                fields=fields,
                at=now,
                resource=res,
            )
        except (GrantNotFound, GrantDenied) as exc:
            raise Refusal(403, exc.code, exc.message, exc.message_zh, hint=exc.hint) from exc
        return check.fields

    def _rows(self, session: Session, ex: ExchangeState, res: Resource, now: datetime) -> Answer:
        rest = xroad.parse_path(ex.request.path).rest
        if rest == "aggregate":
            return self._aggregate(session, ex, res, now)
        if rest != "rows":
            raise Refusal(
                404,
                "unknown-service",
                f"A table offers only .../rows and .../aggregate, not .../{rest}.",
                "数据表服务只提供 .../rows 与 .../aggregate。",
            )
        query = table_query(ex.request.query)
        ex.fields = query.fields
        allowed = list(self._grant(session, ex, res, query.fields, now))
        ex.fields = allowed
        repo = ExchangeRepository(session)
        return release_rows(repo, ex, res, query, allowed, self._release)

    def _aggregate(
        self, session: Session, ex: ExchangeState, res: Resource, now: datetime
    ) -> Answer:
        """A differentially private aggregate over granted columns, its ε charged first."""
        dpq = aggregate_query(ex.request.query)
        ex.fields = [dpq.column] if dpq.column else []
        self._grant(session, ex, res, ex.fields, now)
        return answer_aggregate(
            session,
            ex,
            res,
            dpq,
            tables=self._tables,
            write_lock=self._write_lock,
            clock=self._clock,
            total_epsilon=self.settings.privacy.epsilon_per_grant,
        )

    def _proxy(self, session: Session, ex: ExchangeState, res: Resource, now: datetime) -> Answer:
        self._grant(session, ex, res, [], now)
        # Before the upstream sees it: a replay never reaches it.
        claim_nonce(session, ex, write_lock=self._write_lock)
        return proxy_service(self._upstream, ex, res, retry_after=self.settings.retry_after)

    def _maybe_prune(self, session: Session, now: datetime) -> None:
        """Delete expired nonces, at most once per ``nonce_prune_seconds`` in this process.

        Runs inside a group commit, so it shares its transaction instead of competing with it.
        """
        tick = self._monotonic()
        with self._prune_lock:
            if tick < self._next_prune:
                return
            self._next_prune = tick + self.settings.nonce_prune_seconds
        NonceRepository(session).prune(now)


def prune_nonces(session: Session, *, now: datetime) -> int:
    """Delete nonces no request could still use, and commit; how many were deleted."""
    gone = NonceRepository(session).prune(now)
    session.commit()
    return gone
