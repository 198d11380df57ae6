"""The per-grant ε budget in the database: charges, refusals, and no overspending under races."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from dyrd.core.clock import Clock
from dyrd.core.config import Settings
from dyrd.core.db import make_session_factory
from dyrd.core.errors import PermissionDenied
from dyrd.exchange.compute.dp import Aggregate, DPQuery
from dyrd.exchange.errors import PrivacyBudgetExhausted, PrivacyQueryInvalid
from dyrd.exchange.models import PrivacyBudget
from dyrd.exchange.privacy_repository import PrivacyBudgetRepository
from dyrd.exchange.service.privacy import dp_aggregate, privacy_budget, spend_epsilon
from dyrd.exchange.types import ColumnSpec, ColumnType, PersonalDataRole
from tests.conftest import fixed_clock

SCHEMA = [
    ColumnSpec("id", ColumnType.STRING, personal_data=PersonalDataRole.IDENTIFIER),
    ColumnSpec("age", ColumnType.INTEGER, personal_data=PersonalDataRole.QUASI_IDENTIFIER),
]
ROWS = [{"id": f"P{i}", "age": 20 + i % 50} for i in range(100)]


def _grant() -> str:
    return str(uuid.uuid4())


def test_settings_default_budget_and_secret_path() -> None:
    settings = Settings()
    assert settings.privacy_epsilon_per_grant == 1.0
    assert settings.pseudonym_secret_path.name == "pseudonym.secret"


def test_budget_is_created_on_first_use_and_charged(session: Session, clock: Clock) -> None:
    grant = _grant()
    fresh = privacy_budget(session, grant_id=grant, clock=clock, total_epsilon=2.0)
    assert (fresh.total, fresh.spent) == (2.0, 0.0)
    after = spend_epsilon(session, grant_id=grant, epsilon=0.5, clock=clock)
    assert (after.total, after.spent) == (2.0, 0.5)  # the total is fixed when first created
    assert privacy_budget(session, grant_id=grant, clock=clock).remaining == 1.5
    other = privacy_budget(session, grant_id=_grant(), clock=clock)
    assert other.spent == 0.0  # budgets are per grant


def test_exhausted_budget_is_refused_with_spent_and_total(session: Session, clock: Clock) -> None:
    grant = _grant()
    for _ in range(3):
        spend_epsilon(session, grant_id=grant, epsilon=0.3, clock=clock)
    with pytest.raises(PrivacyBudgetExhausted) as info:
        spend_epsilon(session, grant_id=grant, epsilon=0.2, clock=clock)
    err = info.value
    assert isinstance(err, PermissionDenied)
    assert "0.9 of 1 already spent" in err.message
    assert "已使用 0.9，总额 1" in err.message_zh
    assert err.hint
    # the refused charge left nothing behind; a query that still fits passes
    assert spend_epsilon(session, grant_id=grant, epsilon=0.1, clock=clock).spent == 1.0


def test_dp_aggregate_charges_first_and_refuses_when_spent(session: Session, clock: Clock) -> None:
    grant = _grant()
    q = DPQuery(Aggregate.SUM, 0.4, "age", (0, 100))
    rng = np.random.default_rng(1)
    result = dp_aggregate(
        session, grant_id=grant, rows=ROWS, schema=SCHEMA, query=q, clock=clock, rng=rng
    )
    assert result.epsilon == 0.4
    assert result.noise[0].scale == pytest.approx(100 / 0.4)
    dp_aggregate(session, grant_id=grant, rows=ROWS, schema=SCHEMA, query=q, clock=clock)
    with pytest.raises(PrivacyBudgetExhausted):
        dp_aggregate(session, grant_id=grant, rows=ROWS, schema=SCHEMA, query=q, clock=clock)
    assert privacy_budget(session, grant_id=grant, clock=clock).spent == pytest.approx(0.8)


def test_invalid_queries_cost_nothing(session: Session, clock: Clock) -> None:
    grant = _grant()
    bad = [
        DPQuery(Aggregate.SUM, 0.5, "age"),  # no bounds
        DPQuery(Aggregate.HISTOGRAM, 0.5, "id", categories=("P1",)),  # identifier
        DPQuery(Aggregate.COUNT, -1.0),
    ]
    for q in bad:
        with pytest.raises(PrivacyQueryInvalid):
            dp_aggregate(session, grant_id=grant, rows=ROWS, schema=SCHEMA, query=q, clock=clock)
    with pytest.raises(PrivacyQueryInvalid):
        dp_aggregate(
            session,
            grant_id=grant,
            rows=ROWS,
            schema=SCHEMA,
            query=DPQuery(Aggregate.COUNT, 0.1),
            clock=clock,
            contributions=0,
        )
    assert PrivacyBudgetRepository(session).get(grant) is None


@pytest.fixture
def grant_ids(engine: Engine) -> Iterator[list[str]]:
    """Grant ids whose budget rows (committed by the threads) are removed after the test."""
    ids: list[str] = []
    yield ids
    with Session(engine) as s:
        s.execute(delete(PrivacyBudget).where(PrivacyBudget.grant_id.in_(ids)))
        s.commit()


def _race(factory: sessionmaker[Session], grant: str, threads: int, eps: float) -> list[str]:
    """``threads`` sessions charging ``eps`` to ``grant`` at the same moment; their outcomes."""
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(10)
            with factory() as session:
                try:
                    spend_epsilon(session, grant_id=grant, epsilon=eps, clock=fixed_clock)
                    session.commit()
                    outcomes.append("spent")
                except PrivacyBudgetExhausted:
                    session.rollback()
                    outcomes.append("refused")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(60)
    assert not errors, errors
    return sorted(outcomes)


def test_concurrent_queries_do_not_overspend(engine: Engine, grant_ids: list[str]) -> None:
    factory = make_session_factory(engine)
    for _ in range(5):
        grant = _grant()
        grant_ids.append(grant)
        # six charges of 0.3 against a total of 1.0 at once: exactly three may pass
        assert _race(factory, grant, threads=6, eps=0.3) == ["refused"] * 3 + ["spent"] * 3
        with factory() as session:
            assert PrivacyBudgetRepository(session).get(grant) == (1_000_000, 900_000)


def test_the_database_check_rejects_an_overspent_row(engine: Engine, grant_ids: list[str]) -> None:
    from sqlalchemy.exc import IntegrityError

    grant = _grant()
    grant_ids.append(grant)
    with Session(engine) as session:
        session.add(
            PrivacyBudget(
                grant_id=grant, total_micro_eps=10, spent_micro_eps=11, updated_at=fixed_clock()
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()
