"""HTTP routes of credential revocation under /api/v1/credential.

* ``GET /revocation?issuer=ID&since=V``: the issuer's signed list (delta since V; V = 0 the full
  list), public, with a strong ETag and ``Cache-Control: no-cache`` (revalidate every time: an
  unchanged list answers 304 without a signature being computed).
* ``GET /revocation/lists``: every issuer's list version and size (public).
* ``GET /revocation/sync``: this node's copy of other issuers' lists, when it syncs any.
* ``POST /revocations``, ``GET /revocations``, ``POST /revocations/{id}/lift``: stewards of the
  issuing member revoke, list and lift (bearer token).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError, FieldError, NotFoundError, ValidationFailed
from dyrd.credential.adapters.revocation_client import RevocationClient
from dyrd.credential.revocation_schemas import (
    MEMBER_ID_PATTERN,
    RevocationCreate,
    RevocationLift,
    RevocationListRead,
    RevocationPage,
    RevocationRead,
    SyncIssuerRead,
    SyncStatusRead,
)
from dyrd.credential.service import revocation as service
from dyrd.trust import KeyStore

router = APIRouter(prefix="/api/v1/credential", tags=["credential"])

MAX_VERSION = 2**31 - 1


def _keystore(request: Request) -> KeyStore:
    keystore: KeyStore | None = getattr(request.app.state, "trust_keystore", None)
    if keystore is None:
        raise ConfigurationError(
            "No key store is configured for this server.",
            "本服务未配置密钥库。",
            hint="Build the app with dyrd.bootstrap.build_app, which sets it from DYRD_KEY_DIR.",
        )
    return keystore


KeyStoreDep = Annotated[KeyStore, Depends(_keystore)]
IssuerQuery = Annotated[
    str | None,
    Query(
        pattern=MEMBER_ID_PATTERN,
        max_length=128,
        description="签发成员 / issuing member (default: this node's member)",
    ),
]

DOCUMENT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The signed revocation list or delta: a JWS (flattened JSON, detached "
        "payload) whose payload is the RFC 8785 canonical form of `revocation`.",
        "content": {"application/json": {"schema": {"type": "object"}}},
        "headers": {"ETag": {"description": "Names issuer, since, version", "schema": {}}},
    },
    304: {"description": "Not modified: the If-None-Match entity tag is current"},
}


def _issuer(request: Request, issuer: str | None) -> str:
    if issuer:
        return issuer
    member: str | None = getattr(request.app.state, "node_member", None)
    if member:
        return member
    raise ValidationFailed(
        "Name the issuing member: ?issuer=CN-YRD/GOV/...",
        "请用 ?issuer= 指定签发成员。",
        errors=[FieldError("issuer", "required on a node that hosts several members")],
    )


def _etag(issuer: str, since: int, version: int, bloom: bool) -> str:
    tag = service.etag_for(issuer, since, version)
    return tag[:-1] + '-bloom"' if bloom else tag


@router.get("/revocation", response_class=Response, responses=DOCUMENT_RESPONSES)
def revocation_document(
    *,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    issuer: IssuerQuery = None,
    since: Annotated[int, Query(ge=0, le=MAX_VERSION, description="已持有版本 / held")] = 0,
    bloom: Annotated[bool, Query(description="附带 Bloom 过滤器 / include filters")] = False,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """An issuer's signed revocation list since a version (public; verify with the directory)."""
    member = _issuer(request, issuer)
    version = service.list_version(session, member)
    etag = _etag(member, since, version, bloom)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and since <= version:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        if etag in tags or "*" in tags:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    signed = service.revocation_document(
        session, member, since=since, keystore=keystore, clock=clock, include_bloom=bloom
    )
    headers["ETag"] = _etag(member, since, signed.version, bloom)  # a revoke may have landed
    return Response(signed.document, media_type="application/json", headers=headers)


@router.get("/revocation/lists", response_model=list[RevocationListRead])
def revocation_lists(*, session: SessionDep) -> list[RevocationListRead]:
    """Every issuer's list version and standing revocations (public)."""
    return service.list_status(session)


@router.get("/revocation/sync", response_model=SyncStatusRead)
def revocation_sync(*, request: Request) -> SyncStatusRead:
    """This node's copies of other issuers' lists: fresh, stale or empty (public)."""
    client: RevocationClient | None = getattr(
        request.app.state, "credential_revocation_client", None
    )
    if client is None:
        raise NotFoundError(
            "This node syncs no other issuers' revocation lists.",
            "本节点未同步其他签发方的吊销列表。",
            hint="A federated node syncs them (dyrd serve --member).",
        )
    sync = client.status()
    return SyncStatusRead(
        state=sync.state,
        interval_seconds=sync.interval,
        issuers=[
            SyncIssuerRead(
                issuer_member=i.issuer,
                version=i.version,
                entries=i.entries,
                last_success_at=i.last_success_at,
                last_error=i.last_error,
                ignored_foreign=i.ignored_foreign,
            )
            for i in sync.issuers
        ],
        ignored_foreign=sync.ignored_foreign,
    )


@router.post(
    "/revocations", response_model=list[RevocationRead], status_code=status.HTTP_201_CREATED
)
def revoke(
    *, session: SessionDep, principal: PrincipalDep, clock: ClockDep, body: RevocationCreate
) -> list[RevocationRead]:
    """Revoke by hash or by credential text (data steward of the issuing member)."""
    return service.revoke(session, body, by=principal, clock=clock)


@router.get("/revocations", response_model=RevocationPage)
def revocations(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    issuer: Annotated[str, Query(pattern=MEMBER_ID_PATTERN, max_length=128)],
    include_lifted: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0,
) -> RevocationPage:
    """An issuer's revocation records with reasons, newest first (viewer of that member)."""
    return service.list_revocations(
        session,
        issuer=issuer,
        include_lifted=include_lifted,
        limit=limit,
        offset=offset,
        by=principal,
    )


@router.post("/revocations/{record_id}/lift", response_model=RevocationRead)
def lift(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    record_id: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    body: RevocationLift,
) -> RevocationRead:
    """Lift a revocation made in error (data steward of the issuing member)."""
    return service.lift(session, record_id, reason=body.reason, by=principal, clock=clock)
