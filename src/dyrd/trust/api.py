"""HTTP routes of the trust domain under /api/v1/trust."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from dyrd.core.config import Settings
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError
from dyrd.core.types import Role
from dyrd.trust import service
from dyrd.trust.ports import KeyStore
from dyrd.trust.schemas import (
    CertificateIssue,
    CertificateRead,
    CertificateRevoke,
    CertificateRotation,
    KeyRead,
    MemberCreate,
    MemberRead,
    NodeRead,
    NodeUpdate,
    RoleAssignmentRead,
    RoleGrant,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
)
from dyrd.trust.types import MEMBER_ID_EXAMPLE, MEMBER_ID_PATTERN, USERNAME_PATTERN, MemberKind

router = APIRouter(prefix="/api/v1/trust", tags=["trust"])

MAX_ROW_ID = 2**31 - 1
"""Largest INTEGER primary key on PostgreSQL; larger ids cannot exist and must not reach the DB."""

MemberPathId = Annotated[
    str,
    Path(
        pattern=MEMBER_ID_PATTERN,
        max_length=128,
        description=f"Member identifier, e.g. {MEMBER_ID_EXAMPLE}",
    ),
]
UsernamePath = Annotated[str, Path(pattern=USERNAME_PATTERN, description="Username")]


@router.get("/members", response_model=list[MemberRead])
def members(
    *,
    session: SessionDep,
    parent: Annotated[
        str | None,
        Query(pattern=MEMBER_ID_PATTERN, max_length=128, description="Only children of this"),
    ] = None,
    kind: Annotated[MemberKind | None, Query(description="Only members of this kind")] = None,
) -> list[MemberRead]:
    """Members of the region (public): the region, jurisdictions and departments."""
    return service.list_members(session, parent_id=parent, kind=kind)


# Before the catch-all member route below, which would otherwise take ".../node" as a member id.
@router.get("/members/{member_id:path}/node", response_model=NodeRead)
def node(*, session: SessionDep, member_id: MemberPathId) -> NodeRead:
    """A member's registered node URL and services (public, as in the directory)."""
    return service.get_node(session, member_id)


@router.get("/members/{member_id:path}", response_model=MemberRead)
def member(*, session: SessionDep, member_id: MemberPathId) -> MemberRead:
    """One member."""
    return service.get_member(session, member_id)


@router.post("/members", response_model=MemberRead, status_code=status.HTTP_201_CREATED)
def create_member(
    *, session: SessionDep, principal: PrincipalDep, clock: ClockDep, body: MemberCreate
) -> MemberRead:
    """Add a jurisdiction or department (admin of its parent)."""
    return service.create_member(
        session,
        member_id=body.id,
        name_zh=body.name_zh,
        name_en=body.name_en,
        by=principal,
        clock=clock,
    )


@router.get("/me", response_model=UserRead)
def me(*, session: SessionDep, principal: PrincipalDep) -> UserRead:
    """The caller and the roles they hold."""
    return service.get_user(session, principal.user)


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(
    *, session: SessionDep, principal: PrincipalDep, clock: ClockDep, body: UserCreate
) -> UserRead:
    """Create a user with a first role (admin of that member, or of the region)."""
    return service.create_user(
        session,
        username=body.username,
        display_name=body.display_name,
        member_id=body.member_id,
        role=body.role,
        by=principal,
        clock=clock,
    )


@router.post(
    "/users/{username}/roles",
    response_model=RoleAssignmentRead,
    status_code=status.HTTP_201_CREATED,
)
def grant_role(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    username: UsernamePath,
    body: RoleGrant,
) -> RoleAssignmentRead:
    """Grant a role in a member (admin of that member)."""
    return service.grant_role(
        session, username, member_id=body.member_id, role=body.role, by=principal, clock=clock
    )


@router.delete(
    "/users/{username}/roles/{role}/{member_id:path}", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_role(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    username: UsernamePath,
    role: Role,
    member_id: MemberPathId,
) -> None:
    """Revoke a role in a member (admin of that member); the grant is kept as history."""
    service.revoke_role(
        session, username, member_id=member_id, role=role, by=principal, clock=clock
    )


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    *,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    body: TokenCreate,
) -> TokenCreated:
    """Create a token for yourself; the secret is in this response only."""
    settings: Settings = request.app.state.settings
    days = body.days if body.days is not None else settings.token_default_days
    return service.create_token(
        session, principal.user, days=days, name=body.name, by=principal, clock=clock
    )


@router.get("/tokens", response_model=list[TokenRead])
def tokens(*, session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> list[TokenRead]:
    """Your tokens, without secrets or digests."""
    return service.list_tokens(session, principal.user, by=principal, clock=clock)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    token_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
) -> None:
    """Revoke one of your tokens; admins may revoke the tokens of users they administer."""
    service.revoke_token(session, token_id, by=principal, clock=clock)


# --- keys and the signed directory -----------------------------------------------------------


def get_keystore(request: Request) -> KeyStore:
    """The key store wired by the composition root."""
    keystore: KeyStore | None = getattr(request.app.state, "trust_keystore", None)
    if keystore is None:
        raise ConfigurationError(
            "No key store is configured for this server.",
            "本服务未配置密钥库。",
            hint="Build the app with dyrd.bootstrap.build_app, which sets it from DYRD_KEY_DIR.",
        )
    return keystore


def directory_validity(request: Request) -> timedelta:
    """How long a directory published by this server is valid (DYRD_DIRECTORY_VALIDITY_HOURS)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is None:
        return service.DEFAULT_VALIDITY
    return timedelta(hours=settings.directory_validity_hours)


KeyStoreDep = Annotated[KeyStore, Depends(get_keystore)]
ValidityDep = Annotated[timedelta, Depends(directory_validity)]

DIRECTORY_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The signed directory: a JWS (flattened JSON, detached payload) whose "
        "payload is the RFC 8785 canonical form of `directory`.",
        "content": {"application/json": {"schema": {"type": "object"}}},
        "headers": {"ETag": {"description": "Names the serial", "schema": {"type": "string"}}},
    },
    304: {"description": "Not modified: the If-None-Match entity tag is current"},
}


@router.get("/keys", response_model=list[KeyRead])
def keys(
    *,
    session: SessionDep,
    member: Annotated[
        str | None,
        Query(pattern=MEMBER_ID_PATTERN, max_length=128, description="Only this member's keys"),
    ] = None,
) -> list[KeyRead]:
    """Members' public keys with status and validity windows (public)."""
    return service.list_keys(session, member)


@router.get("/directory", response_class=Response, responses=DIRECTORY_RESPONSES)
def directory(
    *,
    session: SessionDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    validity: ValidityDep,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The current signed regional directory (public); verify it with the pinned root key."""
    signed = service.current_directory(session, keystore=keystore, clock=clock, validity=validity)
    headers = {"ETag": signed.etag, "Cache-Control": "no-cache"}
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        if signed.etag in tags or "*" in tags:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(signed.document, media_type="application/json", headers=headers)


@router.get("/directory/root-key", response_model=dict[str, str])
def directory_root_key(*, session: SessionDep) -> dict[str, str]:
    """The region root key's public JWK, which signs the directory (pin it out of band)."""
    return service.root_public_jwk(session)


@router.put("/members/{member_id:path}/node", response_model=NodeRead)
def put_node(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    member_id: MemberPathId,
    body: NodeUpdate,
) -> NodeRead:
    """Register a member's node URL and services for the directory (admin of that member)."""
    return service.set_node(
        session, member_id, url=body.url, services=body.services, by=principal, clock=clock
    )


# --- credential certificates and the trust list ----------------------------------------------

TRUST_LIST_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The signed credential trust list: a JWS (flattened JSON, detached "
        "payload) whose payload is the RFC 8785 canonical form of `trust_list`; full without "
        "`since`, else the changes after version `since` with the resulting state's digest.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}


@router.get("/certificates", response_model=list[CertificateRead])
def certificates(
    *,
    session: SessionDep,
    member: Annotated[
        str | None,
        Query(pattern=MEMBER_ID_PATTERN, max_length=128, description="Only this member's"),
    ] = None,
    kind: Annotated[str | None, Query(pattern="^(csca|dsc)$", description="csca or dsc")] = None,
) -> list[CertificateRead]:
    """The region CSCA and members' document-signer certificates, with status (public)."""
    return service.list_certificates(session, member, kind=kind)


@router.post(
    "/certificates", response_model=CertificateRotation, status_code=status.HTTP_201_CREATED
)
def issue_certificate(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    body: CertificateIssue,
) -> CertificateRotation:
    """Issue a DSC for a member's key, signed by the region CSCA (admin of the region);
    the member's previous DSC for that algorithm is retired, and stays listed until expiry."""
    return service.issue_certificate(
        session,
        body.member_id,
        key_id=body.key_id,
        days=body.days,
        keystore=keystore,
        by=principal,
        clock=clock,
    )


@router.post("/certificates/{certificate:path}/revoke", response_model=CertificateRead)
def revoke_certificate(
    *,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    certificate: Annotated[
        str,
        Path(
            pattern=r"^([0-9a-f]{64}|[A-Za-z0-9+/]{11}=)$",
            description="SHA-256 fingerprint (hex) or DCC kid (base64)",
        ),
    ],
    body: CertificateRevoke,
) -> CertificateRead:
    """Revoke a certificate: it leaves the trust list (admin of its member)."""
    return service.revoke_certificate(
        session, certificate, reason=body.reason, by=principal, clock=clock
    )


@router.get("/trust-list", response_class=Response, responses=TRUST_LIST_RESPONSES)
def trust_list(
    *,
    session: SessionDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
    since: Annotated[
        int | None,
        Query(ge=0, le=MAX_ROW_ID, description="Only the changes after this version"),
    ] = None,
) -> Response:
    """The signed credential trust list (public); verify it with the pinned root key."""
    signed = service.signed_trust_list(session, since=since, keystore=keystore, clock=clock)
    return Response(
        signed.document,
        media_type="application/json",
        headers={"ETag": signed.etag, "Cache-Control": "no-cache"},
    )
