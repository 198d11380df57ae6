"""Issuer side of revocation: stewards revoke and lift; the node serves signed lists and deltas.

A steward (``data_steward`` role) of the issuing member revokes a hash under one of the member's
signing keys, with a reason; every revoke and lift takes the list's next version. The node serves
``GET /api/v1/credential/revocation?issuer=...&since=V``: the delta since V (the full list for
V = 0), signed with the issuing member's active key as the signed directory lists it, so a
verifier checks it against the directory it already trusts. Reasons and who revoked stay on the
issuer's node: the served document holds hashes only.

A member may revoke only under kids of its own document-signer certificates (or its
departments'), as the trust domain lists them; revoking by credential text also requires the
text's signature to verify with that certificate, so a steward cannot list another member's
kid or a forged code's. Verifiers check the same ownership against their trust list.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import weakref
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dyrd import ledger, trust
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from dyrd.core.types import Role
from dyrd.credential.compute import hcert
from dyrd.credential.compute import revocation as rc
from dyrd.credential.compute import revocation_document as rd
from dyrd.credential.errors import AlreadyRevoked, KidNotOwned, RevocationNotLifted
from dyrd.credential.models import Revocation
from dyrd.credential.repository import RevocationRepository
from dyrd.credential.revocation_schemas import (
    RevocationCreate,
    RevocationListRead,
    RevocationPage,
    RevocationRead,
)
from dyrd.credential.types import Step

log = logging.getLogger(__name__)


def _acting(by: trust.Caller, role: Role, member: str) -> Actor:
    if isinstance(by, Actor):
        return by
    return by.acting_for(role, member)


def parse_binary(value: str, size: int, location: str) -> bytes:
    """Hex or base64/base64url text of exactly ``size`` bytes; ValidationFailed otherwise."""
    import base64
    import binascii

    text = value.strip()
    data: bytes | None = None
    if len(text) == 2 * size:
        try:
            data = bytes.fromhex(text)
        except ValueError:
            data = None
    if data is None:
        try:
            padded = text.replace("-", "+").replace("_", "/")
            data = base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
        except (binascii.Error, ValueError):
            data = None
    if data is None or len(data) != size:
        raise ValidationFailed(
            f"{location} must be {size} bytes as hex or base64.",
            f"{location} 须为 {size} 字节的十六进制或 base64 文本。",
            errors=[FieldError(location, f"expected {size} bytes", f"应为 {size} 字节", value)],
        )
    return data


LEDGER_REVOKED = "credential.revocation.revoked"
LEDGER_LIFTED = "credential.revocation.lifted"


def _audit(row: Revocation) -> dict[str, object]:
    """What the audit ledger records of a revocation or lift: coordinates and versions, never
    the steward's free-text reason (it may name the person)."""
    return {
        "issuer": row.issuer_member,
        "kid": row.kid,
        "hash_type": row.hash_type,
        "hash": row.hash,
        "version": row.version,
        "lifted_version": row.lifted_version,
    }


def _read(row: Revocation) -> RevocationRead:
    return RevocationRead.model_validate(row)


def _member(session: Session, issuer: str) -> None:
    trust.get_member(session, issuer)  # NotFoundError / ValidationFailed with bilingual text


def _dscs(session: Session) -> list[tuple[bytes, str, bytes]]:
    """Every document-signer certificate the trust domain holds: (kid, member, DER)."""
    return [
        (base64.b64decode(c.kid), c.member_id, base64.b64decode(c.der))
        for c in trust.list_certificates(session, kind="dsc")
    ]


def kid_owners(session: Session) -> rc.KidOwners:
    """Whose DSC each kid is, from this database's certificates (any status: ownership of a
    retired or revoked key does not move)."""
    index = rc.kid_index((kid, member) for kid, member, _ in _dscs(session))
    return lambda kid: index.get(bytes(kid), frozenset())


def _check_ownership(
    session: Session, issuer: str, kids: Iterable[bytes], text: str | None, clock: Clock
) -> None:
    dscs = _dscs(session)
    owners = rc.kid_index((kid, member) for kid, member, _ in dscs)
    for kid in dict.fromkeys(kids):
        if not rc.owns_kid(lambda k: owners.get(k, frozenset()), kid, issuer):
            raise KidNotOwned(
                f"Key id {kid.hex()} is not a document-signer certificate of {issuer} or its "
                "departments, so it cannot revoke under it.",
                f"密钥标识 {kid.hex()} 不是 {issuer} 或其下属部门的签名证书（DSC），"
                "无权在其下吊销。",
                hint="Revoke under a kid of your own DSC (GET /api/v1/trust/certificates); "
                "the member that issued the code revokes it.",
            )
        if text is not None:
            ders = [der for k, _, der in dscs if k == kid]
            verdict = hcert.verify(text, ders, clock())
            if verdict.steps.get(Step.SIGNATURE) is not True:
                raise KidNotOwned(
                    f"The credential's signature does not verify with {issuer}'s certificate "
                    f"of key id {kid.hex()}: it was not issued by {issuer}.",
                    f"该凭证的签名无法用 {issuer} 密钥 {kid.hex()} 的证书验证，并非其签发。",
                    hint="Revoke only codes your member issued; paste the whole HC1: text.",
                )


def _targets(body: RevocationCreate) -> list[tuple[bytes, rc.HashType, bytes]]:
    if body.credential is None:
        # The schema's validator guarantees all three when there is no credential text.
        kid = parse_binary(body.kid or "", rc.KID_BYTES, "kid")
        hash_ = parse_binary(body.hash or "", rc.HASH_BYTES, "hash")
        return [(kid, rc.HashType(body.hash_type or rc.HashType.UCI), hash_)]
    try:
        coords = rc.read_coordinates(body.credential)
    except ValueError as exc:
        raise ValidationFailed(
            f"The credential cannot be read: {exc}.",
            "无法读取该凭证。",
            hint="Paste the whole HC1: text, or revoke by kid, hash_type and hash.",
            errors=[FieldError("credential", str(exc))],
        ) from exc
    hashes = coords.hashes()
    missing = [t for t in body.hash_types if t not in hashes]
    if missing:
        names = ", ".join(t.value for t in missing)
        raise ValidationFailed(
            f"The credential has no input for hash type(s) {names} (no UCI or issuer claim).",
            f"该凭证缺少计算 {names} 哈希所需的内容（无 UCI 或签发国）。",
            errors=[FieldError("hash_types", "not computable from this credential", "", names)],
        )
    return [(coords.kid, t, hashes[t]) for t in dict.fromkeys(body.hash_types)]


def revoke(
    session: Session, body: RevocationCreate, *, by: trust.Caller, clock: Clock
) -> list[RevocationRead]:
    """Revoke hashes in the issuer's list (data_steward of the issuing member)."""
    actor = _acting(by, Role.DATA_STEWARD, body.issuer_member)
    _member(session, body.issuer_member)
    targets = _targets(body)
    _check_ownership(
        session, body.issuer_member, (kid for kid, _, _ in targets), body.credential, clock
    )
    repo = RevocationRepository(session)
    now = clock()
    found = []
    for kid, hash_type, hash_ in targets:
        row = repo.find(body.issuer_member, kid.hex(), hash_type.value, hash_.hex())
        if row is not None and row.lifted_version is None:
            raise AlreadyRevoked(
                f"{hash_type.value} {hash_.hex()} is already revoked under kid {kid.hex()} "
                f"(record {row.id}, version {row.version}).",
                f"该哈希已在密钥 {kid.hex()} 下吊销（记录 {row.id}）。",
                hint="List revocations with GET /api/v1/credential/revocations.",
            )
        found.append((kid, hash_type, hash_, row))
    version = repo.next_version(body.issuer_member, now)
    out: list[Revocation] = []
    for kid, hash_type, hash_, existing in found:
        if existing is None:
            row = repo.add(
                Revocation(
                    issuer_member=body.issuer_member,
                    kid=kid.hex(),
                    hash_type=hash_type.value,
                    hash=hash_.hex(),
                    reason=body.reason,
                    version=version,
                    created_at=now,
                    created_by=actor.user,
                    created_for=actor.member,
                )
            )
        else:  # revoked again after a lift: the record takes the new version
            row = existing
            row.reason, row.version = body.reason, version
            row.created_at, row.created_by, row.created_for = now, actor.user, actor.member
            row.lifted_version = row.lifted_at = row.lifted_by = row.lifted_reason = None
            session.flush()
        out.append(row)
    ledger.append_many(
        session,
        [
            ledger.NewEntry(
                kind=LEDGER_REVOKED, subject=str(r.id), actor=actor, payload=_audit(r), at=now
            )
            for r in out
        ],
        clock=clock,
    )
    session.commit()
    SNAPSHOTS.invalidate()
    log.info(
        "revoked %d hash(es) in %s's list, version %d",
        len(out),
        body.issuer_member,
        version,
        extra={"issuer": body.issuer_member, "version": version},
    )
    return [_read(r) for r in out]


def _record(session: Session, record_id: int) -> Revocation:
    row = session.get(Revocation, record_id)
    if row is None:
        raise NotFoundError(
            f"No revocation record {record_id}.",
            f"没有吊销记录 {record_id}。",
            hint="List them with GET /api/v1/credential/revocations.",
        )
    return row


def lift(
    session: Session, record_id: int, *, reason: str, by: trust.Caller, clock: Clock
) -> RevocationRead:
    """Lift a revocation made in error (data_steward of the issuing member)."""
    row = _record(session, record_id)
    actor = _acting(by, Role.DATA_STEWARD, row.issuer_member)
    if row.lifted_version is not None:
        raise RevocationNotLifted(
            f"Revocation {record_id} was already lifted at version {row.lifted_version}.",
            f"吊销记录 {record_id} 已于版本 {row.lifted_version} 撤销。",
        )
    now = clock()
    row.lifted_version = RevocationRepository(session).next_version(row.issuer_member, now)
    row.lifted_at, row.lifted_by, row.lifted_reason = now, actor.user, reason
    session.flush()
    ledger.append(
        session,
        kind=LEDGER_LIFTED,
        subject=str(row.id),
        actor=actor,
        payload=_audit(row),
        clock=clock,
    )
    session.commit()
    SNAPSHOTS.invalidate()
    return _read(row)


def list_revocations(
    session: Session,
    *,
    issuer: str | None,
    include_lifted: bool = False,
    limit: int = 100,
    offset: int = 0,
    by: trust.Caller,
) -> RevocationPage:
    """Revocation records newest first (viewer of the issuer; reasons are internal)."""
    if issuer is not None:
        _acting(by, Role.VIEWER, issuer)
    elif not isinstance(by, Actor):
        raise ValidationFailed(
            "Name the issuer whose revocations to list.",
            "请指定签发成员。",
            errors=[FieldError("issuer", "required")],
        )
    rows, total = RevocationRepository(session).page(
        issuer, include_lifted=include_lifted, limit=limit, offset=offset
    )
    return RevocationPage(items=[_read(r) for r in rows], total=total, limit=limit, offset=offset)


def list_status(session: Session) -> list[RevocationListRead]:
    """Every issuer's list version and standing count (public)."""
    repo = RevocationRepository(session)
    return [
        RevocationListRead(
            issuer_member=row.issuer_member,
            version=row.version,
            standing=repo.standing_count(row.issuer_member),
            updated_at=row.updated_at,
        )
        for row in repo.lists()
    ]


# --- the served document -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedRevocation:
    """A served revocation document and what it says in brief."""

    document: bytes
    issuer: str
    since: int
    version: int
    key_id: str
    partitions: int

    @property
    def etag(self) -> str:
        """Strong entity tag: issuer, since and version name one document's content."""
        return etag_for(self.issuer, self.since, self.version)


def etag_for(issuer: str, since: int, version: int) -> str:
    """The entity tag of the document from ``since`` to ``version`` of ``issuer``'s list."""
    tag = hashlib.sha256(issuer.encode("utf-8")).hexdigest()[:12]
    return f'"dyrd-revocation-{tag}-{since}-{version}"'


def list_version(session: Session, issuer: str) -> int:
    """The issuer's current list version (cheap: for conditional requests)."""
    return RevocationRepository(session).version(issuer)


def _entry(row: Revocation) -> rc.Entry:
    return rc.Entry(bytes.fromhex(row.kid), rc.HashType(row.hash_type), bytes.fromhex(row.hash))


def _events(rows: Iterable[Revocation]) -> list[rc.Event]:
    return [rc.Event(_entry(r), r.version, r.lifted_version) for r in rows]


def revocation_document(
    session: Session,
    issuer: str,
    *,
    since: int,
    keystore: trust.KeyStore,
    clock: Clock,
    include_bloom: bool = False,
    fp_exponent: int = rc.DEFAULT_FP_EXPONENT,
) -> SignedRevocation:
    """The issuer's list since version ``since`` (0: all of it), signed with its active key."""
    _member(session, issuer)
    repo = RevocationRepository(session)
    version = repo.version(issuer)
    if since > version:
        raise ConflictError(
            f"The list of {issuer} is at version {version}; version {since} does not exist.",
            f"{issuer} 的吊销列表当前版本为 {version}，不存在版本 {since}。",
            hint="Sync again from since=0 (the issuer's list may have been restored).",
        )
    changed = repo.changed_since(issuer, since)
    delta = rc.delta_since(issuer, _events(changed), since, version)
    kids = sorted({e.kid.hex() for e in delta.added | delta.removed})
    state = rc.ListState(issuer, version, frozenset(_entry(r) for r in repo.standing(issuer, kids)))
    signer = trust.member_signer(session, issuer, keystore=keystore)
    body = rd.payload(
        delta, state, issued_at=clock(), fp_exponent=fp_exponent, include_bloom=include_bloom
    )
    document = rd.sign_document(
        body, key_id=signer.key_id, algorithm=signer.algorithm, sign=signer.sign
    )
    return SignedRevocation(
        document=document,
        issuer=issuer,
        since=since,
        version=version,
        key_id=signer.key_id,
        partitions=len(body["partitions"]),
    )


class SnapshotCache:
    """Verifier snapshots of a database's revocation lists, kept until a list changes.

    Building a snapshot reads every standing revocation and builds every partition's Bloom
    filter: far more than a verification costs. A snapshot is kept per database (engine) with
    the key ``(issuer, version, updated_at)`` of every list; every revoke and lift takes the
    list's next version, so a changed list misses the cache, and the service's own writes also
    call ``invalidate`` so a rolled-back and rewritten version is never served stale.
    Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: weakref.WeakKeyDictionary[Any, tuple[Hashable, rc.RevocationSnapshot]] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"SnapshotCache({len(self._held)} databases)"

    def get(self, database: Any, key: Hashable) -> rc.RevocationSnapshot | None:
        """The snapshot held for ``database`` when it was built at ``key``."""
        with self._lock:
            held = self._held.get(database)
        return held[1] if held is not None and held[0] == key else None

    def put(self, database: Any, key: Hashable, snapshot: rc.RevocationSnapshot) -> None:
        """Hold ``snapshot`` for ``database`` at ``key``."""
        with self._lock:
            self._held[database] = (key, snapshot)

    def invalidate(self) -> None:
        """Forget every held snapshot: the next lookup rebuilds from the tables."""
        with self._lock:
            self._held.clear()


SNAPSHOTS = SnapshotCache()
"""The process's snapshots of its databases' lists (the embedded default's checkpoints)."""


def _database(session: Session) -> Any:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)  # a Connection's engine; an Engine is its own


def local_snapshot(
    session: Session, *, cache: SnapshotCache | None = SNAPSHOTS
) -> rc.RevocationSnapshot:
    """Every issuer's standing revocations in this database, as a verifier snapshot.

    What an embedded node (every member in one database) checks against: no sync needed. The
    snapshot is rebuilt only when a list's version has moved since the held one was built
    (``SnapshotCache``); ``cache=None`` always rebuilds.
    """
    repo = RevocationRepository(session)
    lists = repo.lists()
    # Kid ownership comes from the trust list, so a new DSC moves the key too.
    key = (
        trust.trust_list_version(session),
        tuple((row.issuer_member, row.version, row.updated_at) for row in lists),
    )
    database = _database(session) if cache is not None else None
    if cache is not None:
        held = cache.get(database, key)
        if held is not None:
            return held
    states = [
        rc.ListState(
            row.issuer_member,
            row.version,
            frozenset(_entry(r) for r in repo.standing(row.issuer_member)),
        )
        for row in lists
    ]
    snapshot = rc.RevocationSnapshot.from_states(states, owners=kid_owners(session))
    if cache is not None:
        cache.put(database, key, snapshot)
    return snapshot
