"""Checkpoint acceptance policies as signed, stored, versioned data (mutual recognition).

A policy version is published like a colour rule: checked (``acceptance.parse_policy``), signed
with the jurisdiction member's active ES256 key (a JWS over the RFC 8785 form of the document,
with its own ``typ`` so a rule never passes for a policy), and stored (``healthcode_policy``).
Versions of one policy id only grow; a published version may not take effect before the day it
is published (China Standard Time), so publishing never changes what a checkpoint decided in
the past. ``load-samples`` stores the bundled SAMPLE policies the same way (they date from 2020).

A checkpoint applies a ``PolicyBook``: every stored version, each checked against its signature
and the key table when the book is built. A version whose signature does not verify is held as
*rejected*: when it is the version that would be in force, the checkpoint refuses to decide
rather than fall back to an older one. Only a jurisdiction with no stored policy at all falls
back to the bundled SAMPLE policy, signed in memory with this node's key, and the verdict says
so (``policy_source``). ``PolicyCache`` keeps the verified book until the table changes.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url
from dyrd.core.clock import Clock
from dyrd.core.errors import ConfigurationError, ConflictError, FieldError, NotFoundError
from dyrd.core.types import Role
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.checkpoint_schemas import PolicyRead
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.compute.ruleset import signing_input
from dyrd.healthcode.errors import PolicyInvalid, PolicyNotFound
from dyrd.healthcode.models import PolicyVersion
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.service._common import acting, jurisdiction_problem, member_of, raise_if_any

SIGNING_ALGORITHM = "ES256"
CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""Policies take effect on calendar days in China Standard Time (UTC+8, no daylight saving)."""

Source = Literal["stored", "bundled-sample"]


@dataclass(frozen=True, slots=True)
class SignedPolicy:
    """A policy version with its JWS signature by the jurisdiction's member key."""

    policy: acceptance.Policy
    document: Mapping[str, Any]
    protected: str
    signature: str
    key_id: str
    signed_by: str
    signed_at: datetime
    source: Source = "bundled-sample"

    def read(self, *, verified: bool | None = None) -> PolicyRead:
        """The API view."""
        p = self.policy
        return PolicyRead(
            policy_id=p.policy_id,
            version=p.version,
            jurisdiction=p.jurisdiction,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            sample=p.sample,
            description_zh=p.description_zh,
            description_en=p.description_en,
            document=dict(self.document),
            protected=self.protected,
            signature=self.signature,
            key_id=self.key_id,
            signed_by=self.signed_by,
            signed_at=self.signed_at,
            source=self.source,
            verified=verified,
        )


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_policy(
    session: Session, policy: acceptance.Policy, *, keystore: trust.KeyStore, at: datetime
) -> SignedPolicy:
    """Sign a policy version with its jurisdiction member's active ES256 key."""
    member = member_of(policy.jurisdiction)
    signer = trust.member_signer(session, member, keystore=keystore, algorithm=SIGNING_ALGORITHM)
    document = acceptance.policy_document(policy)
    protected = acceptance.protected_header(key_id=signer.key_id, algorithm=signer.algorithm)
    # The colour rules' JWS scheme; the protected header's typ tells the two apart.
    signature = signer.sign(signing_input(protected, document))
    return SignedPolicy(
        policy=policy,
        document=document,
        protected=protected,
        signature=b64url(signature),
        key_id=signer.key_id,
        signed_by=member,
        signed_at=at,
    )


def verify_policy(session: Session, signed: SignedPolicy) -> bool:
    """True when the document parses to the policy, is typed as a policy, and its signature
    verifies with a key of its jurisdiction's member valid when it was signed."""
    policy, _ = acceptance.parse_policy(signed.document)
    if policy is None or policy != signed.policy:
        return False
    member = member_of(policy.jurisdiction)
    if (
        signed.signed_by != member
        or acceptance.header_type(signed.protected) != acceptance.JWS_TYPE
    ):
        return False
    if signed.key_id not in {k.kid for k in trust.list_keys(session, member)}:
        return False
    try:
        data = signing_input(signed.protected, signed.document)
        signature = _b64url_decode(signed.signature)
    except (ValueError, TypeError):
        return False
    return trust.verify_signature(session, signed.key_id, data, signature, at=signed.signed_at)


class PolicyBook:
    """The verified acceptance policies a node applies, and the stored ones refused."""

    def __init__(
        self, policies: Iterable[SignedPolicy] = (), rejected: Iterable[SignedPolicy] = ()
    ) -> None:
        self._lock = threading.Lock()
        self._policies: tuple[SignedPolicy, ...] = tuple(policies)
        self._rejected: tuple[SignedPolicy, ...] = tuple(rejected)

    def __repr__(self) -> str:
        return f"PolicyBook({[p.policy.label for p in self.policies()]})"

    def policies(self) -> tuple[SignedPolicy, ...]:
        """Every held (verified) version."""
        with self._lock:
            return self._policies

    def rejected(self) -> tuple[SignedPolicy, ...]:
        """Stored versions whose signature did not verify (never applied)."""
        with self._lock:
            return self._rejected

    def replace(self, policies: Iterable[SignedPolicy]) -> None:
        """Hold ``policies`` instead."""
        with self._lock:
            self._policies = tuple(policies)

    def in_force(self, jurisdiction: str, on: date) -> SignedPolicy | None:
        """The newest verified version of ``jurisdiction``'s policy in force on ``on``."""
        held = self.policies()
        chosen = acceptance.in_force([p.policy for p in held], jurisdiction, on)
        return next((p for p in held if p.policy == chosen), None) if chosen else None

    def refused_in_force(self, jurisdiction: str, on: date) -> SignedPolicy | None:
        """The rejected version that would be in force on ``on`` (newer than any verified one).

        A checkpoint refuses to decide then, rather than silently apply an older version.
        """
        rejected = self.rejected()
        if not rejected:
            return None
        every = [p for p in (*self.policies(), *rejected) if p.policy.jurisdiction == jurisdiction]
        chosen = acceptance.in_force([p.policy for p in every], jurisdiction, on)
        if chosen is None:
            return None
        return next((p for p in rejected if p.policy == chosen), None)


def load_sample_policies(
    session: Session,
    *,
    keystore: trust.KeyStore,
    clock: Clock,
    jurisdictions: Iterable[str] | None = None,
) -> PolicyBook:
    """Sign, verify and hold the bundled SAMPLE acceptance policies, in memory (the fallback).

    Only jurisdictions whose member key this node holds are signed (a member node holds its
    own); ``jurisdictions`` narrows them further.
    """
    wanted = None if jurisdictions is None else set(jurisdictions)
    now = clock()
    signed: list[SignedPolicy] = []
    for policy in sample_policies():
        if wanted is not None and policy.jurisdiction not in wanted:
            continue
        try:
            one = sign_policy(session, policy, keystore=keystore, at=now)
        except (NotFoundError, ConfigurationError):
            continue  # not this node's jurisdiction, or its key is elsewhere
        if verify_policy(session, one):
            signed.append(one)
    return PolicyBook(signed)


def list_policies(book: PolicyBook, *, jurisdiction: str | None = None) -> list[PolicyRead]:
    """Every policy version a book applies (of one jurisdiction), by id and version."""
    if jurisdiction is not None:
        raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    held = [p for p in book.policies() if jurisdiction in (None, p.policy.jurisdiction)]
    return [
        p.read(verified=True)
        for p in sorted(held, key=lambda p: (p.policy.policy_id, p.policy.version))
    ]


# --- storage ------------------------------------------------------------------------------------


def signed_of(row: PolicyVersion) -> SignedPolicy | None:
    """The stored version as a signed policy; None when its document no longer parses."""
    policy, _ = acceptance.parse_policy(row.document)
    if policy is None:
        return None
    return SignedPolicy(
        policy=policy,
        document=row.document,
        protected=row.protected,
        signature=row.signature,
        key_id=row.key_id,
        signed_by=row.signed_by,
        signed_at=row.created_at,
        source="stored",
    )


def _store(
    session: Session,
    policy: acceptance.Policy,
    *,
    keystore: trust.KeyStore,
    by: str,
    at: datetime,
) -> SignedPolicy:
    repo = HealthcodeRepository(session)
    newest = repo.newest_policy_version(policy.policy_id)
    if policy.version <= newest:
        raise ConflictError(
            f"Policy {policy.policy_id} already has version {newest}; versions only grow.",
            f"互认策略 {policy.policy_id} 已有版本 {newest}，版本号只能递增。",
            hint=f"Publish it as version {newest + 1}.",
        )
    signed = sign_policy(session, policy, keystore=keystore, at=at)
    repo.add(
        PolicyVersion(
            policy_id=policy.policy_id,
            version=policy.version,
            jurisdiction=policy.jurisdiction,
            valid_from=policy.valid_from,
            valid_until=policy.valid_until,
            sample=policy.sample,
            document=dict(signed.document),
            protected=signed.protected,
            signature=signed.signature,
            key_id=signed.key_id,
            signed_by=signed.signed_by,
            created_by=by,
            created_for=signed.signed_by,
            created_at=at,
        )
    )
    return dataclasses.replace(signed, source="stored")


def publish_policy(
    session: Session,
    document: dict[str, Any],
    *,
    principal: Principal,
    clock: Clock,
    keystore: trust.KeyStore,
) -> PolicyRead:
    """Check, sign (with the jurisdiction's key) and store one acceptance policy version.

    The caller needs the data-steward role in the policy's jurisdiction (or the region's).
    """
    jurisdiction = str(document.get("jurisdiction", ""))
    raise_if_any(jurisdiction_problem(jurisdiction, "document.jurisdiction"), what="policy")
    actor = acting(principal, Role.DATA_STEWARD, jurisdiction)
    policy, problems = acceptance.parse_policy(document, location="document")
    now = clock()
    today = now.astimezone(CHINA_TIME).date()
    if policy is not None and policy.valid_from < today:
        problems = [
            FieldError(
                "document.valid_from",
                f"A published policy takes effect today ({today}) or later; it cannot change "
                "what checkpoints decided in the past.",
                f"新发布的策略最早于今日（{today}）生效，不能追溯。",
                policy.valid_from.isoformat(),
            )
        ]
    if policy is None or problems:
        raise PolicyInvalid(
            f"The acceptance policy has {len(problems)} problem(s).",
            f"互认策略有 {len(problems)} 处问题。",
            hint="Requirements are CertLogic over payload.* and external.* (see "
            "GET /api/v1/healthcode/policies for published examples).",
            errors=problems,
        )
    signed = _store(session, policy, keystore=keystore, by=actor.user, at=now)
    session.commit()
    return signed.read(verified=True)


def store_sample_policies(session: Session, *, keystore: trust.KeyStore, clock: Clock) -> int:
    """Sign and store the bundled SAMPLE policies (versions already stored, and jurisdictions
    whose member key this node does not hold, are skipped)."""
    repo = HealthcodeRepository(session)
    stored = 0
    now = clock()
    for policy in sample_policies():
        if repo.newest_policy_version(policy.policy_id) >= policy.version:
            continue
        try:
            _store(session, policy, keystore=keystore, by="system", at=now)
        except (NotFoundError, ConfigurationError):
            continue  # not this node's jurisdiction, or its key is elsewhere
        stored += 1
    session.commit()
    return stored


def _checked(session: Session, row: PolicyVersion) -> tuple[SignedPolicy | None, bool]:
    signed = signed_of(row)
    return signed, signed is not None and verify_policy(session, signed)


def stored_policies(
    session: Session, *, jurisdiction: str | None = None, policy_id: str | None = None
) -> list[PolicyRead]:
    """Every stored version (of one jurisdiction or id), each with its signature checked."""
    if jurisdiction is not None:
        raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    rows = HealthcodeRepository(session).policy_versions(
        jurisdiction=jurisdiction, policy_id=policy_id
    )
    out: list[PolicyRead] = []
    for row in rows:
        signed, ok = _checked(session, row)
        if signed is not None:
            out.append(signed.read(verified=ok))
    return out


def policy_history(session: Session, policy_id: str) -> list[PolicyRead]:
    """Every stored version of one policy, oldest first; 404 when none."""
    out = stored_policies(session, policy_id=policy_id)
    if not out:
        raise PolicyNotFound(
            f"No acceptance policy {policy_id[:32]!r} is stored on this node.",
            f"本节点没有互认策略 {policy_id[:32]!r}。",
            hint="GET /api/v1/healthcode/policies lists the stored ones.",
        )
    return out


def show_policy(session: Session, policy_id: str, version: int | None = None) -> PolicyRead:
    """One stored version (the newest when ``version`` is None); 404 when absent."""
    history = policy_history(session, policy_id)
    if version is None:
        return history[-1]
    found = next((p for p in history if p.version == version), None)
    if found is None:
        raise PolicyNotFound(
            f"Acceptance policy {policy_id} has no version {version}.",
            f"互认策略 {policy_id} 没有第 {version} 版。",
            hint=f"Stored versions: {', '.join(str(p.version) for p in history)}.",
        )
    return found


def stored_book(session: Session) -> PolicyBook:
    """Every stored version, verified ones held and the others rejected."""
    held: list[SignedPolicy] = []
    rejected: list[SignedPolicy] = []
    for row in HealthcodeRepository(session).policy_versions():
        signed, ok = _checked(session, row)
        if signed is not None:
            (held if ok else rejected).append(signed)
    return PolicyBook(held, rejected)


def with_fallback(stored: PolicyBook, bundled: PolicyBook) -> PolicyBook:
    """``stored``, plus the bundled SAMPLE versions of jurisdictions that stored nothing."""
    have = {p.policy.jurisdiction for p in (*stored.policies(), *stored.rejected())}
    extra = [p for p in bundled.policies() if p.policy.jurisdiction not in have]
    return PolicyBook((*stored.policies(), *extra), stored.rejected())


def checkpoint_policies(
    session: Session,
    *,
    keystore: trust.KeyStore,
    clock: Clock,
    jurisdictions: Iterable[str] | None = None,
) -> PolicyBook:
    """The book a one-off checkpoint (the CLI) applies: stored, else bundled SAMPLE."""
    bundled = load_sample_policies(
        session, keystore=keystore, clock=clock, jurisdictions=jurisdictions
    )
    return with_fallback(stored_book(session), bundled)


class PolicyCache:
    """The book a long-running node applies, rebuilt only when the policy table changes.

    Keyed by the table's data version (rows and highest id: versions are only ever added), so
    a publish on any process is seen on the next verification. Rows changed in place (which no
    use case does: a tampered row) or a key revoked after the book was built are seen when the
    book is rebuilt anyway, at most ``max_age`` later.
    """

    max_age = timedelta(minutes=5)
    """Longest a verified book is reused: the issue's "revocation within 5 minutes" bound."""

    def __init__(self, *, keystore: trust.KeyStore, clock: Clock) -> None:
        self._keystore = keystore
        self._clock = clock
        self._lock = threading.Lock()
        self._bundled: PolicyBook | None = None
        self._key: tuple[int, int] | None = None
        self._book: PolicyBook | None = None
        self._built: datetime | None = None

    def book(self, session: Session) -> PolicyBook:
        """The current book (one small query when nothing changed)."""
        key = HealthcodeRepository(session).policy_data_version()
        now = self._clock()
        with self._lock:
            fresh = self._built is not None and now - self._built < self.max_age
            if self._book is not None and key == self._key and fresh:
                return self._book
        if self._bundled is None:
            self._bundled = load_sample_policies(
                session, keystore=self._keystore, clock=self._clock
            )
        book = with_fallback(stored_book(session), self._bundled)
        with self._lock:
            self._key, self._book, self._built = key, book, now
        return book
