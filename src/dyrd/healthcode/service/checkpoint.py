"""Mutual recognition at checkpoints: verify any jurisdiction's code offline, apply our policy.

``verify_at_checkpoint`` runs, in order: QR decoding (for an image), the HC1 steps (prefix,
base45, zlib, COSE, CBOR, signature against the credential trust list the node holds, key
usage, expiry, our claim-set schema), then revocation (the revocation snapshot the node holds)
and the checkpoint jurisdiction's acceptance policy in force on that day. Nothing is fetched:
the trust list and revocations are the node's copies (its own tables on the embedded default,
synced signed copies on a member node), so a checkpoint works through a network outage until its
trust list expires, and then says so. The answer is always a verdict, never an exception.

Acceptance policies are signed like colour rules (JWS over the canonical document, by the
jurisdiction member's key) and held in a ``PolicyBook``; each is verified against the key table
when the book is built, and only verified policies are applied.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from dyrd import credential, trust
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.b64 import b64url
from dyrd.core.clock import Clock
from dyrd.core.errors import ConfigurationError, FieldError, NotFoundError
from dyrd.core.types import Role
from dyrd.healthcode.bundled import sample_policies
from dyrd.healthcode.checkpoint_schemas import (
    CHECKPOINT_STEPS,
    CheckpointVerdictRead,
    Holder,
    PolicyRead,
    TrustListState,
)
from dyrd.healthcode.compute import acceptance
from dyrd.healthcode.compute.claims import check_claim, our_claim
from dyrd.healthcode.compute.ruleset import signing_input
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.ports import CredentialVerifier, RevocationView, TrustListView
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.service import audit
from dyrd.healthcode.service._common import acting, jurisdiction_problem, member_of, raise_if_any
from dyrd.healthcode.service.colours import record_access
from dyrd.healthcode.types import Colour

SIGNING_ALGORITHM = "ES256"
CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""Policies take effect on calendar days in China Standard Time (UTC+8, no daylight saving)."""

ACCESS_ACTION = "checkpoint.verify"


# --- signed policies ---------------------------------------------------------------------------


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

    def read(self) -> PolicyRead:
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
        )


def _b64url_decode(text: str) -> bytes:
    import base64

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
    """The verified acceptance policies a node applies (thread-safe, replaced whole)."""

    def __init__(self, policies: Iterable[SignedPolicy] = ()) -> None:
        self._lock = threading.Lock()
        self._policies: tuple[SignedPolicy, ...] = tuple(policies)

    def __repr__(self) -> str:
        return f"PolicyBook({[p.policy.label for p in self.policies()]})"

    def policies(self) -> tuple[SignedPolicy, ...]:
        """Every held version."""
        with self._lock:
            return self._policies

    def replace(self, policies: Iterable[SignedPolicy]) -> None:
        """Hold ``policies`` instead."""
        with self._lock:
            self._policies = tuple(policies)

    def in_force(self, jurisdiction: str, on: date) -> SignedPolicy | None:
        """The newest version of ``jurisdiction``'s policy in force on ``on``."""
        held = self.policies()
        chosen = acceptance.in_force([p.policy for p in held], jurisdiction, on)
        return next((p for p in held if p.policy == chosen), None) if chosen else None


def load_sample_policies(
    session: Session,
    *,
    keystore: trust.KeyStore,
    clock: Clock,
    jurisdictions: Iterable[str] | None = None,
) -> PolicyBook:
    """Sign, verify and hold the bundled SAMPLE acceptance policies.

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
    """Every held policy version (of one jurisdiction), by id and version."""
    if jurisdiction is not None:
        raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    held = [p for p in book.policies() if jurisdiction in (None, p.policy.jurisdiction)]
    return [p.read() for p in sorted(held, key=lambda p: (p.policy.policy_id, p.policy.version))]


# --- verification --------------------------------------------------------------------------------


def _trust_state(trust_list: TrustListView, now: datetime) -> TrustListState:
    held = trust_list.current()
    if held is None:
        return TrustListState(state="missing", version=None, expires_at=None)
    state = "valid" if held.valid_at(now) else "expired"
    return TrustListState(state=state, version=held.version, expires_at=held.expires_at)


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _revoked(revocation: RevocationView, verdict: credential.Verdict) -> bool | None:
    """True revoked, False not, None when the coordinates cannot be read.

    The coordinates come from the verdict (what the verifier decoded), not a second decoding.
    """
    if verdict.signature is None or verdict.claims is None:
        return None
    try:
        coords = credential.coordinates(verdict.kid, verdict.alg, verdict.signature, verdict.claims)
    except ValueError:
        return None
    return revocation.is_revoked(
        coords.kid, coords.signature, coords.uci, alg=coords.alg, country=coords.country
    )


def _log(session: Session, claim: Mapping[str, Any], actor: Actor, at: datetime) -> bool:
    digest = claim.get("h")
    if not isinstance(digest, bytes) or not digest:
        return False
    resident = HealthcodeRepository(session).resident_by_hash_prefix(digest.hex())
    if resident is None:
        return False  # a code of another node's resident: its own node keeps its log
    record_access(session, resident.id, actor=actor, action=ACCESS_ACTION, at=at)
    session.commit()
    return True


def parse_at(value: str | None) -> datetime | None:
    """The validation time of a request: ISO 8601 (naive is UTC), None for now."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise HealthInputInvalid(
            f"{value[:64]!r} is not an ISO 8601 time.",
            f"{value[:64]!r} 不是 ISO 8601 时间。",
            hint="Write it like 2026-11-26T08:00:00Z or 2026-11-26T16:00:00+08:00.",
            errors=[FieldError("at", "not an ISO 8601 time", "不是 ISO 8601 时间", value[:64])],
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def checkpoint_actor(principal: Principal, jurisdiction: str) -> Actor:
    """Who checks: a viewer (or more) of the checkpoint's jurisdiction; 400/403 otherwise."""
    raise_if_any(jurisdiction_problem(jurisdiction), what="checkpoint")
    return acting(principal, Role.VIEWER, jurisdiction)


@audit.counted
def verify_at_checkpoint(  # the whole pipeline, step by step
    session: Session,
    text_or_image: str | bytes,
    *,
    checkpoint_jurisdiction: str,
    at: datetime | None,
    clock: Clock,
    actor: Actor,
    verifier: CredentialVerifier,
    trust_list: TrustListView,
    revocation: RevocationView | None,
    policies: PolicyBook,
) -> CheckpointVerdictRead:
    """The checkpoint's verdict on HC1 text or a QR image (see the module docstring).

    Records the check in the resident's access log when the code verifies and the resident is
    registered on this node.
    """
    raise_if_any(jurisdiction_problem(checkpoint_jurisdiction), what="checkpoint")
    now = clock()
    when = (at if at is not None else now).astimezone(UTC)
    state = _trust_state(trust_list, now)
    steps: dict[str, bool | None] = dict.fromkeys(CHECKPOINT_STEPS)
    base: dict[str, Any] = {
        "checkpoint_jurisdiction": checkpoint_jurisdiction,
        "at": when,
        "trust_list": state,
        "revocation_checked": False,
        "logged": False,
    }

    def refused(reason: str, reason_zh: str, **extra: Any) -> CheckpointVerdictRead:
        return CheckpointVerdictRead(
            accepted=False, valid=False, steps=steps, reason=reason, reason_zh=reason_zh,
            **(base | extra),
        )  # fmt: skip

    if isinstance(text_or_image, bytes):
        try:
            text = verifier.read_image(text_or_image)
        except ValueError as exc:
            steps["prefix"] = False
            return refused(
                f"No HC1 text could be read from the image: {exc}.",
                "无法从图片中读取二维码。",
            )
    else:
        text = text_or_image.strip()
    verdict = verifier.verify(text, certificates=trust_list, at=when, check=check_claim)
    steps.update({s.value: verdict.steps.get(s) for s in credential.STEPS})
    claim = our_claim(verdict.claims) if verdict.claims is not None else None
    claims = verdict.claims or {}
    info: dict[str, Any] = {
        "kid": verdict.kid.hex() if verdict.kid is not None else None,
        "alg": verdict.alg,
    }
    if verdict.steps.get(credential.Step.SIGNATURE) and claim is not None:
        # Only what a verified signature vouches for is shown.
        colour = claim.get("c")
        info |= {
            "colour": Colour(colour) if colour in set(Colour) else None,
            "issuing_jurisdiction": claim.get("j") if isinstance(claim.get("j"), str) else None,
            "rule_id": claim.get("r") if isinstance(claim.get("r"), str) else None,
            "rule_version": claim.get("rv") if isinstance(claim.get("rv"), int) else None,
            "expires_at": _when(claims.get(4)),
            "negative_test_at": _when(claim.get("t")),
        }
        if isinstance(claim.get("n"), str) and isinstance(claim.get("y"), int):
            info["holder"] = Holder(initials=claim["n"], birth_year=claim["y"])
    if state.state != "valid":
        expired = state.state == "expired"
        return refused(
            (
                f"The credential trust list expired at {state.expires_at:%Y-%m-%d %H:%M} UTC"
                if expired and state.expires_at is not None
                else "This checkpoint holds no credential trust list"
            )
            + "; signatures cannot be trusted until it is synced. "
            + verdict.reason,
            ("信任列表已过期" if expired else "本卡口没有信任列表")
            + "，同步前无法确认签名。"
            + verdict.reason_zh,
            **info,
        )
    if not verdict.valid:
        return refused(verdict.reason, verdict.reason_zh, **info)
    revoked = None if revocation is None else _revoked(revocation, verdict)
    base["revocation_checked"] = revoked is not None
    if revoked:
        steps["revocation"] = False
        return refused(
            "The code has been revoked by its issuer.",
            "该码已被签发方吊销。",
            **info,
        )
    steps["revocation"] = None if revoked is None else True
    assert claim is not None  # noqa: S101  # the schema step passed
    logged = _log(session, claim, actor, now)
    base["logged"] = logged
    on = when.astimezone(CHINA_TIME).date()
    signed = policies.in_force(checkpoint_jurisdiction, on)
    if signed is None:
        steps["policy"] = False
        return refused(
            f"No acceptance policy of {checkpoint_jurisdiction} is in force on {on}; the "
            "checkpoint cannot decide.",
            f"{checkpoint_jurisdiction} 在 {on} 没有生效的互认策略，无法判定。",
            **info,
        )
    data = acceptance.policy_data(
        claim,
        issued_at=claims.get(6),
        expires_at=claims.get(4),
        checkpoint=checkpoint_jurisdiction,
        at=when,
    )
    decision = acceptance.decide(signed.policy, data)
    steps["policy"] = decision.accepted
    info |= {"policy_id": decision.policy_id, "policy_version": decision.version}
    return CheckpointVerdictRead(
        accepted=decision.accepted,
        valid=True,
        steps=steps,
        reason=decision.reason_en,
        reason_zh=decision.reason_zh,
        **(base | info),
    )


__all__ = [
    "ACCESS_ACTION",
    "PolicyBook",
    "SignedPolicy",
    "checkpoint_actor",
    "list_policies",
    "load_sample_policies",
    "parse_at",
    "sign_policy",
    "verify_at_checkpoint",
    "verify_policy",
]
