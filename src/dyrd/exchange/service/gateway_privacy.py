"""The privacy gates of the provider gateway: anonymised row releases and DP aggregates.

Rows leaving for another member whose granted columns include quasi-identifiers or sensitive
columns pass k-anonymity and l-diversity over the *whole* data version, not page by page: pages
anonymised separately could be generalised differently and joined back together. The anonymised
table depends only on (resource, data version, granted columns, policy), never on the grant, so
it is computed once and kept; pseudonyms, which do depend on the grant, are applied per page.

Aggregate queries (``GET /r1/{member}/{service}/aggregate?aggregate=...&epsilon=...``) read the
whole data version too; the gateway charges ε to the grant's budget before it computes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from dyrd.exchange.compute.anonymity import (
    DEFAULT_K,
    DEFAULT_L,
    DEFAULT_MAX_SUPPRESSION,
    Anonymisation,
    AnonymityPolicy,
    anonymise,
)
from dyrd.exchange.compute.dp import DEFAULT_EPSILON_PER_GRANT, DPQuery, DPResult, EpsilonBudget
from dyrd.exchange.models import Resource
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.types import ColumnSpec

Rows = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """The gates' parameters (see ``compute.anonymity`` and ``compute.dp`` for the sources)."""

    k: int = DEFAULT_K
    l: int = DEFAULT_L  # noqa: E741  # the literature's name
    max_suppression: float = DEFAULT_MAX_SUPPRESSION
    epsilon_per_grant: float = DEFAULT_EPSILON_PER_GRANT
    """ε total a grant starts with when it first asks an aggregate."""

    @property
    def policy(self) -> AnonymityPolicy:
        """The k-anonymity / l-diversity policy of row releases."""
        return AnonymityPolicy(k=self.k, l=self.l, max_suppression=self.max_suppression)


class TableCache:
    """Whole data versions, and their anonymised releases, least recently used out.

    Safe to keep for the reason ``gateway_rows.PageCache`` gives: an upload's rows never change,
    and keys hold the data version read from the resource on every request.
    """

    def __init__(self, max_entries: int = 64, max_rows: int = 1_000_000) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._max_entries = max_entries
        self._max_rows = max_rows
        self._rows = 0

    def get(self, key: Hashable, load: Callable[[], tuple[int, Any]]) -> Any:
        """The value under ``key``; ``load`` gives (its size in rows, the value) on a miss."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[1]
        size, value = load()  # outside the lock: a slow load never blocks other tables
        with self._lock:
            if key not in self._items:
                self._items[key] = (size, value)
                self._rows += size
            while self._items and (
                len(self._items) > self._max_entries or self._rows > self._max_rows
            ):
                _, (old, _value) = self._items.popitem(last=False)
                self._rows -= old
        return value

    def version_rows(self, repo: ExchangeRepository, res: Resource) -> Rows:
        """Every stored row of the resource's current data version, in upload order."""
        assert res.data_version is not None  # noqa: S101  # checked by the caller
        number = res.data_version

        def load() -> tuple[int, Rows]:
            ver = repo.version(res.id, number)
            rows = [] if ver is None else repo.rows(ver.id)
            return len(rows), rows

        rows: Rows = self.get(("rows", res.id, number), load)
        return rows

    def anonymised(
        self,
        repo: ExchangeRepository,
        res: Resource,
        granted: Sequence[ColumnSpec],
        policy: AnonymityPolicy,
    ) -> Anonymisation:
        """The data version restricted to ``granted`` columns, made k-anonymous and l-diverse
        (generalised and suppressed as needed), or the failed attempt (``ok`` False)."""
        names = tuple(c.name for c in granted)
        key = ("anonymised", res.id, res.data_version, tuple(sorted(names)), policy)

        def load() -> tuple[int, Anonymisation]:
            rows = self.version_rows(repo, res)
            projected = [{n: row.get(n) for n in names} for row in rows]
            outcome = anonymise(projected, granted, policy)
            return len(outcome.rows), outcome

        outcome: Anonymisation = self.get(key, load)
        return outcome


def anonymity_metadata(outcome: Anonymisation, policy: AnonymityPolicy) -> dict[str, Any]:
    """What a consumer is told about an anonymised release: levels and counts, never values."""
    return {
        "k": policy.k,
        "l": policy.l,
        "rows_before": outcome.before.rows,
        "suppressed": outcome.suppressed,
        "generalisations": [
            {"column": g.column, "level": g.level, "description": g.description}
            for g in outcome.generalisations
        ],
        "min_class_size": outcome.after.min_class_size,
        "min_diversity": dict(outcome.after.min_diversity),
    }


def budget_metadata(budget: EpsilonBudget) -> dict[str, float]:
    """A grant's ε budget as the answer and the ledger report it."""
    return {"total": budget.total, "spent": budget.spent, "remaining": budget.remaining}


def dp_record(query: DPQuery, budget: dict[str, float] | None) -> dict[str, Any]:
    """The aggregate asked and the budget after it, as both gateways' ledgers record it."""
    return {
        "aggregate": query.aggregate.value,
        "column": query.column,
        "epsilon": query.epsilon,
        "budget": budget,
    }


def aggregate_body(result: DPResult) -> dict[str, Any]:
    """The released aggregate: value, ε, clamping bounds, categories and every noise scale."""
    return {
        "aggregate": result.aggregate.value,
        "column": result.column,
        "value": result.value,
        "epsilon": result.epsilon,
        "bounds": list(result.bounds) if result.bounds is not None else None,
        "categories": list(result.categories),
        "noise": [
            {
                "target": n.target,
                "mechanism": n.mechanism,
                "sensitivity": n.sensitivity,
                "scale": n.scale,
                "epsilon": n.epsilon,
            }
            for n in result.noise
        ],
    }
