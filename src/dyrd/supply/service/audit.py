"""What the supply domain writes to the audit ledger: every chain join and exit decision.

``supply.chain.join`` / ``supply.chain.exit``: subject ``<chain>/<credit code>`` (an
enterprise's code is public registration data, not personal data); payload the decision id,
outcome, the rule version applied, each rule's kind and pass/fail, and the decision date.
Appended through ``dyrd.ledger`` in the same transaction as the decision row (the caller
commits once), as the exchange and health-code domains do.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.supply.compute.join_rules import Evaluation
from dyrd.supply.types import DecisionKind, DecisionOutcome

CHAIN_JOIN = "supply.chain.join"
CHAIN_EXIT = "supply.chain.exit"


def record_decision(  # one entry's fields, all keyword-only
    session: Session,
    *,
    decision_id: str,
    chain_id: str,
    enterprise: str,
    kind: DecisionKind,
    outcome: DecisionOutcome,
    rule_version: int,
    evaluation: Evaluation | None,
    decided_on: str,
    actor: Actor,
    clock: Clock,
) -> int:
    """Append the decision's entry and return its ledger sequence number."""
    receipt = ledger.append(
        session,
        kind=CHAIN_JOIN if kind is DecisionKind.JOIN else CHAIN_EXIT,
        subject=f"{chain_id}/{enterprise}",
        actor=actor,
        payload={
            "decision_id": decision_id,
            "outcome": str(outcome),
            "rule_version": rule_version,
            "decided_on": decided_on,
            "rules": []
            if evaluation is None
            else [{"kind": r.kind, "passed": r.passed} for r in evaluation.results],
        },
        clock=clock,
    )
    return receipt.seq
