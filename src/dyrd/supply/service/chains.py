"""Use cases: chains, versioned join/exit rules, join applications, exits and exit reviews.

Every decision is stored with the rule version it applied and appended to the audit ledger in
the same transaction; the service entry point commits once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.supply.compute import join_rules
from dyrd.supply.errors import InvalidInput, SupplyConflict, SupplyNotFound
from dyrd.supply.models import Chain, ChainRules, Decision, Enterprise, Membership
from dyrd.supply.repository import EXITED, MEMBER, SupplyRepository
from dyrd.supply.schemas import ChainCreate, ChainRead, DecisionRead, ExitRequest, JoinRequest
from dyrd.supply.service import audit
from dyrd.supply.service.enterprises import parse_code, require
from dyrd.supply.types import CreditGrade, DecisionKind, DecisionOutcome, Severity


def parse_rules(raw: Any) -> join_rules.RuleSet:
    """A validated rule set, or InvalidInput pointing at the faulty part."""
    try:
        return join_rules.parse_rule_set(raw)
    except join_rules.RuleSetError as exc:
        raise InvalidInput(
            f"Invalid chain rules at {exc.location}: {exc.message}.",
            f"链规则 {exc.location} 处无效：{exc.message_zh}。",
            errors=[FieldError(f"rules{exc.location[1:]}", exc.message, exc.message_zh)],
            hint="Rule kinds: certification, credit_grade, no_serious_violation, activity, "
            "location.",
        ) from exc


def _chain(repo: SupplyRepository, chain_id: str) -> Chain:
    row = repo.chain(chain_id)
    if row is None:
        raise SupplyNotFound(
            f"No chain {chain_id!r}.",
            f"没有产业链 {chain_id}。",
            hint="List them: `dyrd supply chain list`.",
        )
    return row


def _rule_set(repo: SupplyRepository, chain: Chain) -> join_rules.RuleSet:
    rules = repo.rules(chain.id, chain.rule_version)
    assert rules is not None  # noqa: S101  # every chain is written with its first version
    return join_rules.parse_rule_set(rules.rules)


def read_chain(repo: SupplyRepository, chain: Chain) -> ChainRead:
    """A chain with its current rules, members and their cities."""
    members = [m.enterprise_code for m in repo.members(chain.id)]
    ents = repo.enterprises_by_code(members)
    return ChainRead.model_validate(
        {
            "id": chain.id,
            "name_zh": chain.name_zh,
            "name_en": chain.name_en,
            "product_class": chain.product_class,
            "description": chain.description,
            "rule_version": chain.rule_version,
            "rules": _rule_set(repo, chain).as_dict(),
            "members": members,
            "cities": sorted({e.city_code for e in ents.values()}),
        }
    )


def create_chain(session: Session, data: ChainCreate, *, actor: Actor, clock: Clock) -> ChainRead:
    """Create a chain with its first rule set (version 1)."""
    rules = parse_rules(data.rules)
    repo = SupplyRepository(session)
    if repo.chain(data.id) is not None:
        raise SupplyConflict(f"Chain {data.id!r} exists.", f"产业链 {data.id} 已存在。")
    now = clock()
    chain = Chain(
        id=data.id,
        name_zh=data.name_zh,
        name_en=data.name_en,
        product_class=data.product_class,
        description=data.description,
        rule_version=1,
    )
    repo.add(chain, actor, now)
    repo.add(ChainRules(chain_id=chain.id, version=1, rules=rules.as_dict()), actor, now)
    out = read_chain(repo, chain)
    session.commit()
    return out


def update_rules(
    session: Session, chain_id: str, raw: dict[str, Any], *, actor: Actor, clock: Clock
) -> ChainRead:
    """Write a new rule version; later decisions apply it, earlier ones keep theirs."""
    rules = parse_rules(raw)
    repo = SupplyRepository(session)
    chain = _chain(repo, chain_id)
    chain.rule_version += 1
    repo.add(
        ChainRules(chain_id=chain.id, version=chain.rule_version, rules=rules.as_dict()),
        actor,
        clock(),
    )
    out = read_chain(repo, chain)
    session.commit()
    return out


def get_chain(session: Session, chain_id: str) -> ChainRead:
    """One chain."""
    repo = SupplyRepository(session)
    return read_chain(repo, _chain(repo, chain_id))


def list_chains(session: Session) -> list[ChainRead]:
    """All chains."""
    repo = SupplyRepository(session)
    return [read_chain(repo, c) for c in repo.chains()]


def facts(repo: SupplyRepository, ent: Enterprise) -> join_rules.EnterpriseFacts:
    """What the rules look at, from the stored records."""
    return join_rules.EnterpriseFacts(
        province=ent.city_code[:2] + "0000",
        credit_grade=None if ent.credit_grade is None else CreditGrade(ent.credit_grade),
        certifications=tuple(
            join_rules.Certification(c.name, c.valid_from, c.valid_until)
            for c in repo.certifications(ent.code)
        ),
        violations=tuple(
            join_rules.Violation(v.occurred_on, Severity(v.severity))
            for v in repo.violations(ent.code)
        ),
        activity=tuple(repo.activity_dates(ent.code)),
    )


def _decide(  # one decision's parts, all keyword-only
    session: Session,
    repo: SupplyRepository,
    *,
    chain: Chain,
    ent: Enterprise,
    kind: DecisionKind,
    outcome: DecisionOutcome,
    evaluation: join_rules.Evaluation | None,
    on: date,
    note: str,
    actor: Actor,
    clock: Clock,
) -> Decision:
    decision_id = str(uuid.uuid4())
    seq = audit.record_decision(
        session,
        decision_id=decision_id,
        chain_id=chain.id,
        enterprise=ent.code,
        kind=kind,
        outcome=outcome,
        rule_version=chain.rule_version,
        evaluation=evaluation,
        decided_on=on.isoformat(),
        actor=actor,
        clock=clock,
    )
    row = Decision(
        id=decision_id,
        chain_id=chain.id,
        enterprise_code=ent.code,
        kind=str(kind),
        outcome=str(outcome),
        rule_version=chain.rule_version,
        decided_on=on,
        results=[]
        if evaluation is None
        else [
            {
                "index": r.index,
                "kind": r.kind,
                "passed": r.passed,
                "reason": r.reason,
                "reason_zh": r.reason_zh,
            }
            for r in evaluation.results
        ],
        note=note,
        ledger_seq=seq,
    )
    repo.add(row, actor, clock())
    return row


def join(
    session: Session, chain_id: str, data: JoinRequest, *, actor: Actor, clock: Clock
) -> DecisionRead:
    """Evaluate the join rules; admit when all pass. Refusals are decisions too (recorded)."""
    repo = SupplyRepository(session)
    chain = _chain(repo, chain_id)
    ent = require(repo, parse_code(data.enterprise_code, "enterprise_code"))
    member = repo.membership(chain.id, ent.code)
    if member is not None and member.status == MEMBER:
        raise SupplyConflict(
            f"{ent.code} is already a member of {chain.id}.", f"{ent.code} 已是 {chain.id} 的成员。"
        )
    now = clock()
    on = data.on or now.date()
    evaluation = join_rules.evaluate(_rule_set(repo, chain).join, facts(repo, ent), on)
    outcome = DecisionOutcome.ADMITTED if evaluation.passed else DecisionOutcome.REFUSED
    row = _decide(
        session,
        repo,
        chain=chain,
        ent=ent,
        kind=DecisionKind.JOIN,
        outcome=outcome,
        evaluation=evaluation,
        on=on,
        note="",
        actor=actor,
        clock=clock,
    )
    if evaluation.passed:
        if member is None:
            repo.add_membership(
                Membership(
                    chain_id=chain.id,
                    enterprise_code=ent.code,
                    status=MEMBER,
                    rule_version=chain.rule_version,
                    joined_at=now,
                )
            )
        else:
            member.status, member.rule_version, member.joined_at, member.exited_at = (
                MEMBER,
                chain.rule_version,
                now,
                None,
            )
    out = DecisionRead.model_validate(row)
    session.commit()
    return out


def _exit(
    session: Session,
    repo: SupplyRepository,
    chain: Chain,
    ent: Enterprise,
    data: ExitRequest,
    *,
    actor: Actor,
    clock: Clock,
) -> Decision:
    member = repo.membership(chain.id, ent.code)
    if member is None or member.status != MEMBER:
        raise SupplyConflict(
            f"{ent.code} is not a member of {chain.id}.", f"{ent.code} 不是 {chain.id} 的成员。"
        )
    now = clock()
    on = data.on or now.date()
    if data.voluntary:
        evaluation = None
        outcome = DecisionOutcome.EXITED
    else:
        evaluation = join_rules.evaluate(_rule_set(repo, chain).exit, facts(repo, ent), on)
        outcome = DecisionOutcome.RETAINED if evaluation.passed else DecisionOutcome.EXITED
    row = _decide(
        session,
        repo,
        chain=chain,
        ent=ent,
        kind=DecisionKind.EXIT,
        outcome=outcome,
        evaluation=evaluation,
        on=on,
        note=data.note or ("voluntary / 主动退出" if data.voluntary else ""),
        actor=actor,
        clock=clock,
    )
    if outcome is DecisionOutcome.EXITED:
        member.status, member.exited_at = EXITED, now
    return row


def leave(
    session: Session, chain_id: str, data: ExitRequest, *, actor: Actor, clock: Clock
) -> DecisionRead:
    """A voluntary exit, or a review of one member against the exit rules."""
    repo = SupplyRepository(session)
    chain = _chain(repo, chain_id)
    ent = require(repo, parse_code(data.enterprise_code, "enterprise_code"))
    out = DecisionRead.model_validate(
        _exit(session, repo, chain, ent, data, actor=actor, clock=clock)
    )
    session.commit()
    return out


def review(
    session: Session, chain_id: str, *, on: date | None = None, actor: Actor, clock: Clock
) -> list[DecisionRead]:
    """Review every member against the exit rules (one decision each, one commit)."""
    repo = SupplyRepository(session)
    chain = _chain(repo, chain_id)
    rows = [
        _exit(
            session,
            repo,
            chain,
            require(repo, m.enterprise_code),
            ExitRequest(enterprise_code=m.enterprise_code, on=on),
            actor=actor,
            clock=clock,
        )
        for m in repo.members(chain.id)
    ]
    out = [DecisionRead.model_validate(r) for r in rows]
    session.commit()
    return out


def decisions(
    session: Session, *, chain_id: str | None = None, enterprise: str | None = None
) -> list[DecisionRead]:
    """Decisions, newest first, each with the rule version it applied."""
    repo = SupplyRepository(session)
    if chain_id is not None:
        _chain(repo, chain_id)
    code = None if enterprise is None else parse_code(enterprise, "enterprise")
    return [
        DecisionRead.model_validate(d) for d in repo.decisions(chain_id=chain_id, enterprise=code)
    ]
