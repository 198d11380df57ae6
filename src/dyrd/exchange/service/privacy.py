"""Privacy gates the gateway applies before personal data leaves its owner for another member.

* :func:`pseudonymise_rows`: identifier columns become per-grant pseudonyms;
* :func:`release_rows`: row-level releases pass k-anonymity and l-diversity, generalising
  quasi-identifiers and suppressing a few rows when needed, or are refused;
* :func:`dp_aggregate`: aggregates are answered with differential privacy and charged to the
  grant's ε budget, refused once the budget cannot pay.

The caller owns the transaction: :func:`dp_aggregate` charges the budget with a flush, and the
caller must commit before it hands the result over, so no answer leaves without its charge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from dyrd import ledger
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.exchange.access_schemas import PrivacyBudgetRead, PrivacyBudgetUpdate
from dyrd.exchange.compute.anonymity import (
    DEFAULT_K,
    DEFAULT_L,
    DEFAULT_MAX_SUPPRESSION,
    Anonymisation,
    AnonymityPolicy,
    AnonymityReport,
    ColumnGeneralisation,
    anonymise,
)
from dyrd.exchange.compute.dp import (
    DEFAULT_EPSILON_PER_GRANT,
    MICRO,
    DPQuery,
    DPQueryError,
    DPResult,
    EpsilonBudget,
    to_micro,
    validate,
)
from dyrd.exchange.compute.dp import dp_aggregate as compute_aggregate
from dyrd.exchange.compute.pseudonym import grant_key, identifier_columns, pseudonymise
from dyrd.exchange.errors import (
    AnonymityRefused,
    PrivacyBudgetBelowSpent,
    PrivacyBudgetExhausted,
    PrivacyQueryInvalid,
)
from dyrd.exchange.models import Grant
from dyrd.exchange.privacy_repository import PrivacyBudgetRepository
from dyrd.exchange.service.grants import ensure_party, load_grant
from dyrd.exchange.types import ColumnSpec, PersonalDataRole

Rows = Sequence[Mapping[str, Any]]


def pseudonymise_rows(
    rows: Rows, schema: Sequence[ColumnSpec], *, grant_id: str, secret: bytes
) -> list[dict[str, Any]]:
    """Copies of ``rows`` whose identifier cells are pseudonyms under ``grant_id``'s key."""
    return pseudonymise(rows, schema, grant_key(secret, grant_id))


@dataclass(frozen=True, slots=True)
class Release:
    """Rows cleared for a consumer, and what was done to them (shown to the consumer too)."""

    grant_id: str
    rows: list[dict[str, Any]] = field(hash=False)
    pseudonymised: tuple[str, ...]
    generalisations: tuple[ColumnGeneralisation, ...]
    suppressed: int
    before: AnonymityReport
    after: AnonymityReport

    @property
    def levels(self) -> dict[str, int]:
        """Generalisation level per quasi-identifier column (0: released as is)."""
        return {g.column: g.level for g in self.generalisations}

    def summary(self) -> dict[str, Any]:
        """What the consumer is told: counts and levels, never the classes' values."""
        return {
            "grant_id": self.grant_id,
            "rows": len(self.rows),
            "pseudonymised": list(self.pseudonymised),
            "generalisations": [
                {"column": g.column, "level": g.level, "description": g.description}
                for g in self.generalisations
            ],
            "suppressed": self.suppressed,
            "k": self.after.k,
            "l": self.after.l,
            "min_class_size": self.after.min_class_size,
            "min_diversity": dict(self.after.min_diversity),
        }


def needs_anonymity(schema: Sequence[ColumnSpec]) -> bool:
    """Whether a release of these columns must pass k-anonymity / l-diversity first."""
    return any(
        c.personal_data in (PersonalDataRole.QUASI_IDENTIFIER, PersonalDataRole.SENSITIVE)
        for c in schema
    )


def refuse_unless_anonymous(
    outcome: Anonymisation, *, grant_id: str, policy: AnonymityPolicy, generalise: bool = True
) -> None:
    """Raise :class:`AnonymityRefused` with counts (never the failing values) unless ``ok``."""
    if outcome.ok:
        return
    k, l, share = policy.k, policy.l, policy.max_suppression  # noqa: E741
    report = outcome.after
    summary = report.summary()
    raise AnonymityRefused(
        f"Release refused under grant {grant_id}: {outcome.reason}.",
        f"授权 {grant_id} 下的数据发布被拒绝：{report.rows} 行中有 {report.violating_rows} "
        f"行所在的等价类少于 k={k} 行或敏感属性少于 l={l} 个不同取值，超过可删除的上限"
        f"（{share:.0%}），且{'已无法继续泛化' if generalise else '未允许泛化'}。",
        hint="Ask the owner to coarsen or drop quasi-identifier columns, or ask for "
        "aggregate statistics (differential privacy) instead of rows.",
        errors=[
            FieldError(location=name, message=f"{name} = {value}")
            for name, value in summary.items()
        ],
    )


def release_rows(
    rows: Rows,
    schema: Sequence[ColumnSpec],
    *,
    grant_id: str,
    secret: bytes,
    k: int = DEFAULT_K,
    l: int = DEFAULT_L,  # noqa: E741  # the literature's name
    generalise: bool = True,
    max_suppression: float = DEFAULT_MAX_SUPPRESSION,
) -> Release:
    """Rows that are k-anonymous and l-diverse over the schema's roles, identifiers pseudonymised.

    With ``generalise`` the quasi-identifiers are coarsened and up to ``max_suppression`` of
    the rows dropped when needed; without it, any failing class refuses the release. Raises
    :class:`AnonymityRefused` with counts (never the failing values) when it cannot be done.
    """
    policy = AnonymityPolicy(k=k, l=l, max_suppression=max_suppression)
    outcome = anonymise(rows, schema, policy, allow_generalisation=generalise)
    refuse_unless_anonymous(outcome, grant_id=grant_id, policy=policy, generalise=generalise)
    key = grant_key(secret, grant_id)
    return Release(
        grant_id=grant_id,
        rows=pseudonymise(outcome.rows, schema, key),
        pseudonymised=tuple(identifier_columns(schema)),
        generalisations=outcome.generalisations,
        suppressed=outcome.suppressed,
        before=outcome.before,
        after=outcome.after,
    )


# --- differential privacy ---------------------------------------------------------------------


def privacy_budget(
    session: Session,
    *,
    grant_id: str,
    clock: Clock,
    total_epsilon: float = DEFAULT_EPSILON_PER_GRANT,
) -> EpsilonBudget:
    """The grant's ε budget, created with ``total_epsilon`` on first use."""
    repo = PrivacyBudgetRepository(session)
    repo.ensure(grant_id, to_micro(total_epsilon), clock())
    total, spent = repo.get(grant_id) or (0, 0)
    return EpsilonBudget(total, spent)


def spend_epsilon(
    session: Session,
    *,
    grant_id: str,
    epsilon: float,
    clock: Clock,
    total_epsilon: float = DEFAULT_EPSILON_PER_GRANT,
) -> EpsilonBudget:
    """Charge ``epsilon`` to the grant, or raise PrivacyBudgetExhausted; the budget after it."""
    try:
        micro = to_micro(epsilon)
    except DPQueryError as exc:
        raise PrivacyQueryInvalid(
            f"Invalid epsilon {epsilon!r}: {exc}.", f"ε 取值无效：{epsilon!r}。"
        ) from exc
    repo = PrivacyBudgetRepository(session)
    now = clock()
    repo.ensure(grant_id, to_micro(total_epsilon), now)
    if not repo.try_spend(grant_id, micro, now):
        total, spent = repo.get(grant_id) or (0, 0)
        budget = EpsilonBudget(total, spent)
        raise PrivacyBudgetExhausted(
            f"The privacy budget of grant {grant_id} cannot pay ε={epsilon}: "
            f"{budget.spent:g} of {budget.total:g} already spent.",
            f"授权 {grant_id} 的隐私预算不足以支付 ε={epsilon}："
            f"已使用 {budget.spent:g}，总额 {budget.total:g}。",
            hint="Ask fewer or cheaper (smaller ε) queries, or ask the owner for a new grant.",
        )
    total, spent = repo.get(grant_id) or (0, 0)
    return EpsilonBudget(total, spent)


def dp_aggregate(
    session: Session,
    *,
    grant_id: str,
    rows: Rows,
    schema: Sequence[ColumnSpec],
    query: DPQuery,
    clock: Clock,
    rng: np.random.Generator | None = None,
    total_epsilon: float = DEFAULT_EPSILON_PER_GRANT,
    contributions: int = 1,
) -> DPResult:
    """Answer ``query`` with ε-differential privacy after charging ε to the grant's budget.

    ``rng=None`` (production) draws noise from OpenDP's own secure samplers; a seeded
    ``numpy.random.Generator`` makes results reproducible and is for tests and simulations
    only. ``total_epsilon`` applies when the grant's budget is first created.
    """
    if contributions < 1:
        raise PrivacyQueryInvalid(
            "contributions (rows per person) must be at least 1.", "每人行数至少为 1。"
        )
    try:
        validate(query, schema)
    except DPQueryError as exc:
        raise PrivacyQueryInvalid(
            f"The aggregate query cannot be answered: {exc}.",
            f"统计查询无法执行：{exc}。",
            hint="Name a non-identifier column, give sums and means public (lower, upper) "
            "bounds and histograms their categories, and a positive ε.",
        ) from exc
    spend_epsilon(
        session, grant_id=grant_id, epsilon=query.epsilon, clock=clock, total_epsilon=total_epsilon
    )
    return compute_aggregate(rows, schema, query, rng=rng, contributions=contributions)


# --- the budget as the parties see it ---------------------------------------------------------

LEDGER_BUDGET = "privacy.budget"
"""Ledger kind of a change to a grant's ε total."""


def _budget_read(session: Session, grant: Grant, default_total: float) -> PrivacyBudgetRead:
    repo = PrivacyBudgetRepository(session)
    total, spent = repo.get(grant.id) or (to_micro(default_total), 0)
    budget = EpsilonBudget(total, spent)
    return PrivacyBudgetRead(
        grant_id=grant.id,
        resource_id=grant.resource_id,
        consumer_member=grant.consumer_member,
        owner_member=grant.owner_member,
        total_epsilon=budget.total,
        spent_epsilon=budget.spent,
        remaining_epsilon=budget.remaining,
        updated_at=repo.updated_at(grant.id),
    )


def grant_budget(
    session: Session, grant_id: str, *, principal: Principal, default_total: float
) -> PrivacyBudgetRead:
    """A grant's ε budget, for users of its consumer or owner (read only: nothing is created).

    ``default_total`` is what a grant that never asked an aggregate will start with.
    """
    grant = load_grant(session, grant_id)
    ensure_party(principal, grant.consumer_member, grant.owner_member, "grant")
    return _budget_read(session, grant, default_total)


def set_grant_budget(
    session: Session,
    grant_id: str,
    data: PrivacyBudgetUpdate,
    *,
    principal: Principal,
    clock: Clock,
    default_total: float,
) -> PrivacyBudgetRead:
    """Set a grant's ε total as the owner's data steward, with a reason; logged; commits.

    Refused (PrivacyBudgetBelowSpent) below what the grant has already spent: ε spent on
    answers already released cannot be taken back.
    """
    grant = load_grant(session, grant_id)
    actor = principal.acting_for(Role.DATA_STEWARD, grant.owner_member)
    repo = PrivacyBudgetRepository(session)
    now = clock()
    new_total = to_micro(data.total_epsilon)
    repo.ensure(grant.id, to_micro(default_total), now)
    before_total, before_spent = repo.get(grant.id) or (0, 0)
    if not repo.try_set_total(grant.id, new_total, now):
        session.rollback()
        spent = EpsilonBudget(before_total, before_spent).spent
        raise PrivacyBudgetBelowSpent(
            f"Grant {grant.id} has already spent ε={spent:g}; its total cannot be "
            f"{data.total_epsilon:g}.",
            f"授权 {grant.id} 已使用 ε={spent:g}，总额不能设为 {data.total_epsilon:g}。",
            hint=f"Set a total of at least {spent:g}.",
            errors=[FieldError("total_epsilon", f"At least {spent:g}.", f"至少为 {spent:g}。")],
        )
    ledger.append(
        session,
        kind=LEDGER_BUDGET,
        subject=grant.id,
        actor=actor,
        payload={
            "grant_id": grant.id,
            "resource_id": grant.resource_id,
            "consumer_member": grant.consumer_member,
            "total_epsilon_before": before_total / MICRO,
            "total_epsilon": new_total / MICRO,
            "spent_epsilon": before_spent / MICRO,
            "reason": data.reason,
        },
        clock=clock,
    )
    read = _budget_read(session, grant, default_total)
    session.commit()
    return read
