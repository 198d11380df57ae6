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
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import DyrdError, NotFoundError
from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.compute.dp import (
    DPQuery,
    DPQueryError,
    EpsilonBudget,
    parse_query_params,
    validate,
)
from dyrd.exchange.compute.dp import dp_aggregate as compute_aggregate
from dyrd.exchange.errors import (
    AnonymityRefused,
    GrantDenied,
    GrantNotFound,
    PrivacyBudgetExhausted,
)
from dyrd.exchange.models import Resource
from dyrd.exchange.ports import MemberLocator
from dyrd.exchange.repository import ExchangeRepository, NonceClaim, NonceRepository
from dyrd.exchange.service.access import check_grant
from dyrd.exchange.service.gateway_commit import GroupCommit
from dyrd.exchange.service.gateway_keys import KeyCache, MemberCache, SignerCache
from dyrd.exchange.service.gateway_privacy import (
    PrivacySettings,
    TableCache,
    aggregate_body,
    anonymity_metadata,
    budget_metadata,
)
from dyrd.exchange.service.privacy import (
    needs_anonymity,
    pseudonymise_rows,
    refuse_unless_anonymous,
    spend_epsilon,
)
from dyrd.exchange.types import ColumnSpec, PersonalDataRole, ResourceKind, SharingClass

log = logging.getLogger(__name__)

LEDGER_KIND = "exchange.gateway"
"""Ledger entry kind of every exchange through the gateway, answered or refused."""

PROBLEM_JSON = "application/problem+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
"""Rows per answer at most: CKAN's ``rows_max`` (1000), the catalog's page bound too."""


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """Tunables of the provider gateway (``DYRD_GATEWAY_*`` settings)."""

    skew: timedelta = xroad.DEFAULT_SKEW
    algorithm: str = "ES256"
    """Algorithm of the provider key that signs responses (a ``KeyAlgorithm`` value)."""
    upstream_timeout: float = 10.0
    retry_after: int = 30
    """Seconds a client is told to wait when an upstream service or node is down."""
    nonce_prune_seconds: float = 60.0
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    """k, l and suppression of row releases to other members; ε total of a new grant budget."""


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """What the HTTP edge hands over: the request as it arrived."""

    method: str
    target_uri: str
    path: str
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class GatewayResponse:
    """What goes back: status, headers (signed ones included) and the body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Exchange:
    """What is known about one exchange so far: the ledger entry is built from it."""

    request: IncomingRequest
    message: httpsig.HttpMessage
    client: str | None = None
    message_id: str | None = None
    user_id: str | None = None
    issue: str | None = None
    grant_id: str | None = None
    provider: str | None = None
    service: str | None = None
    resource_id: str | None = None
    fields: list[str] = field(default_factory=list)
    rows: int | None = None
    request_hash: str = ""
    signature: httpsig.ReceivedSignature | None = None
    nonce: str | None = None
    nonce_expires: datetime | None = None
    claimed: bool = False
    key_id: str | None = None
    privacy: dict[str, Any] | None = None
    """What the privacy gates did (anonymity levels, or ε spent and left), for the ledger."""


@dataclass(slots=True)
class _Done:
    """An exchange ready to be logged: its outcome and signed response."""

    ex: _Exchange
    status: int
    reason: str
    now: datetime
    response: GatewayResponse | None = None


def _replayed(ex: _Exchange) -> Refusal:
    return Refusal(
        409,
        "replayed-nonce",
        f"Nonce {ex.nonce!r} of {ex.client!r} was already used.",
        "该 nonce 已被使用：疑似重放请求。",
        hint="Every request needs a fresh nonce; a client must never resend one.",
    )


class Refusal(Exception):
    """An exchange the gateway refuses: an HTTP status, a reason code and bilingual text."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        message_zh: str,
        *,
        hint: str = "",
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.message_zh = message_zh
        self.hint = hint
        self.headers = dict(headers or {})
        self.details = dict(details or {})
        """Extra members of the problem body (counts, a budget), never data values."""


_TITLES = {
    400: ("Malformed request", "请求格式错误"),
    401: ("Signature not accepted", "签名未通过验证"),
    403: ("Not granted", "未获授权"),
    404: ("Not found", "未找到"),
    409: ("Replayed request", "重放请求"),
    503: ("Service unavailable", "服务不可用"),
}


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _header(message: httpsig.HttpMessage, name: str) -> str | None:
    values = message.field_values(name)
    return values[-1].strip() if values else None  # X-Road: the last one wins


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
        self._keystore = keystore
        self._clock = clock
        self._secret = secret
        self._keys = KeyCache(locator)
        self._signers = SignerCache()
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
        self._pages: _PageCache = _PageCache()
        self._tables = TableCache()
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
        ex = _Exchange(request=request, message=message)
        ex.request_hash = _sha256_hex(
            f"{request.method} {request.target_uri}\n".encode() + request.body
        )
        now = self._clock()
        try:
            self._authenticate(session, ex, now)
            status, body, content_type, extra = self._serve(session, ex, now)
            done = _Done(ex, status, "ok", now)
            done.response = self._signed(
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
            done.response = self._refusal_response(session, ex, refusal, now)
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
                refusal = _replayed(ex)
                done.status, done.reason = refusal.status, refusal.reason
                done.response = self._refusal_response(session, ex, refusal, done.now)
        entries: list[ledger.NewEntry] = []
        for done in batch:
            ex = done.ex
            assert done.response is not None  # noqa: S101  # set before submitting
            entries.append(
                _entry(
                    ex, status=done.status, reason=done.reason, response=done.response, at=done.now
                )
            )
        ledger.append_many(session, entries, clock=self._clock)
        if batch:
            self._maybe_prune(session, batch[-1].now)

    def _authenticate(self, session: Session, ex: _Exchange, now: datetime) -> None:
        msg = ex.message
        for name, required in (
            (xroad.H_CLIENT, True),
            (xroad.H_ID, True),
            (xroad.H_GRANT, True),
            (xroad.H_USER, False),
            (xroad.H_ISSUE, False),
        ):
            problem = xroad.header_problem(name, _header(msg, name), required=required)
            if problem is not None:
                raise Refusal(400, problem.reason, problem.message, problem.message_zh)
        ex.client = _header(msg, xroad.H_CLIENT)
        ex.message_id = _header(msg, xroad.H_ID)
        ex.grant_id = _header(msg, xroad.H_GRANT)
        ex.user_id = _header(msg, xroad.H_USER) or None
        ex.issue = _header(msg, xroad.H_ISSUE) or None
        try:
            target = xroad.parse_path(ex.request.path)
        except xroad.ProtocolError as exc:
            raise Refusal(400, exc.reason, exc.message, exc.message_zh) from exc
        ex.provider, ex.service = target.member_id, target.service
        self._verify(session, ex, now)

    def _verify(self, session: Session, ex: _Exchange, now: datetime) -> None:
        msg = ex.message
        sig_input = msg.field_values("signature-input")
        sig_value = msg.field_values("signature")
        if not sig_input or not sig_value:
            raise Refusal(
                401,
                "missing-signature",
                "The request carries no Signature-Input and Signature (RFC 9421).",
                "请求未携带 Signature-Input 与 Signature 签名头（RFC 9421）。",
                hint="Send it through a dyrd consumer gateway (`dyrd exchange fetch`).",
            )
        try:
            signatures = httpsig.parse_signatures(", ".join(sig_input), ", ".join(sig_value))
        except httpsig.SignatureError as exc:
            raise Refusal(400, "bad-signature-input", str(exc), "签名头格式错误。") from exc
        received = signatures.get(xroad.SIGNATURE_LABEL)
        if received is None:
            raise Refusal(
                401,
                "missing-signature",
                f"No signature labelled {xroad.SIGNATURE_LABEL!r}.",
                f"没有标签为 {xroad.SIGNATURE_LABEL} 的签名。",
            )
        ex.signature = received
        digest = _header(msg, "content-digest")
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
                skew=self.settings.skew,
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
        ex.request_hash = _sha256_hex(base)
        key = self._keys.get(session, params.keyid)
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
        ex.nonce_expires = datetime.fromtimestamp(
            xroad.nonce_expiry(created_at, self.settings.skew), tz=UTC
        )

    def _claim(self, session: Session, ex: _Exchange) -> None:
        """Claim the nonce now, in a transaction of its own (before a proxied call)."""
        session.commit()  # end the read transaction first (see handle)
        assert ex.client is not None  # noqa: S101  # checked above
        assert ex.nonce is not None  # noqa: S101  # checked above
        assert ex.nonce_expires is not None  # noqa: S101  # checked above
        with self._write_lock:
            claimed = NonceRepository(session).claim(
                ex.client, ex.nonce, expires_at=ex.nonce_expires, message_id=ex.message_id or ""
            )
            session.commit()
        if not claimed:
            raise _replayed(ex)
        ex.claimed = True

    def _serve(
        self, session: Session, ex: _Exchange, now: datetime
    ) -> tuple[int, bytes, str, dict[str, str]]:
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
        self, session: Session, ex: _Exchange, res: Resource, fields: list[str], now: datetime
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

    def _rows(
        self, session: Session, ex: _Exchange, res: Resource, now: datetime
    ) -> tuple[int, bytes, str, dict[str, str]]:
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
        query = _table_query(ex.request.query)
        ex.fields = query.fields
        allowed = list(self._grant(session, ex, res, query.fields, now))
        ex.fields = allowed
        repo = ExchangeRepository(session)
        if res.data_version is None:
            raise Refusal(404, "no-data", f"{res.name!r} has no data yet.", "尚未上传数据。")
        schema = [ColumnSpec.from_dict(c) for c in res.snapshot.get("columns") or []]
        granted = [c for c in schema if c.name in allowed]
        # Grants are only ever given to other members (the owner's own users read the data
        # API, raw), so every release here leaves the owner: the gates always apply.
        if needs_anonymity(granted):
            return self._anonymised_rows(ex, repo, res, query, granted, allowed)
        page = self._pages.get(
            (res.id, res.data_version, query.limit, query.offset),
            lambda: _page(repo, res, query),
        )
        if page is None:  # pragma: no cover  # data_version always names a version
            raise Refusal(404, "no-data", f"{res.name!r} has no data.", "没有数据。")
        version, total, stored = page
        rows = [{name: row.get(name) for name in allowed} for row in stored]
        pseudonymised = [c.name for c in granted if c.personal_data is PersonalDataRole.IDENTIFIER]
        if pseudonymised:
            rows = pseudonymise_rows(
                rows, granted, grant_id=ex.grant_id or "", secret=self._secret()
            )
        ex.rows = len(rows)
        body = {
            "resource_id": res.id,
            "data_version": version,
            "grant_id": ex.grant_id,
            "columns": allowed,
            "pseudonymised": pseudonymised,
            "anonymity": None,
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
            "rows": rows,
        }
        return 200, _json(body), "application/json", {}

    def _anonymised_rows(  # noqa: PLR0917  # the parts of one release
        self,
        ex: _Exchange,
        repo: ExchangeRepository,
        res: Resource,
        query: _TableQuery,
        granted: list[ColumnSpec],
        allowed: list[str],
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """Rows for another member through k-anonymity / l-diversity over the whole version."""
        policy = self.settings.privacy.policy
        outcome = self._tables.anonymised(repo, res, granted, policy)
        try:
            refuse_unless_anonymous(outcome, grant_id=ex.grant_id or "", policy=policy)
        except AnonymityRefused as exc:
            counts = outcome.after.summary()
            ex.privacy = {"anonymity": counts}
            raise Refusal(
                403,
                exc.code,
                exc.message,
                exc.message_zh,
                hint=exc.hint,
                details={"anonymity": counts},
            ) from exc
        meta = anonymity_metadata(outcome, policy)
        ex.privacy = {"anonymity": meta}
        stored = outcome.rows[query.offset : query.offset + query.limit]
        rows = [{name: row.get(name) for name in allowed} for row in stored]
        pseudonymised = [c.name for c in granted if c.personal_data is PersonalDataRole.IDENTIFIER]
        if pseudonymised:
            rows = pseudonymise_rows(
                rows, granted, grant_id=ex.grant_id or "", secret=self._secret()
            )
        ex.rows = len(rows)
        body = {
            "resource_id": res.id,
            "data_version": res.data_version,
            "grant_id": ex.grant_id,
            "columns": allowed,
            "pseudonymised": pseudonymised,
            "anonymity": meta,
            "total": len(outcome.rows),
            "limit": query.limit,
            "offset": query.offset,
            "rows": rows,
        }
        return 200, _json(body), "application/json", {}

    def _aggregate(
        self, session: Session, ex: _Exchange, res: Resource, now: datetime
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """A differentially private aggregate over granted columns, its ε charged first."""
        dpq = _aggregate_query(ex.request.query)
        ex.fields = [dpq.column] if dpq.column else []
        self._grant(session, ex, res, ex.fields, now)
        if res.data_version is None:
            raise Refusal(404, "no-data", f"{res.name!r} has no data yet.", "尚未上传数据。")
        schema = [ColumnSpec.from_dict(c) for c in res.snapshot.get("columns") or []]
        try:
            validate(dpq, schema)
        except DPQueryError as exc:
            raise Refusal(
                400,
                "privacy-query-invalid",
                f"The aggregate query cannot be answered: {exc}.",
                f"统计查询无法执行：{exc}。",
                hint="Name a granted non-identifier column, give sums and means public "
                "lower/upper bounds and histograms their categories, and a positive epsilon.",
            ) from exc
        rows = self._tables.version_rows(ExchangeRepository(session), res)
        budget = self._charge(session, ex, dpq.epsilon)
        result = compute_aggregate(rows, schema, dpq)
        spent = budget_metadata(budget)
        ex.privacy = {
            "aggregate": dpq.aggregate.value,
            "column": dpq.column,
            "epsilon": dpq.epsilon,
            "budget": spent,
        }
        ex.rows = None
        body = {
            "resource_id": res.id,
            "data_version": res.data_version,
            "grant_id": ex.grant_id,
            **aggregate_body(result),
            "budget": spent,
        }
        return 200, _json(body), "application/json", {}

    def _charge(self, session: Session, ex: _Exchange, epsilon: float) -> EpsilonBudget:
        """Claim the nonce and charge ``epsilon`` to the grant in one transaction of their own.

        Together, so a replayed request never charges twice, and before computing, so no
        answer ever leaves uncharged (a crash after this costs ε, never privacy).
        """
        session.commit()  # end the read transaction first (see handle)
        assert ex.client is not None  # noqa: S101  # checked above
        assert ex.nonce is not None  # noqa: S101  # checked above
        assert ex.nonce_expires is not None  # noqa: S101  # checked above
        grant_id = ex.grant_id or ""
        with self._write_lock:
            if not NonceRepository(session).claim(
                ex.client, ex.nonce, expires_at=ex.nonce_expires, message_id=ex.message_id or ""
            ):
                session.rollback()
                raise _replayed(ex)
            try:
                budget = spend_epsilon(
                    session,
                    grant_id=grant_id,
                    epsilon=epsilon,
                    clock=self._clock,
                    total_epsilon=self.settings.privacy.epsilon_per_grant,
                )
            except PrivacyBudgetExhausted as exc:
                session.commit()  # the nonce stays used; nothing was charged
                ex.claimed = True
                ex.privacy = {"epsilon": epsilon, "exhausted": True}
                raise Refusal(403, exc.code, exc.message, exc.message_zh, hint=exc.hint) from exc
            session.commit()
        ex.claimed = True
        return budget

    def _proxy(
        self, session: Session, ex: _Exchange, res: Resource, now: datetime
    ) -> tuple[int, bytes, str, dict[str, str]]:
        self._grant(session, ex, res, [], now)
        self._claim(session, ex)  # before the upstream sees it: a replay never reaches it
        base = str(res.snapshot.get("service_base_url") or "").rstrip("/")
        if not base:
            raise Refusal(
                404, "unknown-service", "The service has no base URL.", "服务未登记地址。"
            )
        rest = xroad.parse_path(ex.request.path).rest
        url = f"{base}/{rest}" if rest else base
        if ex.request.query:
            url += "?" + ex.request.query
        try:
            upstream = self._upstream.get(
                url,
                # The service learns who is asking (verified above), as X-Road's security
                # server tells its providers; it may narrow its answer to that member.
                headers={
                    "Accept": "application/json",
                    "X-Road-Id": ex.message_id or "",
                    "X-Road-Client": ex.client or "",
                    "X-Road-UserId": ex.user_id or "",
                },
            )
        except httpx.HTTPError as exc:
            retry = str(self.settings.retry_after)
            raise Refusal(
                503,
                "upstream-unavailable",
                f"The provider's service did not answer ({type(exc).__name__}).",
                "提供方的服务没有响应。",
                hint=f"Try again in {retry} s.",
                headers={"Retry-After": retry},
            ) from exc
        ex.rows = None
        content_type = upstream.headers.get("content-type", "application/octet-stream")
        return upstream.status_code, upstream.content, content_type, {}

    # --- responses, refusals, the ledger -----------------------------------------------------

    def _signed(
        self,
        session: Session,
        ex: _Exchange,
        *,
        status: int,
        body: bytes,
        content_type: str,
        extra: Mapping[str, str],
        now: datetime,
    ) -> GatewayResponse:
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
            signer = self._signers.get(
                session, ex.provider, algorithm=self.settings.algorithm, keystore=self._keystore
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

    def _refusal_response(
        self, session: Session, ex: _Exchange, refusal: Refusal, now: datetime
    ) -> GatewayResponse:
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
        return self._signed(
            session,
            ex,
            status=refusal.status,
            body=_json(problem),
            content_type=PROBLEM_JSON,
            extra=extra,
            now=now,
        )

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


def _entry(
    ex: _Exchange, *, status: int, reason: str, response: GatewayResponse, at: datetime
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
        "response_hash": _sha256_hex(response.body),
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


def prune_nonces(session: Session, *, now: datetime) -> int:
    """Delete nonces no request could still use, and commit; how many were deleted."""
    gone = NonceRepository(session).prune(now)
    session.commit()
    return gone


@dataclass(frozen=True, slots=True)
class _TableQuery:
    fields: list[str]
    limit: int
    offset: int


def _table_query(query: str) -> _TableQuery:
    """``fields=a,b&limit=&offset=`` of a rows request (Refusal 400 when malformed)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise Refusal(
            400, "bad-query", "The query string is malformed.", "查询参数格式错误。"
        ) from exc
    known = {"fields", "limit", "offset"}
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name not in known or name in seen:
            raise Refusal(
                400,
                "bad-query",
                f"Unknown or repeated query parameter {name!r}; use fields, limit, offset.",
                f"未知或重复的查询参数 {name}；可用 fields、limit、offset。",
            )
        seen[name] = value
    fields = [f for f in seen.get("fields", "").split(",") if f]
    if len(fields) != len(set(fields)):
        raise Refusal(400, "bad-query", "A field is listed twice.", "字段重复。")
    try:
        limit = int(seen.get("limit", DEFAULT_LIMIT))
        offset = int(seen.get("offset", 0))
    except ValueError as exc:
        raise Refusal(
            400, "bad-query", "limit and offset are integers.", "limit 与 offset 须为整数。"
        ) from exc
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= 10_000_000:
        raise Refusal(
            400,
            "bad-query",
            f"limit is 1-{MAX_LIMIT}, offset at least 0.",
            f"limit 须为 1-{MAX_LIMIT}。",
        )
    return _TableQuery(fields, limit, offset)


def _aggregate_query(query: str) -> DPQuery:
    """``aggregate=&epsilon=&column=&lower=&upper=&category=`` (Refusal 400 when malformed)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
        return parse_query_params(pairs)
    except (ValueError, DPQueryError) as exc:  # DPQueryError is a ValueError; named for clarity
        raise Refusal(
            400,
            "bad-query",
            f"The aggregate query is malformed: {exc}.",
            f"统计查询参数格式错误：{exc}。",
            hint="aggregate=count|sum|mean|histogram&epsilon=0.1[&column=][&lower=&upper=]"
            "[&category=...]",
        ) from exc


_Page = tuple[int, int, list[dict[str, Any]]]
"""A stored page of a data version: (version number, its row count, the rows)."""


def _page(repo: ExchangeRepository, res: Resource, query: _TableQuery) -> _Page | None:
    assert res.data_version is not None  # noqa: S101  # checked by the caller
    ver = repo.version(res.id, res.data_version)
    if ver is None:
        return None
    rows = repo.rows(ver.id, limit=query.limit, offset=query.offset)
    return ver.version, ver.row_count or 0, rows


class _PageCache:
    """Pages of stored rows by (resource, data version, limit, offset), least recently used out.

    Safe to keep: an upload's rows are never changed or deleted (``exchange.models``), and the
    key holds the data version read from the resource on every request, so a new upload is
    seen at once. Who may see a page is decided per request, before the cache is asked.
    """

    def __init__(self, max_pages: int = 256, max_rows: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, int, int, int], _Page] = OrderedDict()
        self._max_pages = max_pages
        self._max_rows = max_rows
        self._rows = 0

    def get(self, key: tuple[str, int, int, int], load: Callable[[], _Page | None]) -> _Page | None:
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
                return hit
        page = load()
        if page is None:
            return None
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page
                self._rows += len(page[2])
            while self._pages and (
                len(self._pages) > self._max_pages or self._rows > self._max_rows
            ):
                _, old = self._pages.popitem(last=False)
                self._rows -= len(old[2])
        return page


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()
