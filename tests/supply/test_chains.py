"""Chains: versioned join/exit rules, decisions with reasons, audit ledger entries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.ledger.models import LedgerEntry
from dyrd.supply.errors import InvalidCode, InvalidInput, SupplyConflict, SupplyNotFound
from dyrd.supply.schemas import (
    CertificationCreate,
    EnterpriseCreate,
    ExitRequest,
    JoinRequest,
    ViolationCreate,
)
from dyrd.supply.service import audit, chains, enterprises
from dyrd.supply.types import DecisionOutcome, Severity
from tests.supply.support import ACTOR, CODES, RULES, seed_chain, seed_network

IATF = CertificationCreate(
    name="IATF 16949", valid_from=date(2025, 1, 1), valid_until=date(2028, 1, 1)
)


def _ledger(session: Session, kind: str) -> list[str]:
    stmt = select(LedgerEntry.subject).where(LedgerEntry.kind == kind).order_by(LedgerEntry.seq)
    return list(session.scalars(stmt))


def test_join_refused_then_admitted_then_reviewed_out(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    seed_chain(session, clock)
    code = CODES[1]
    refused = chains.join(
        session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock
    )
    assert refused.outcome is DecisionOutcome.REFUSED
    failed = [r for r in refused.results if not r.passed]
    assert [r.kind for r in failed] == ["certification"]
    assert "IATF 16949" in failed[0].reason
    assert "IATF 16949" in failed[0].reason_zh

    enterprises.add_certification(session, code, IATF, actor=ACTOR, clock=clock)
    admitted = chains.join(
        session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock
    )
    assert admitted.outcome is DecisionOutcome.ADMITTED
    assert admitted.rule_version == 1
    assert chains.get_chain(session, "yrd-auto").members == [code]
    with pytest.raises(SupplyConflict):
        chains.join(
            session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock
        )

    # New rules (version 2); a review under them keeps the member until a serious violation.
    chains.update_rules(session, "yrd-auto", RULES, actor=ACTOR, clock=clock)
    (kept,) = chains.review(session, "yrd-auto", actor=ACTOR, clock=clock)
    assert kept.outcome is DecisionOutcome.RETAINED
    assert kept.rule_version == 2
    enterprises.add_violation(
        session,
        code,
        ViolationCreate(occurred_on=date(2026, 10, 1), severity=Severity.SERIOUS, authority="SAMR"),
        actor=ACTOR,
        clock=clock,
    )
    (out,) = chains.review(session, "yrd-auto", actor=ACTOR, clock=clock)
    assert out.outcome is DecisionOutcome.EXITED
    assert "2026-10-01" in out.results[0].reason
    assert chains.get_chain(session, "yrd-auto").members == []

    listed = chains.decisions(session, chain_id="yrd-auto")
    assert [(d.outcome, d.rule_version) for d in listed] == [
        (DecisionOutcome.EXITED, 2),
        (DecisionOutcome.RETAINED, 2),
        (DecisionOutcome.ADMITTED, 1),
        (DecisionOutcome.REFUSED, 1),
    ]
    # Every decision has its ledger entry, in the same order, subject chain/enterprise.
    joins = _ledger(session, audit.CHAIN_JOIN)
    exits = _ledger(session, audit.CHAIN_EXIT)
    assert joins == [f"yrd-auto/{code}"] * 2
    assert exits == [f"yrd-auto/{code}"] * 2
    assert len({d.ledger_seq for d in listed}) == len(listed)


def test_voluntary_exit_and_rejoin(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    seed_chain(session, clock)
    code = CODES[0]
    enterprises.add_certification(session, code, IATF, actor=ACTOR, clock=clock)
    chains.join(session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock)
    left = chains.leave(
        session,
        "yrd-auto",
        ExitRequest(enterprise_code=code, voluntary=True),
        actor=ACTOR,
        clock=clock,
    )
    assert left.outcome is DecisionOutcome.EXITED
    assert left.results == []
    with pytest.raises(SupplyConflict):
        chains.leave(
            session, "yrd-auto", ExitRequest(enterprise_code=code), actor=ACTOR, clock=clock
        )
    again = chains.join(
        session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock
    )
    assert again.outcome is DecisionOutcome.ADMITTED


def test_a_refused_request_writes_no_decision_nor_entry(session: Session, clock: Clock) -> None:
    seed_chain(session, clock)
    with pytest.raises(SupplyNotFound):
        chains.join(
            session, "yrd-auto", JoinRequest(enterprise_code=CODES[0]), actor=ACTOR, clock=clock
        )
    assert chains.decisions(session) == []
    assert _ledger(session, audit.CHAIN_JOIN) == []


def test_bad_inputs(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    with pytest.raises(InvalidCode) as info:
        enterprises.get(session, CODES[0][:-1] + ("0" if CODES[0][-1] != "0" else "1"))
    assert info.value.errors[0].location == "code"
    with pytest.raises(InvalidInput) as bad:
        chains.update_rules(session, "nope", {"join": [{"kind": "x"}]}, actor=ACTOR, clock=clock)
    assert bad.value.errors[0].location == "rules.join[0].kind"
    with pytest.raises(SupplyNotFound):
        chains.update_rules(session, "nope", RULES, actor=ACTOR, clock=clock)
    with pytest.raises(SupplyNotFound):
        enterprises.register(
            session,
            EnterpriseCreate(
                code="91440300708461136T",
                name_zh="x",
                name_en="x",
                city_code="440300",  # Shenzhen: not in the region
                industry="C36",
            ),
            actor=ACTOR,
            clock=clock,
        )
    with pytest.raises(SupplyConflict):
        seed_network(session, clock)
