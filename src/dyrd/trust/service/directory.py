"""The signed regional directory: node registration, publishing, serving, verifying.

The central side of X-Road's global configuration, made simpler: one JSON document listing every
member, its node URL and services and its public keys with their validity windows, signed by the
region's root key, with a serial that only grows and a validity window (24 h by default) within
which nodes may keep using their cached copy while the directory is unreachable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, NotFoundError, ValidationFailed
from dyrd.core.jcs import CanonicalJsonError, parse_strict
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust.compute import directory as doc
from dyrd.trust.compute import jose
from dyrd.trust.compute.urls import node_url_problem
from dyrd.trust.errors import DirectoryInvalid
from dyrd.trust.models import Node, PublishedDirectory, TrustKey
from dyrd.trust.ports import KeyStore
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import DirectoryPublished, NodeRead, ServiceSpec
from dyrd.trust.service._common import (
    Caller,
    acting,
    member_id_problem,
    raise_if_any,
    require_member,
)
from dyrd.trust.service.keys import root_key
from dyrd.trust.service.trustlist import trust_list_pointer
from dyrd.trust.types import KeyAlgorithm, KeyStatus, KeyWindow, MemberKind

log = logging.getLogger(__name__)

DEFAULT_VALIDITY = timedelta(hours=24)
"""How long a directory stays valid. X-Road's global configuration is valid 10 minutes and
pulled every 60 s; the region's membership changes far more slowly, and 24 h lets nodes ride
out a day-long outage of the central server (the brief's figure; DYRD_DIRECTORY_VALIDITY_HOURS)."""

MAX_VALIDITY = timedelta(days=31)
"""Longest validity accepted: a stolen old document stays usable at most this long."""


@dataclass(frozen=True, slots=True)
class SignedDirectory:
    """A published directory: the exact bytes served, and what they say in brief."""

    document: bytes
    info: DirectoryPublished

    @property
    def etag(self) -> str:
        """Strong HTTP entity tag: the serial names one document byte for byte."""
        return f'"dyrd-directory-{self.info.serial}"'


def _signed(row: PublishedDirectory) -> SignedDirectory:
    body = json.loads(row.document)["directory"]
    members = body["members"]
    return SignedDirectory(
        document=row.document,
        info=DirectoryPublished(
            serial=row.serial,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            key_id=row.key_id,
            members=len(members),
            keys=sum(len(m["keys"]) for m in members),
            nodes=sum(1 for m in members if m["node"] is not None),
            bytes=len(row.document),
        ),
    )


# --- nodes -------------------------------------------------------------------------------------


def _node_read(row: Node) -> NodeRead:
    return NodeRead(
        member_id=row.member_id,
        url=row.url,
        services=[ServiceSpec.model_validate(s) for s in row.services],
        updated_by=row.updated_by,
        updated_for=row.updated_for,
        updated_at=row.updated_at,
    )


def set_node(
    session: Session,
    member_id: str,
    *,
    url: str,
    services: Sequence[ServiceSpec],
    by: Caller,
    clock: Clock,
) -> NodeRead:
    """Register a member's node URL and services; needs the admin role in that member."""
    repo = TrustRepository(session)
    problems: list[FieldError | None] = [member_id_problem(member_id, "member_id")]
    url_problem = node_url_problem(url)
    if url_problem is not None:
        problems.append(FieldError("url", url_problem[0], url_problem[1], url[:200]))
    seen: set[tuple[str, str | None]] = set()
    for i, service in enumerate(services):
        ident = (service.code, service.version)
        if ident in seen:
            problems.append(
                FieldError(
                    f"services[{i}]",
                    "This code and version are listed twice.",
                    "服务代码与版本重复。",
                    f"{service.code} {service.version or ''}".strip(),
                )
            )
        seen.add(ident)
    raise_if_any(*problems)
    require_member(repo, member_id)
    actor = acting(by, Role.ADMIN, member_id)
    row = repo.put_node(
        member_id,
        url,
        [s.model_dump(mode="json") for s in services],
        actor=actor,
        at=clock(),
    )
    session.commit()
    log.info(
        "node registered for %s", member_id, extra={"member": member_id, "services": len(services)}
    )
    return _node_read(row)


def get_node(session: Session, member_id: str) -> NodeRead:
    """A member's registered node."""
    repo = TrustRepository(session)
    raise_if_any(member_id_problem(member_id, "member_id"))
    require_member(repo, member_id)
    row = repo.node(member_id)
    if row is None:
        raise NotFoundError(
            f"Member {member_id!r} has registered no node.",
            f"成员 {member_id} 尚未登记节点。",
            hint="Register one with PUT /api/v1/trust/members/{id}/node.",
        )
    return _node_read(row)


# --- publishing --------------------------------------------------------------------------------


def _key_entries(keys: Sequence[TrustKey]) -> list[dict[str, Any]]:
    return [
        doc.key_entry(
            kid=k.kid,
            algorithm=KeyAlgorithm(k.algorithm),
            status=KeyStatus(k.status),
            window=KeyWindow(k.not_before, k.not_after, k.revoked_at),
            jwk=k.public_jwk,
        )
        for k in keys
    ]


def _members(repo: TrustRepository) -> list[dict[str, Any]]:
    keys: dict[str, list[TrustKey]] = {}
    for key in repo.signing_keys():
        keys.setdefault(key.member_id, []).append(key)
    nodes = {n.member_id: n for n in repo.nodes()}
    out = []
    for member in repo.members():
        node = nodes.get(member.id)
        services = [] if node is None else [ServiceSpec.model_validate(s) for s in node.services]
        out.append(
            doc.member_entry(
                member_id=member.id,
                name_zh=member.name_zh,
                name_en=member.name_en,
                kind=MemberKind(member.kind),
                parent_id=member.parent_id,
                node_url=None if node is None else node.url,
                services=[
                    doc.DirectoryService(s.code, s.version, s.title_zh, s.title_en)
                    for s in services
                ],
                keys=_key_entries(keys.get(member.id, [])),
            )
        )
    return out


def _validity_problem(validity: timedelta) -> None:
    if not timedelta(minutes=1) <= validity <= MAX_VALIDITY:
        raise_if_any(
            FieldError(
                "validity",
                f"A directory is valid between one minute and {MAX_VALIDITY.days} days.",
                f"目录有效期须在 1 分钟至 {MAX_VALIDITY.days} 天之间。",
                str(validity),
            )
        )


def _root_or_404(repo: TrustRepository) -> TrustKey:
    key = root_key(repo)
    if key is None:
        raise NotFoundError(
            f"The region {REGION_MEMBER_ID} has no root key, so there is no signed directory.",
            f"区域 {REGION_MEMBER_ID} 尚无根密钥，因此没有签名目录。",
            hint="Run `dyrd key init` (after `dyrd member load`).",
        )
    return key


def _publish(
    repo: TrustRepository,
    *,
    keystore: KeyStore,
    now: datetime,
    validity: timedelta,
    members: list[dict[str, Any]],
    trust_list: dict[str, Any] | None = None,
) -> PublishedDirectory:
    key = _root_or_404(repo)
    issued_at = now.replace(microsecond=0)
    serial = repo.max_directory_serial() + 1
    body = doc.payload(
        region=REGION_MEMBER_ID,
        serial=serial,
        issued_at=issued_at,
        expires_at=issued_at + validity,
        members=members,
        trust_list=trust_list,
    )
    document = doc.sign_directory(
        body,
        key_id=key.kid,
        algorithm=KeyAlgorithm(key.algorithm),
        sign=lambda data: keystore.sign(key.kid, data),
    )
    return repo.add_directory(
        serial=serial,
        issued_at=issued_at,
        expires_at=issued_at + validity,
        key_id=key.kid,
        content_digest=doc.content_digest(body),
        document=document,
        actor=Actor.system(),
    )


def publish_directory(
    session: Session,
    *,
    keystore: KeyStore,
    clock: Clock,
    validity: timedelta = DEFAULT_VALIDITY,
) -> SignedDirectory:
    """Build, sign with the region's root key and store a new directory with the next serial."""
    _validity_problem(validity)
    repo = TrustRepository(session)
    row = _publish(
        repo,
        keystore=keystore,
        now=clock(),
        validity=validity,
        members=_members(repo),
        trust_list=trust_list_pointer(session),
    )
    session.commit()
    log.info("directory %d published", row.serial, extra={"serial": row.serial, "kid": row.key_id})
    return _signed(row)


def latest_directory(session: Session) -> SignedDirectory | None:
    """The newest published directory, as stored (it may have expired)."""
    row = TrustRepository(session).latest_directory()
    return None if row is None else _signed(row)


def current_directory(
    session: Session,
    *,
    keystore: KeyStore,
    clock: Clock,
    validity: timedelta = DEFAULT_VALIDITY,
) -> SignedDirectory:
    """The directory to serve now, publishing a new one when needed.

    A new one is published when there is none, when what it would list has changed (a key
    rotated, a node registered), or when half of the newest one's validity has passed, so nodes
    polling it always hold a copy with at least half its lifetime left.
    """
    _validity_problem(validity)
    repo = TrustRepository(session)
    now = clock()
    members = _members(repo)
    pointer = trust_list_pointer(session)
    latest = repo.latest_directory()
    if latest is not None:
        refresh_at = latest.issued_at + (latest.expires_at - latest.issued_at) / 2
        root = _root_or_404(repo)
        digest = doc.listing_digest(region=REGION_MEMBER_ID, members=members, trust_list=pointer)
        if now < refresh_at and latest.content_digest == digest and latest.key_id == root.kid:
            return _signed(latest)
    try:
        with session.begin_nested():
            row = _publish(
                repo,
                keystore=keystore,
                now=now,
                validity=validity,
                members=members,
                trust_list=pointer,
            )
    except IntegrityError:
        # Another request published the same serial first: serve that one.
        winner = repo.latest_directory()
        if winner is None:  # pragma: no cover  # the conflict means a row exists
            raise
        return _signed(winner)
    session.commit()
    log.info("directory %d published", row.serial, extra={"serial": row.serial, "kid": row.key_id})
    return _signed(row)


def root_public_jwk(session: Session) -> dict[str, str]:
    """The region root key's public JWK (``kid``, ``alg``, ``use``): what nodes pin."""
    key = _root_or_404(TrustRepository(session))
    return jose.published_jwk(key.public_jwk, algorithm=KeyAlgorithm(key.algorithm))


# --- verifying ---------------------------------------------------------------------------------


def parse_root_key(data: bytes, *, source: str = "root key") -> dict[str, Any]:
    """A pinned root key (JWK or JWK Set) from JSON bytes; ValidationFailed when unusable."""
    try:
        value = parse_strict(data)
        doc.pinned_keys(value)  # ValueError unless a public JWK or a JWK Set
    except (CanonicalJsonError, ValueError) as exc:
        raise ValidationFailed(
            f"The {source} is not a public JWK or JWK Set: {exc}",
            f"{source} 不是 JWK 公钥或 JWK 集合。",
            hint="Export the region's root key with `dyrd directory root-key` or "
            "GET /api/v1/trust/directory/root-key.",
        ) from exc
    return dict(value)


def check_directory(
    document: bytes, root_public_jwk: Mapping[str, Any], *, at: datetime
) -> doc.Directory:
    """``verify_directory``, with a refusal turned into DirectoryInvalid (exit code, HTTP 422)."""
    try:
        return doc.verify_directory(document, root_public_jwk, at=at)
    except doc.DirectoryRejected as exc:
        error = DirectoryInvalid(
            exc.message,
            exc.message_zh,
            hint="Fetch a fresh copy from GET /api/v1/trust/directory and check the pinned "
            "root key is the region's (`dyrd directory root-key`).",
            errors=[FieldError("reason", exc.reason.value)],
        )
        error.reason = exc.reason.value
        raise error from exc
