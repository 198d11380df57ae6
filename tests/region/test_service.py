"""Region use cases against the bundled reference data."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy.orm import Session

from dyrd.core.errors import NotFoundError
from dyrd.core.pagination import PageRequest
from dyrd.region import bundled, service
from dyrd.region.repository import StatisticFilter


def test_bundled_data_has_four_jurisdictions_and_41_cities(session: Session) -> None:
    jur = service.list_jurisdictions(session)
    assert [j.code for j in jur] == ["310000", "320000", "330000", "340000"]
    assert [j.n_cities for j in jur] == [1, 13, 11, 16]
    assert len(service.list_cities(session)) == 41


def test_population_and_gdp_equal_the_bundled_file(session: Session) -> None:
    rows = {r["code"]: r for r in bundled.read_cities()}
    for city in service.list_cities(session):
        src = rows[city.code]
        assert city.population is not None
        assert city.gdp is not None
        assert city.population.value == float(src["pop_resident_2019_10k"])
        assert city.gdp.value == float(src["gdp_2019_100m_yuan"])
        assert city.population.year == 2019
        assert "EnvCausal" in city.gdp.source


def test_unknown_city_is_not_found_with_its_code(session: Session) -> None:
    with pytest.raises(NotFoundError, match="999999"):
        service.get_city(session, "999999")


def test_city_detail_lists_every_statistic_with_source(session: Session) -> None:
    city = service.get_city(session, "320500")
    assert city.name_en == "Suzhou"
    assert city.province_code == "320000"
    assert {s.indicator for s in city.statistics} == {
        c.definition.code for c in bundled.BUNDLED_COLUMNS
    }
    assert all(s.source for s in city.statistics)


def test_statistics_filter_by_province_and_paging(session: Session) -> None:
    flt = StatisticFilter(indicators=("gdp",), provinces=("330000",))
    first = service.query_statistics(session, flt, PageRequest(limit=5, offset=0))
    rest = service.query_statistics(session, flt, PageRequest(limit=100, offset=5))
    assert first.total == 11
    assert len(first.items) == 5
    assert len(rest.items) == 6
    codes = {s.city_code for s in first.items + rest.items}
    assert len(codes) == 11
    assert all(c.startswith("33") for c in codes)


def test_boundaries_cover_every_city(session: Session) -> None:
    fc = service.boundaries(session)
    assert len(fc.features) == 41
    assert {f.geometry["type"] for f in fc.features} <= {"Polygon", "MultiPolygon"}


def test_load_bundled_is_idempotent(session: Session, clock: object) -> None:
    before = service.query_statistics(session, StatisticFilter(), PageRequest(limit=1)).total
    service.load_bundled(session, clock=clock)  # type: ignore[arg-type]
    after = service.query_statistics(session, StatisticFilter(), PageRequest(limit=1)).total
    assert before == after == 369


def test_bundled_file_matches_shared_reference_when_present() -> None:
    from tests.conftest import SHARED

    ref = SHARED / "data" / "region" / "cities.csv"
    if not ref.exists():
        pytest.skip("../shared/data/region/cities.csv is not beside this checkout")
    with ref.open(encoding="utf-8") as fh:
        assert list(csv.DictReader(fh)) == bundled.read_cities()
