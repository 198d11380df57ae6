"""What the health-code domain writes to the audit ledger (issue 4 item 8), with no personal data.

Each entry is appended through ``dyrd.ledger`` in the same transaction as the change it records
(the caller commits), as the exchange does:

* ``healthcode.code.issued``: one per code issued or re-issued. Subject: the resident's
  pseudonymous id. Payload: jurisdiction, colour, rule id and version, the DSC kid, why
  (request or re-evaluation). Never the ID number, its hash, initials or birth year.
* ``healthcode.appeal.filed`` / ``healthcode.appeal.answered``: subject the appeal id; payload
  the pseudonymous resident id, jurisdiction, contested colour and rule, outcome and due date.
  Never the appeal's free text (a resident may write anything in it).
* ``healthcode.checkpoint.verified``: one per checkpoint verification, as a count of one.
  Subject: the checkpoint jurisdiction. Payload: verdict (accepted, valid, first failed step),
  colour, issuing jurisdiction, rule, policy, kid. No resident id: the resident-level record of
  who checked them is the access log on their own node (``/residents/{id}/access-log``), and a
  verification of another node's resident has no resident id here at all. Per-verification
  entries (rather than a periodic aggregate) need no in-process counter state, survive crashes
  and restarts, and sum to any count by jurisdiction, colour or verdict; their cost is one
  ledger append (and commit) per check, serialised on the ledger's appenders' lock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ParamSpec

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.healthcode.checkpoint_schemas import CheckpointVerdictRead
from dyrd.healthcode.models import Appeal

CODE_ISSUED = "healthcode.code.issued"
APPEAL_FILED = "healthcode.appeal.filed"
APPEAL_ANSWERED = "healthcode.appeal.answered"
CHECKPOINT_VERIFIED = "healthcode.checkpoint.verified"


def issued_entry(
    *,
    resident_id: str,
    jurisdiction: str,
    colour: str,
    rule_id: str,
    rule_version: int,
    kid: bytes,
    reason: str,
    actor: Actor,
    at: datetime,
) -> ledger.NewEntry:
    """The ledger entry of one issued code (pseudonymous id only)."""
    return ledger.NewEntry(
        kind=CODE_ISSUED,
        subject=resident_id,
        actor=actor,
        payload={
            "jurisdiction": jurisdiction,
            "colour": colour,
            "rule_id": rule_id,
            "rule_version": rule_version,
            "kid": kid.hex(),
            "reason": reason,
        },
        at=at,
    )


def record_issued(session: Session, entries: Sequence[ledger.NewEntry], *, clock: Clock) -> None:
    """Append issuance entries (one batch: a re-evaluation takes the ledger's lock once)."""
    if entries:
        ledger.append_many(session, entries, clock=clock)


def _appeal_payload(row: Appeal) -> dict[str, Any]:
    return {
        "resident_id": row.resident_id,
        "jurisdiction": row.jurisdiction,
        "colour": row.colour,
        "rule_id": row.rule_id,
        "rule_version": row.rule_version,
        "status": str(row.status),
        "due_date": row.due_date.isoformat(),
    }


def appeal_filed(session: Session, row: Appeal, *, actor: Actor, clock: Clock) -> None:
    """Append the filing of an appeal (no free text)."""
    ledger.append(
        session,
        kind=APPEAL_FILED,
        subject=row.id,
        actor=actor,
        payload=_appeal_payload(row),
        clock=clock,
    )


def appeal_answered(session: Session, row: Appeal, *, actor: Actor, clock: Clock) -> None:
    """Append the answer to an appeal: its outcome (no free text)."""
    ledger.append(
        session,
        kind=APPEAL_ANSWERED,
        subject=row.id,
        actor=actor,
        payload=_appeal_payload(row),
        clock=clock,
    )


def verification_payload(verdict: CheckpointVerdictRead) -> dict[str, Any]:
    """What one checkpoint verification contributes to the counts (no holder, no resident)."""
    failed = next((step for step, ok in verdict.steps.items() if ok is False), None)
    return {
        "checkpoint_jurisdiction": verdict.checkpoint_jurisdiction,
        "accepted": verdict.accepted,
        "valid": verdict.valid,
        "failed_step": failed,
        "colour": None if verdict.colour is None else str(verdict.colour),
        "issuing_jurisdiction": verdict.issuing_jurisdiction,
        "rule_id": verdict.rule_id,
        "rule_version": verdict.rule_version,
        "policy_id": verdict.policy_id,
        "policy_version": verdict.policy_version,
        "kid": verdict.kid,
        "revocation_checked": verdict.revocation_checked,
    }


P = ParamSpec("P")


def counted(
    verify: Callable[P, CheckpointVerdictRead],
) -> Callable[P, CheckpointVerdictRead]:
    """Wrap ``verify_at_checkpoint``: append one count entry per verdict, then commit.

    A decorator, so the checkpoint pipeline itself does not change (it returns from many
    places). It reads ``session``, ``actor`` and ``clock`` from the call.
    """

    @functools.wraps(verify)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> CheckpointVerdictRead:
        verdict = verify(*args, **kwargs)
        session = kwargs.get("session", args[0] if args else None)
        actor, clock = kwargs["actor"], kwargs["clock"]
        assert isinstance(session, Session)  # noqa: S101  # the wrapped signature
        assert isinstance(actor, Actor)  # noqa: S101
        ledger.append(
            session,
            kind=CHECKPOINT_VERIFIED,
            subject=verdict.checkpoint_jurisdiction,
            actor=actor,
            payload=verification_payload(verdict),
            clock=clock,  # type: ignore[arg-type]
        )
        session.commit()
        return verdict

    return wrapper
