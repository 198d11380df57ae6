"""Mutual recognition at checkpoints: verify any jurisdiction's code offline, apply our policy.

``verify_at_checkpoint`` runs, in order: QR decoding (for an image), the HC1 steps (prefix,
base45, zlib, COSE, CBOR, signature against the credential trust list the node holds, key
usage, expiry, our claim-set schema), then revocation (the revocation snapshot the node holds)
and the checkpoint jurisdiction's acceptance policy in force on that day. Nothing is fetched:
the trust list and revocations are the node's copies (its own tables on the embedded default,
synced signed copies on a member node), so a checkpoint works through a network outage until its
trust list expires, and then says so. The answer is always a verdict, never an exception.

Acceptance policies are signed like colour rules (JWS over the canonical document, by the
jurisdiction member's key), stored, and held in a ``PolicyBook`` (``service.policies``); each is
verified against the key table when the book is built, and only verified policies are applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd import credential
from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.healthcode.checkpoint_schemas import (
    CHECKPOINT_STEPS,
    CheckpointVerdictRead,
    Holder,
    TestCertificateRead,
    TrustListState,
)
from dyrd.healthcode.compute import acceptance, testresult
from dyrd.healthcode.compute.claims import HCERT_CLAIM, check_claim, our_claim
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.ports import CredentialVerifier, RevocationView, TrustListView
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.service import audit
from dyrd.healthcode.service._common import acting, jurisdiction_problem, raise_if_any
from dyrd.healthcode.service.colours import record_access
from dyrd.healthcode.service.policies import (
    CHINA_TIME,
    PolicyBook,
    SignedPolicy,
    list_policies,
    load_sample_policies,
    sign_policy,
    verify_policy,
)
from dyrd.healthcode.service.tally import VerificationTally
from dyrd.healthcode.types import Colour

ACCESS_ACTION = "checkpoint.verify"


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


def _test_certificate(
    text: str | None,
    claim: Mapping[str, Any],
    *,
    verifier: CredentialVerifier,
    trust_list: TrustListView,
    revocation: RevocationView | None,
    at: datetime,
) -> TestCertificateRead | None:
    """Verify a test certificate shown with a code and read its negative result (None: none
    was shown)."""
    if text is None or not text.strip():
        return None
    verdict = verifier.verify_dcc(text.strip(), certificates=trust_list, at=at)
    if not verdict.valid:
        return TestCertificateRead(
            valid=False, used=False, reason="The test certificate does not verify: "
            + verdict.reason, reason_zh="检测证书验证未通过：" + verdict.reason_zh,
        )  # fmt: skip
    if revocation is not None and _revoked(revocation, verdict):
        return TestCertificateRead(
            valid=False, used=False, reason="The test certificate has been revoked.",
            reason_zh="检测证书已被吊销。",
        )  # fmt: skip
    hcert = (verdict.claims or {}).get(HCERT_CLAIM)
    reading = testresult.read_negative_test(
        hcert.get(1) if isinstance(hcert, Mapping) else None,
        initials=claim.get("n"),
        birth_year=claim.get("y"),
        at=at,
    )
    return TestCertificateRead(
        valid=True,
        used=reading.negative_at is not None,
        negative_at=reading.negative_at,
        reason=reading.reason,
        reason_zh=reading.reason_zh,
    )


def _with_test(claim: Mapping[str, Any], test: TestCertificateRead | None) -> Mapping[str, Any]:
    """The claim the policy reads: ``t`` is the later of the code's and the certificate's."""
    if test is None or test.negative_at is None:
        return claim
    shown = int(test.negative_at.timestamp())
    held = claim.get("t")
    if isinstance(held, int) and not isinstance(held, bool) and held >= shown:
        return claim
    return {**claim, "t": shown}


def _policy_in_force(
    policies: PolicyBook, jurisdiction: str, on: date
) -> tuple[SignedPolicy | None, tuple[str, str]]:
    """The verified policy to apply, or why there is none (en, zh)."""
    bad = policies.refused_in_force(jurisdiction, on)
    if bad is not None:
        return None, (
            f"The acceptance policy {bad.policy.label} stored for {jurisdiction} does not "
            f"verify with the key of {bad.signed_by}; the checkpoint cannot decide.",
            f"{jurisdiction} 的互认策略 {bad.policy.label} 签名验证失败，无法判定。",
        )
    signed = policies.in_force(jurisdiction, on)
    if signed is None:
        return None, (
            f"No acceptance policy of {jurisdiction} is in force on {on}; the checkpoint "
            "cannot decide.",
            f"{jurisdiction} 在 {on} 没有生效的互认策略，无法判定。",
        )
    return signed, ("", "")


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
    tally: VerificationTally | None = None,
    test_text: str | None = None,
) -> CheckpointVerdictRead:
    """The checkpoint's verdict on HC1 text or a QR image (see the module docstring).

    ``test_text``, an EU DCC test certificate shown alongside, adds its negative result (when
    it verifies and names the code's holder) to what the policy reads (``compute.testresult``).

    Records the check in the resident's access log when the code verifies and the resident is
    registered on this node, and counts it in the audit ledger (``tally``: batched; see
    ``audit.counted``).
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
    signed, why_not = _policy_in_force(policies, checkpoint_jurisdiction, on)
    if signed is None:
        steps["policy"] = False
        return refused(*why_not, **info)
    info["test_certificate"] = test = _test_certificate(
        test_text, claim, verifier=verifier, trust_list=trust_list, revocation=revocation, at=when
    )
    data = acceptance.policy_data(
        _with_test(claim, test),
        issued_at=claims.get(6),
        expires_at=claims.get(4),
        checkpoint=checkpoint_jurisdiction,
        at=when,
    )
    decision = acceptance.decide(signed.policy, data)
    steps["policy"] = decision.accepted
    info |= {
        "policy_id": decision.policy_id,
        "policy_version": decision.version,
        "policy_source": signed.source,
    }
    reason, reason_zh = decision.reason_en, decision.reason_zh
    if signed.source != "stored":  # say so: no policy of this jurisdiction is published here
        reason += "; bundled SAMPLE policy, none is published on this node"
        reason_zh += "；本节点未发布互认策略，使用内置示例策略"
    return CheckpointVerdictRead(
        accepted=decision.accepted,
        valid=True,
        steps=steps,
        reason=reason,
        reason_zh=reason_zh,
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
