"""What the health-code domain writes to the audit ledger (issue 4 item 8), with no personal data.

Each entry is appended through ``dyrd.ledger`` in the same transaction as the change it records
(the caller commits), as the exchange does:

* ``healthcode.code.issued``: one per code issued or re-issued. Subject: the resident's
  pseudonymous id. Payload: jurisdiction, colour, rule id and version, the DSC kid, why
  (request or re-evaluation). Never the ID number, its hash, initials or birth year.
* ``healthcode.appeal.filed`` / ``healthcode.appeal.answered``: subject the appeal id; payload
  the pseudonymous resident id, jurisdiction, contested colour and rule, outcome and due date.
  Never the appeal's free text (a resident may write anything in it).
* ``healthcode.checkpoint.verified``: verification *counts*, one entry per checkpoint
  jurisdiction, checking member and minute, batched by ``tally.VerificationTally`` (see there
  for when they are flushed and what a crash can lose). Subject: the checkpoint jurisdiction.
  Payload: how many were verified, accepted and refused, by issuing jurisdiction, failed step,
  colour and policy version. No resident id: the resident-level record of who checked them is
  the access log on their own node (``/residents/{id}/access-log``), written on every
  verification, and a verification of another node's resident has no resident id here at all.
  A one-off check without a tally (the CLI) appends a count of one at once.
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
from dyrd.healthcode.service import tally

CODE_ISSUED = "healthcode.code.issued"
APPEAL_FILED = "healthcode.appeal.filed"
APPEAL_ANSWERED = "healthcode.appeal.answered"
CHECKPOINT_VERIFIED = tally.CHECKPOINT_VERIFIED


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


P = ParamSpec("P")


def counted(
    verify: Callable[P, CheckpointVerdictRead],
) -> Callable[P, CheckpointVerdictRead]:
    """Wrap ``verify_at_checkpoint``: count each verdict in the audit ledger.

    With a ``tally`` keyword the verdict is counted in memory (and the tally flushed in this
    session when enough are pending); without one a count of one is appended and committed. A
    decorator, so the checkpoint pipeline itself does not change (it returns from many places).
    """

    @functools.wraps(verify)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> CheckpointVerdictRead:
        verdict = verify(*args, **kwargs)
        session = kwargs.get("session", args[0] if args else None)
        actor, clock, counts = kwargs["actor"], kwargs["clock"], kwargs.get("tally")
        assert isinstance(session, Session)  # noqa: S101  # the wrapped signature
        assert isinstance(actor, Actor)  # noqa: S101
        if isinstance(counts, tally.VerificationTally):
            if counts.add(verdict, actor=actor):
                counts.flush(session)
        else:
            tally.record_one(session, verdict, actor=actor, clock=clock)  # type: ignore[arg-type]
        return verdict

    return wrapper
