"""Member signing keys: create, rotate, revoke, list, and the defaults every region starts with.

The private half goes to the ``KeyStore`` and stays there; the database keeps the public JWK and
the validity window, so verification needs no private material and no key store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, FieldError, NotFoundError
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.trust.compute import jose
from dyrd.trust.models import TrustKey
from dyrd.trust.ports import KeyStore
from dyrd.trust.repository import TrustRepository
from dyrd.trust.schemas import KeyRead, KeyRotation
from dyrd.trust.service._common import (
    Caller,
    acting,
    member_id_problem,
    raise_if_any,
    require_member,
    text_problem,
)
from dyrd.trust.types import KeyAlgorithm, KeyStatus, MemberKind

log = logging.getLogger(__name__)

ROOT_ALGORITHM = KeyAlgorithm.ES256
"""Algorithm of the region's root key, which signs the directory: ES256, which every JOSE and
COSE library verifies (EdDSA support is still patchy in older ones)."""

DEFAULT_JURISDICTION_ALGORITHMS = (KeyAlgorithm.ES256, KeyAlgorithm.EDDSA)
"""Keys ``dyrd key init`` gives each jurisdiction: one per algorithm the platform speaks."""


def algorithm_problem(value: str) -> FieldError | None:
    """A bilingual problem when ``value`` is not a key algorithm."""
    if value in {a.value for a in KeyAlgorithm}:
        return None
    choices = ", ".join(a.value for a in KeyAlgorithm)
    return FieldError(
        "algorithm",
        f"Unknown algorithm; choose one of {choices}.",
        f"未知算法，可选：{choices}。",
        value,
    )


def key_read(row: TrustKey) -> KeyRead:
    """The listed form of a key row, with its published JWK (``kid``, ``alg``, ``use``)."""
    algorithm = KeyAlgorithm(row.algorithm)
    return KeyRead(
        kid=row.kid,
        member_id=row.member_id,
        algorithm=algorithm,
        status=KeyStatus(row.status),
        not_before=row.not_before,
        not_after=row.not_after,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
        public_jwk=jose.published_jwk(row.public_jwk, algorithm=algorithm),
        created_by=row.created_by,
        created_for=row.created_for,
        created_at=row.created_at,
    )


def key_not_found(kid: str) -> NotFoundError:
    return NotFoundError(
        f"No key {kid!r}.",
        f"没有密钥 {kid}。",
        hint="List keys with `dyrd key list` or GET /api/v1/trust/keys.",
    )


def _new_key(
    repo: TrustRepository,
    keystore: KeyStore,
    member_id: str,
    algorithm: KeyAlgorithm,
    *,
    actor: Actor,
    at: datetime,
) -> TrustKey:
    kid = keystore.generate(algorithm)
    jwk = jose.public_jwk(keystore.public_key(kid))
    return repo.add_key(kid, member_id, algorithm.value, jwk, actor=actor, at=at)


def _checked(repo: TrustRepository, member_id: str, algorithm: str) -> KeyAlgorithm:
    raise_if_any(member_id_problem(member_id, "member_id"), algorithm_problem(algorithm))
    require_member(repo, member_id)
    return KeyAlgorithm(algorithm)


def create_key(
    session: Session,
    member_id: str,
    *,
    algorithm: str,
    keystore: KeyStore,
    by: Caller,
    clock: Clock,
) -> KeyRead:
    """Give a member its signing key for ``algorithm``; needs the admin role in that member."""
    repo = TrustRepository(session)
    alg = _checked(repo, member_id, algorithm)
    actor = acting(by, Role.ADMIN, member_id)
    current = repo.active_key(member_id, alg.value)
    if current is not None:
        raise ConflictError(
            f"Member {member_id!r} already has an active {alg.value} key ({current.kid}).",
            f"成员 {member_id} 已有有效的 {alg.value} 密钥（{current.kid}）。",
            hint=f"Replace it with `dyrd key rotate {member_id} --alg {alg.value}`.",
        )
    row = _new_key(repo, keystore, member_id, alg, actor=actor, at=clock())
    session.commit()
    extra = {"kid": row.kid, "member": member_id, "algorithm": alg.value}
    log.info("key %s created", row.kid, extra=extra)
    return key_read(row)


def rotate_key(
    session: Session,
    member_id: str,
    *,
    algorithm: str,
    keystore: KeyStore,
    by: Caller,
    clock: Clock,
) -> KeyRotation:
    """Create a new active key and retire the old one (which still verifies what it signed)."""
    repo = TrustRepository(session)
    alg = _checked(repo, member_id, algorithm)
    actor = acting(by, Role.ADMIN, member_id)
    now = clock()
    old = repo.active_key(member_id, alg.value)
    if old is not None:
        # Retire first: the database allows one active key per member and algorithm.
        repo.retire_key(old, at=now)
    new = _new_key(repo, keystore, member_id, alg, actor=actor, at=now)
    session.commit()
    log.info(
        "key %s rotated to %s",
        old.kid if old else None,
        new.kid,
        extra={
            "kid": new.kid,
            "retired_kid": old.kid if old else None,
            "member": member_id,
            "algorithm": alg.value,
        },
    )
    return KeyRotation(active=key_read(new), retired=key_read(old) if old else None)


def revoke_key(
    session: Session,
    kid: str,
    *,
    reason: str = "",
    effective_at: datetime | None = None,
    by: Caller,
    clock: Clock,
) -> KeyRead:
    """Revoke a key: signatures dated at or after the revocation no longer verify.

    ``effective_at`` (default now) may be set back to when the key was first suspected to be
    compromised, never into the future. Revoking again may only move the time earlier.
    """
    repo = TrustRepository(session)
    raise_if_any(text_problem(reason, "reason", 256, required=False))
    row = repo.key(kid)
    if row is None:
        raise key_not_found(kid)
    actor = acting(by, Role.ADMIN, row.member_id)
    now = clock()
    at = now if effective_at is None else effective_at
    if at.tzinfo is None or at > now or at < row.not_before:
        raise_if_any(
            FieldError(
                "effective_at",
                "A revocation takes effect between the key's creation "
                f"({row.not_before.isoformat()}) and now, with a time zone.",
                "吊销生效时间须带时区，且介于密钥创建时间与当前时间之间。",
                at.isoformat(),
            )
        )
    if row.revoked_at is not None and row.revoked_at <= at:
        return key_read(row)  # already revoked at least as early: nothing to do
    repo.revoke_key(row, reason=reason.strip() or "unspecified", actor=actor, at=at)
    session.commit()
    log.warning(
        "key %s revoked",
        row.kid,
        extra={"kid": row.kid, "member": row.member_id, "revoked_at": at.isoformat()},
    )
    return key_read(row)


def list_keys(session: Session, member_id: str | None = None) -> list[KeyRead]:
    """Public keys with status and validity window; all members', or one member's."""
    repo = TrustRepository(session)
    if member_id is not None:
        raise_if_any(member_id_problem(member_id, "member_id"))
        require_member(repo, member_id)
    return [key_read(k) for k in repo.signing_keys(member_id)]


def get_key(session: Session, kid: str) -> KeyRead:
    """One key."""
    row = TrustRepository(session).key(kid)
    if row is None:
        raise key_not_found(kid)
    return key_read(row)


@dataclass(frozen=True, slots=True)
class KeyInitReport:
    """What ``init_default_keys`` did: the keys it created and how many were there already."""

    created: list[KeyRead]
    existing: int


def init_default_keys(session: Session, *, keystore: KeyStore, clock: Clock) -> KeyInitReport:
    """Create the region's root key and each jurisdiction's ES256 and EdDSA keys if missing.

    Idempotent: a member that has an active key of an algorithm keeps it.
    """
    repo = TrustRepository(session)
    if repo.member(REGION_MEMBER_ID) is None:
        raise NotFoundError(
            f"The region member {REGION_MEMBER_ID} does not exist yet.",
            f"区域成员 {REGION_MEMBER_ID} 尚不存在。",
            hint="Run `dyrd member load` first.",
        )
    plan = [(REGION_MEMBER_ID, ROOT_ALGORITHM)]
    for member in repo.members(kind=MemberKind.JURISDICTION.value):
        plan.extend((member.id, alg) for alg in DEFAULT_JURISDICTION_ALGORITHMS)
    now = clock()
    created: list[TrustKey] = []
    for member_id, alg in plan:
        if repo.active_key(member_id, alg.value) is None:
            created.append(_new_key(repo, keystore, member_id, alg, actor=Actor.system(), at=now))
    session.commit()
    for row in created:
        log.info(
            "key %s created",
            row.kid,
            extra={"kid": row.kid, "member": row.member_id, "algorithm": row.algorithm},
        )
    return KeyInitReport(created=[key_read(r) for r in created], existing=len(plan) - len(created))


def root_key(repo: TrustRepository) -> TrustKey | None:
    """The region's active root key (ES256, else any active key of the region), if any."""
    preferred = repo.active_key(REGION_MEMBER_ID, ROOT_ALGORITHM.value)
    if preferred is not None:
        return preferred
    return next(
        (k for k in repo.signing_keys(REGION_MEMBER_ID) if k.status == KeyStatus.ACTIVE.value), None
    )
