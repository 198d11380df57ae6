"""Registering a federated member's node with the region's directory: its URL and public keys.

A member running its own node keeps its private keys in its own key directory; the directory
only ever learns the public halves. The registration is an operator step on the directory's
host (`dyrd directory register MEMBER --url URL --keys KEYS.json`), fed with what the member's
operator exported on theirs (`dyrd key list --member MEMBER --json`), the way an X-Road
security server's certificates are handed to the central server's operator out of band.
Each key id must be the RFC 7638 thumbprint of the key it names, so a typo or a swapped file is
refused rather than published.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, FieldError, ValidationFailed
from dyrd.trust.compute import jose
from dyrd.trust.compute.urls import node_url_problem
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import KeyRead, NodeRead
from dyrd.trust.service._common import member_id_problem, raise_if_any, require_member
from dyrd.trust.service.directory import get_node
from dyrd.trust.types import KeyStatus

log = logging.getLogger(__name__)


def _parsed(member_id: str, items: Sequence[Mapping[str, Any]]) -> list[KeyRead]:
    keys: list[KeyRead] = []
    problems: list[FieldError | None] = []
    for i, item in enumerate(items):
        try:
            key = KeyRead.model_validate(item)
        except ValidationError as exc:
            problems.append(
                FieldError(
                    f"keys[{i}]",
                    f"Not an exported key: {exc.errors()[0]['msg']}",
                    "不是导出的密钥。",
                )
            )
            continue
        if key.member_id != member_id:
            problems.append(
                FieldError(
                    f"keys[{i}].member_id",
                    f"The key belongs to {key.member_id!r}, not {member_id!r}.",
                    "密钥不属于该成员。",
                    key.member_id,
                )
            )
        elif jose.thumbprint(key.public_jwk) != key.kid:
            problems.append(
                FieldError(
                    f"keys[{i}].kid",
                    "The kid is not the RFC 7638 thumbprint of the public key.",
                    "kid 与公钥指纹不符。",
                    key.kid,
                )
            )
        keys.append(key)
    raise_if_any(*problems)
    return keys


def register_member_node(
    session: Session,
    member_id: str,
    *,
    url: str,
    keys: Sequence[Mapping[str, Any]],
    clock: Clock,
) -> NodeRead:
    """Record a member node's URL and its active public keys (an operator step, system actor).

    Idempotent: keys already registered are kept as they are. A kid registered for another
    member is a conflict. Revoked and retired keys in the export are not imported.
    """
    problems: list[FieldError | None] = [member_id_problem(member_id, "member_id")]
    url_problem = node_url_problem(url)
    if url_problem is not None:
        problems.append(FieldError("url", url_problem[0], url_problem[1], url[:200]))
    raise_if_any(*problems)
    repo = TrustRepository(session)
    require_member(repo, member_id)
    parsed = _parsed(member_id, keys)
    if not any(k.status is KeyStatus.ACTIVE for k in parsed):
        raise ValidationFailed(
            f"The export holds no active key of {member_id!r}.",
            f"导出文件中没有 {member_id} 的有效密钥。",
            hint="Create one on the member's node (`dyrd key create`) and export again.",
        )
    actor, now = Actor.system(), clock()
    for key in parsed:
        existing = repo.key(key.kid)
        if existing is not None:
            if existing.member_id != member_id:
                raise ConflictError(
                    f"Key {key.kid!r} is already registered for {existing.member_id!r}.",
                    f"密钥 {key.kid} 已登记为 {existing.member_id} 的密钥。",
                )
            continue
        if key.status is not KeyStatus.ACTIVE:
            continue
        public = {k: v for k, v in key.public_jwk.items() if k not in {"kid", "alg", "use"}}
        row = repo.add_key(key.kid, member_id, key.algorithm.value, public, actor=actor, at=now)
        row.not_before = min(key.not_before, now)
    repo.put_node(member_id, url, [], actor=actor, at=now)
    session.commit()
    log.info("member node registered", extra={"member": member_id, "keys": len(parsed)})
    return get_node(session, member_id)
