"""The only module of the region domain that builds queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, insert, select, tuple_, update
from sqlalchemy.orm import Session, defer

from dyrd.core.actor import Actor
from dyrd.core.pagination import Page, PageRequest
from dyrd.region.models import City, Indicator, Province, Statistic
from dyrd.region.types import IndicatorDefinition, StatisticRecord


@dataclass(frozen=True, slots=True)
class StoredValue:
    """A stored statistic as an import compares against it (no ORM object per row)."""

    id: int
    value: float
    unit: str
    source: str
    recorded_by: str
    recorded_for: str


_BATCH = 5_000  # rows per bulk statement: bounded memory, few round trips


@dataclass(frozen=True, slots=True)
class StatisticFilter:
    """Optional filters of a statistics query."""

    indicators: Sequence[str] = ()
    years: Sequence[int] = ()
    cities: Sequence[str] = ()
    provinces: Sequence[str] = ()


class RegionRepository:
    """Reads and writes region tables on one session; flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def provinces(self) -> list[Province]:
        return list(self.session.scalars(select(Province).order_by(Province.code)))

    def cities(self, province: str | None = None, *, with_boundary: bool = False) -> list[City]:
        stmt = select(City).order_by(City.code)
        if not with_boundary:
            # Boundaries are ~450 KB of JSON for 41 cities; decoding them dominated list requests.
            stmt = stmt.options(defer(City.boundary, raiseload=True))
        if province:
            stmt = stmt.where(City.province_code == province)
        return list(self.session.scalars(stmt))

    def city(self, code: str) -> City | None:
        return self.session.get(City, code)

    def province(self, code: str) -> Province | None:
        return self.session.get(Province, code)

    def city_codes(self) -> set[str]:
        return set(self.session.scalars(select(City.code)))

    def indicators(self) -> list[Indicator]:
        return list(self.session.scalars(select(Indicator).order_by(Indicator.code)))

    def indicator(self, code: str) -> Indicator | None:
        return self.session.get(Indicator, code)

    def indicator_units(self) -> dict[str, str]:
        rows = self.session.execute(select(Indicator.code, Indicator.unit))
        return {row[0]: row[1] for row in rows}

    def indicator_years(self) -> dict[str, list[int]]:
        rows = self.session.execute(
            select(Statistic.indicator, Statistic.year).distinct().order_by(Statistic.year)
        )
        out: dict[str, list[int]] = {}
        for code, year in rows:
            out.setdefault(code, []).append(year)
        return out

    def add_indicator(self, definition: IndicatorDefinition) -> Indicator:
        row = Indicator(
            code=definition.code,
            name_zh=definition.name_zh,
            name_en=definition.name_en,
            unit=definition.unit,
            description=definition.description,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def _filtered(self, stmt: Select[Statistic], flt: StatisticFilter) -> Select[Statistic]:
        if flt.indicators:
            stmt = stmt.where(Statistic.indicator.in_(flt.indicators))
        if flt.years:
            stmt = stmt.where(Statistic.year.in_(flt.years))
        if flt.cities:
            stmt = stmt.where(Statistic.city_code.in_(flt.cities))
        if flt.provinces:
            stmt = stmt.join(City, City.code == Statistic.city_code).where(
                City.province_code.in_(flt.provinces)
            )
        return stmt

    def statistics(self, flt: StatisticFilter, page: PageRequest) -> Page[Statistic]:
        base = self._filtered(select(Statistic), flt)
        total = self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        rows = self.session.scalars(
            base.order_by(Statistic.indicator, Statistic.year, Statistic.city_code)
            .limit(page.limit)
            .offset(page.offset)
        )
        return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    def value_rows(
        self, indicators: Sequence[str], cities: Sequence[str]
    ) -> list[tuple[str, str, int, float, str, str]]:
        """(city, indicator, year, value, unit, source) as plain rows, years ascending.

        Plain rows, not ORM objects: the city list is the hottest read and building
        entities for every value tripled its cost.
        """
        stmt = (
            select(
                Statistic.city_code,
                Statistic.indicator,
                Statistic.year,
                Statistic.value,
                Statistic.unit,
                Statistic.source,
            )
            .where(Statistic.indicator.in_(indicators), Statistic.city_code.in_(cities))
            .order_by(Statistic.year)
        )
        return [tuple(row) for row in self.session.execute(stmt)]  # type: ignore[misc]

    def existing_statistics(
        self, keys: Iterable[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], Statistic]:
        wanted = list(set(keys))
        found: dict[tuple[str, str, int], Statistic] = {}
        # Chunked so PostgreSQL and SQLite stay under their bound-parameter limits.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            stmt = select(Statistic).where(
                tuple_(Statistic.city_code, Statistic.indicator, Statistic.year).in_(chunk)
            )
            for row in self.session.scalars(stmt):
                found[(row.city_code, row.indicator, row.year)] = row
        return found

    def write_statistics(
        self, records: Iterable[StatisticRecord], *, actor: Actor, at: datetime
    ) -> int:
        """Insert new values and overwrite existing ones for the same key; returns the count."""
        records = list(records)
        existing = self.existing_statistics((r.city_code, r.indicator, r.year) for r in records)
        for rec in records:
            row = existing.get((rec.city_code, rec.indicator, rec.year))
            if row is None:
                row = Statistic(city_code=rec.city_code, indicator=rec.indicator, year=rec.year)
                self.session.add(row)
            row.value = rec.value
            row.unit = rec.unit
            row.source = rec.source
            row.recorded_by = actor.user
            row.recorded_for = actor.member
            row.recorded_at = at
        self.session.flush()
        return len(records)

    def stored_values(
        self, keys: Iterable[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], StoredValue]:
        """Stored values for these (city, indicator, year) keys.

        Fetched by indicator and filtered here: a table names few indicators but up to 200,000
        keys, which as a tuple IN would take hundreds of statements.
        """
        wanted = set(keys)
        indicators = sorted({k[1] for k in wanted})
        years = sorted({k[2] for k in wanted})  # at most 152 (1949..2100)
        found: dict[tuple[str, str, int], StoredValue] = {}
        for start in range(0, len(indicators), 500):
            stmt = select(
                Statistic.city_code,
                Statistic.indicator,
                Statistic.year,
                Statistic.id,
                Statistic.value,
                Statistic.unit,
                Statistic.source,
                Statistic.recorded_by,
                Statistic.recorded_for,
            ).where(
                Statistic.indicator.in_(indicators[start : start + 500]),
                Statistic.year.in_(years),
            )
            for row in self.session.execute(stmt):
                key = (row.city_code, row.indicator, row.year)
                if key in wanted:
                    found[key] = StoredValue(
                        row.id, row.value, row.unit, row.source, row.recorded_by, row.recorded_for
                    )
        return found

    def insert_statistics(
        self, records: Sequence[StatisticRecord], *, actor: Actor, at: datetime
    ) -> None:
        """Insert new values in bulk (keys must not be stored yet)."""
        for start in range(0, len(records), _BATCH):
            rows = [
                {
                    "city_code": r.city_code,
                    "indicator": r.indicator,
                    "year": r.year,
                    "value": r.value,
                    "unit": r.unit,
                    "source": r.source,
                    "recorded_by": actor.user,
                    "recorded_for": actor.member,
                    "recorded_at": at,
                }
                for r in records[start : start + _BATCH]
            ]
            self.session.execute(insert(Statistic), rows)

    def replace_statistics(
        self, updates: Sequence[tuple[int, StatisticRecord]], *, actor: Actor, at: datetime
    ) -> None:
        """Overwrite stored values in bulk, by row id."""
        for start in range(0, len(updates), _BATCH):
            rows = [
                {
                    "id": row_id,
                    "value": r.value,
                    "unit": r.unit,
                    "source": r.source,
                    "recorded_by": actor.user,
                    "recorded_for": actor.member,
                    "recorded_at": at,
                }
                for row_id, r in updates[start : start + _BATCH]
            ]
            self.session.execute(update(Statistic), rows)
        # A bulk UPDATE bypasses the identity map: reload any of these rows already loaded.
        ids = {row_id for row_id, _ in updates}
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, Statistic) and obj.id in ids:
                self.session.expire(obj)

    def add_province(self, code: str, name_zh: str, name_en: str) -> None:
        self.session.merge(Province(code=code, name_zh=name_zh, name_en=name_en))

    def add_city(self, city: City) -> None:
        self.session.merge(city)

    def count_cities(self) -> int:
        return self.session.scalar(select(func.count()).select_from(City)) or 0
