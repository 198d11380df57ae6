"""Queries on the per-grant ε budget (``exchange_privacy_budget``); flushes, never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from dyrd.exchange.models import PrivacyBudget


class PrivacyBudgetRepository:
    """Reads and conditionally charges grants' ε budgets."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure(self, grant_id: str, total_micro: int, now: datetime) -> None:
        """Create the grant's budget row with ``total_micro`` unless it exists (race-safe)."""
        values = {
            "grant_id": grant_id,
            "total_micro_eps": total_micro,
            "spent_micro_eps": 0,
            "updated_at": now,
        }
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(PrivacyBudget).values(**values).on_conflict_do_nothing()
        self.session.execute(stmt)

    def get(self, grant_id: str) -> tuple[int, int] | None:
        """(total, spent) in millionths of ε, read from the database (never a cached object)."""
        row = self.session.execute(
            select(PrivacyBudget.total_micro_eps, PrivacyBudget.spent_micro_eps).where(
                PrivacyBudget.grant_id == grant_id
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def try_spend(self, grant_id: str, micro: int, now: datetime) -> bool:
        """Add ``micro`` to what the grant spent if it still fits; False if it does not.

        One conditional UPDATE: the database re-checks the condition on the row it locks, so
        concurrent charges cannot together pass the total (PostgreSQL re-evaluates the WHERE
        on the committed row version; SQLite serialises writers).
        """
        stmt = (
            update(PrivacyBudget)
            .where(
                PrivacyBudget.grant_id == grant_id,
                PrivacyBudget.spent_micro_eps + micro <= PrivacyBudget.total_micro_eps,
            )
            .values(spent_micro_eps=PrivacyBudget.spent_micro_eps + micro, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(stmt)
        assert isinstance(result, CursorResult)  # noqa: S101  # an UPDATE returns a cursor
        return result.rowcount == 1

    def updated_at(self, grant_id: str) -> datetime | None:
        """When the grant's budget was last charged or changed (None: no budget row yet)."""
        return self.session.scalar(
            select(PrivacyBudget.updated_at).where(PrivacyBudget.grant_id == grant_id)
        )

    def try_set_total(self, grant_id: str, total_micro: int, now: datetime) -> bool:
        """Set the grant's total unless it is below what was spent; False if it is.

        Conditional like :meth:`try_spend`, so a charge racing with the change cannot leave
        ``spent > total``.
        """
        stmt = (
            update(PrivacyBudget)
            .where(
                PrivacyBudget.grant_id == grant_id,
                PrivacyBudget.spent_micro_eps <= total_micro,
            )
            .values(total_micro_eps=total_micro, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(stmt)
        assert isinstance(result, CursorResult)  # noqa: S101  # an UPDATE returns a cursor
        return result.rowcount == 1
