"""Use cases of the region domain: reference data, statistics and boundaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from dyrd.core.pagination import PageRequest
from dyrd.region import bundled
from dyrd.region.compute import tables
from dyrd.region.errors import ImportTooLarge
from dyrd.region.models import City, Statistic
from dyrd.region.repository import RegionRepository, StatisticFilter, StoredValue
from dyrd.region.schemas import (
    CityDetail,
    CityRead,
    GeoJSONFeature,
    GeoJSONFeatureCollection,
    ImportReport,
    IndicatorRead,
    JurisdictionRead,
    StatisticPage,
    StatisticRead,
    StatisticValue,
)
from dyrd.region.types import ParsedRow, StatisticRecord, TableRejected

HEADLINE_POPULATION = "population_resident"
HEADLINE_GDP = "gdp"


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What loading the bundled reference data did."""

    provinces: int
    cities: int
    indicators: int
    statistics: int


def load_bundled(session: Session, *, clock: Clock) -> LoadReport:
    """Load (or refresh) the bundled provinces, cities, boundaries and statistics; idempotent."""
    repo = RegionRepository(session)
    provinces = bundled.read_provinces()
    for p in provinces:
        repo.add_province(p["code"], p["name_zh"], p["name_en"])
    session.flush()
    rows = bundled.read_cities()
    shapes = bundled.read_boundaries()
    for r in rows:
        repo.add_city(
            City(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                province_code=r["province_code"],
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                area_km2=float(r["area_km2"]) if r["area_km2"].strip() else None,
                boundary=shapes[r["code"]],
            )
        )
    session.flush()
    known = repo.indicator_units()
    for col in bundled.BUNDLED_COLUMNS:
        if col.definition.code not in known:
            repo.add_indicator(col.definition)
    records = bundled.bundled_statistics(rows)
    repo.write_statistics(records, actor=Actor.system(), at=clock())
    session.commit()
    return LoadReport(len(provinces), len(rows), len(bundled.BUNDLED_COLUMNS), len(records))


def _not_found_city(code: str) -> NotFoundError:
    return NotFoundError(
        f"No city with division code {code!r}.",
        f"没有行政区划代码为 {code} 的城市。",
        hint="List the 41 city codes with GET /api/v1/region/cities or `dyrd region cities`.",
    )


def _headline(session: Session, codes: Sequence[str]) -> dict[tuple[str, str], StatisticValue]:
    """Latest-year population and GDP per city."""
    rows = RegionRepository(session).value_rows((HEADLINE_POPULATION, HEADLINE_GDP), codes)
    out: dict[tuple[str, str], StatisticValue] = {}
    for city, indicator, year, value, unit, source in rows:  # years ascending: the last wins
        out[(city, indicator)] = StatisticValue(value=value, year=year, unit=unit, source=source)
    return out


def _city_read(
    city: City, names: dict[str, tuple[str, str]], head: dict[tuple[str, str], StatisticValue]
) -> CityRead:
    zh, en = names[city.province_code]
    return CityRead(
        code=city.code,
        name_zh=city.name_zh,
        name_en=city.name_en,
        province_code=city.province_code,
        province_zh=zh,
        province_en=en,
        lat=city.lat,
        lon=city.lon,
        area_km2=city.area_km2,
        population=head.get((city.code, HEADLINE_POPULATION)),
        gdp=head.get((city.code, HEADLINE_GDP)),
    )


def _province_names(repo: RegionRepository) -> dict[str, tuple[str, str]]:
    return {p.code: (p.name_zh, p.name_en) for p in repo.provinces()}


def list_jurisdictions(session: Session) -> list[JurisdictionRead]:
    """The province-level jurisdictions with their city counts."""
    repo = RegionRepository(session)
    cities = repo.cities()
    return [
        JurisdictionRead(
            code=p.code,
            name_zh=p.name_zh,
            name_en=p.name_en,
            n_cities=sum(1 for c in cities if c.province_code == p.code),
        )
        for p in repo.provinces()
    ]


def list_cities(session: Session, *, province: str | None = None) -> list[CityRead]:
    """Cities (optionally of one province) with headline population and GDP."""
    repo = RegionRepository(session)
    if province is not None and repo.province(province) is None:
        raise NotFoundError(
            f"No jurisdiction with code {province!r}.",
            f"没有代码为 {province} 的省级行政区。",
            hint="Valid codes: 310000, 320000, 330000, 340000.",
        )
    cities = repo.cities(province)
    head = _headline(session, [c.code for c in cities])
    names = _province_names(repo)
    return [_city_read(c, names, head) for c in cities]


def get_city(session: Session, code: str) -> CityDetail:
    """One city with all its statistics."""
    repo = RegionRepository(session)
    city = repo.city(code)
    if city is None:
        raise _not_found_city(code)
    base = _city_read(city, _province_names(repo), _headline(session, [code]))
    stats = repo.statistics(StatisticFilter(cities=(code,)), PageRequest(limit=100_000))
    return CityDetail(
        **base.model_dump(),
        statistics=[StatisticRead.model_validate(s) for s in stats.items],
    )


def _feature(city: City) -> GeoJSONFeature:
    return GeoJSONFeature(
        properties={
            "code": city.code,
            "name_zh": city.name_zh,
            "name_en": city.name_en,
            "province_code": city.province_code,
        },
        geometry=city.boundary,
    )


def city_boundary(session: Session, code: str) -> GeoJSONFeature:
    """The city's boundary as a GeoJSON Feature."""
    city = RegionRepository(session).city(code)
    if city is None:
        raise _not_found_city(code)
    return _feature(city)


def boundaries(session: Session, *, province: str | None = None) -> GeoJSONFeatureCollection:
    """All city boundaries as one FeatureCollection."""
    return GeoJSONFeatureCollection(
        features=[
            _feature(c) for c in RegionRepository(session).cities(province, with_boundary=True)
        ]
    )


def list_indicators(session: Session) -> list[IndicatorRead]:
    """Indicator definitions with the years that have values."""
    repo = RegionRepository(session)
    years = repo.indicator_years()
    return [
        IndicatorRead(
            code=i.code,
            name_zh=i.name_zh,
            name_en=i.name_en,
            unit=i.unit,
            description=i.description,
            years=years.get(i.code, []),
        )
        for i in repo.indicators()
    ]


def query_statistics(session: Session, flt: StatisticFilter, page: PageRequest) -> StatisticPage:
    """Long-form statistics filtered by indicator, year, city and province."""
    result = RegionRepository(session).statistics(flt, page)
    return StatisticPage(
        items=[StatisticRead.model_validate(s) for s in result.items],
        total=result.total,
        limit=result.limit,
        offset=result.offset,
    )


def indicator_values(session: Session, indicator: str, year: int) -> dict[str, Statistic]:
    """Values of one indicator in one year, by city code (for maps and rankings)."""
    repo = RegionRepository(session)
    if repo.indicator(indicator) is None:
        raise NotFoundError(
            f"No indicator {indicator!r}.",
            f"没有指标 {indicator}。",
            hint="List indicators with GET /api/v1/region/indicators.",
        )
    page = repo.statistics(
        StatisticFilter(indicators=(indicator,), years=(year,)), PageRequest(limit=100_000)
    )
    return {s.city_code: s for s in page.items}


MAX_IMPORT_BYTES = 20 * 1024 * 1024
"""Largest table an import accepts (a 200,000-row long CSV is about 12 MB)."""
_MAX_LISTED_CONFLICTS = 1_000


def import_statistics(
    session: Session,
    *,
    content: bytes,
    filename: str,
    actor: Actor,
    clock: Clock,
    source: str | None,
    replace: bool = False,
    year: int | None = None,
    sheet: str | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Import a CSV/XLSX table of statistics (long or wide): every row, or nothing.

    Raises ValidationFailed listing every row/column problem, ConflictError listing values that
    already exist (unless ``replace``), ImportTooLarge past ``max_bytes``. Commits once; on any
    error the session is rolled back and left clean.
    """
    try:
        report = _import(
            session,
            content=content,
            filename=filename,
            actor=actor,
            clock=clock,
            source=source,
            replace=replace,
            year=year,
            sheet=sheet,
            max_bytes=max_bytes,
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            "Another import wrote some of these values (or indicators) at the same time; "
            "nothing was imported.",
            "其他导入同时写入了部分相同的数值或指标；本次未导入任何数据。",
            hint="Import the file again; use replace to overwrite the values now stored.",
        ) from exc
    except BaseException:
        session.rollback()
        raise
    return report


def _import(
    session: Session,
    *,
    content: bytes,
    filename: str,
    actor: Actor,
    clock: Clock,
    source: str | None,
    replace: bool,
    year: int | None,
    sheet: str | None,
    max_bytes: int,
) -> ImportReport:
    if len(content) > max_bytes:
        raise ImportTooLarge(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB; nothing was imported.",
            f"文件超过 {max_bytes // (1024 * 1024)} MB；未导入任何数据。",
            hint="Split the table into several files (by year or by indicator) and import each.",
        )
    repo = RegionRepository(session)
    parsed = tables.parse_table(
        content,
        filename,
        cities=repo.city_codes(),
        units=repo.indicator_units(),
        source=source,
        year=year,
        sheet=sheet,
    )
    if isinstance(parsed, TableRejected):
        raise ValidationFailed(
            f"The file {filename!r} has problems ({len(parsed.errors)} listed); "
            "nothing was imported.",
            f"文件 {filename} 存在问题（列出 {len(parsed.errors)} 项）；未导入任何数据。",
            hint="Fix every listed row and column, then import the whole file again.",
            errors=list(parsed.errors),
        )
    existing = repo.stored_values(
        (r.record.city_code, r.record.indicator, r.record.year) for r in parsed.rows
    )
    if existing and not replace:
        raise _conflict(parsed.rows, existing)
    for definition in parsed.new_indicators:
        repo.add_indicator(definition)
    at = clock()
    new: list[StatisticRecord] = []
    replaced: list[tuple[int, StatisticRecord]] = []
    for rec in parsed.records:
        old = existing.get((rec.city_code, rec.indicator, rec.year))
        if old is None:
            new.append(rec)
        else:
            replaced.append((old.id, rec))
    repo.insert_statistics(new, actor=actor, at=at)
    repo.replace_statistics(replaced, actor=actor, at=at)
    return ImportReport(
        filename=filename,
        layout=parsed.layout,
        rows_read=parsed.rows_read,
        statistics_inserted=len(parsed.rows) - len(existing),
        statistics_replaced=len(existing),
        indicators_created=[d.code for d in parsed.new_indicators],
        recorded_by=actor.user,
        recorded_for=actor.member,
        recorded_at=at,
    )


def _conflict(
    rows: Sequence[ParsedRow], existing: dict[tuple[str, str, int], StoredValue]
) -> ConflictError:
    found: list[FieldError] = []
    for parsed in rows:
        rec = parsed.record
        old = existing.get((rec.city_code, rec.indicator, rec.year))
        if old is None:
            continue
        if len(found) == _MAX_LISTED_CONFLICTS:
            found.append(
                FieldError(
                    "file",
                    f"{len(existing) - _MAX_LISTED_CONFLICTS} more existing value(s) not listed.",
                    f"另有 {len(existing) - _MAX_LISTED_CONFLICTS} 个已有数值未列出。",
                )
            )
            break
        found.append(
            FieldError(
                f"row {parsed.row}",
                f"{rec.indicator} of city {rec.city_code} in {rec.year} is already stored: "
                f"{old.value} {old.unit} (source: {old.source}; recorded by "
                f"{old.recorded_by} for {old.recorded_for}).",
                f"城市 {rec.city_code} {rec.year} 年的 {rec.indicator} 已有数值："
                f"{old.value} {old.unit}（来源：{old.source}）。",
                f"{rec.city_code}/{rec.indicator}/{rec.year}",
            )
        )
    return ConflictError(
        f"{len(existing)} value(s) in the file are already stored; nothing was imported.",
        f"文件中有 {len(existing)} 个数值已存在；未导入任何数据。",
        hint="Import again with replace (API form field replace=true, CLI --replace) to "
        "overwrite them, or remove those rows.",
        errors=found,
    )
