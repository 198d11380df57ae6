"""Economy use cases on the bundled 41-city data (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.cli.main import app as cli_app
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, ValidationFailed
from dyrd.economy import service
from dyrd.economy.compute import coupling as ccd
from dyrd.economy.compute import inequality as ineq
from dyrd.economy.errors import InsufficientData, UnknownIndicator
from dyrd.economy.service.index import MissingPolicy
from dyrd.economy.service.inequality import Grouping, Weighting
from dyrd.region import bundled as region_bundled

ALICE = Actor(user="alice", member="CN-YRD/GOV/320000")
CITIES = region_bundled.read_cities()


def _reference() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """GDP per capita (yuan), population and province straight from the bundled CSV."""
    gdp = np.array([float(r["gdp_2019_100m_yuan"]) for r in CITIES])
    pop = np.array([float(r["pop_resident_2019_10k"]) for r in CITIES])
    return gdp * 1e8 / (pop * 1e4), pop, [r["province_code"] for r in CITIES]


def test_inequality_of_gdp_per_capita_matches_the_bundled_table(session: Session) -> None:
    y, pop, prov = _reference()
    got = service.inequality(
        session, indicator="gdp_per_capita", year=2019, groups=Grouping.PROVINCE
    )
    assert got.n == 41
    assert got.gini == pytest.approx(ineq.gini(y), abs=1e-12)
    d = ineq.theil_t_decomposition(y, prov)
    assert got.theil_t == pytest.approx(d.total, abs=1e-12)
    assert got.theil_t_between == pytest.approx(d.between, abs=1e-12)
    assert got.theil_t_within == pytest.approx(d.within, abs=1e-12)
    assert got.theil_t_between is not None
    assert got.theil_t_within is not None
    assert got.theil_t_between + got.theil_t_within == pytest.approx(got.theil_t, abs=1e-12)
    assert got.dagum is not None
    assert got.dagum.total == pytest.approx(got.gini, abs=1e-10)
    assert {g.group for g in got.groups} == {"310000", "320000", "330000", "340000"}
    assert got.missing == []
    assert any("EnvCausal" in s for s in got.sources)
    weighted = service.inequality(
        session, indicator="gdp_per_capita", year=2019, weight=Weighting.POPULATION
    )
    assert weighted.gini == pytest.approx(ineq.gini(y, pop), abs=1e-12)
    assert weighted.theil_t_between is None
    both = service.inequality(
        session,
        indicator="gdp_per_capita",
        year=2019,
        weight=Weighting.POPULATION,
        groups=Grouping.PROVINCE,
    )
    assert both.dagum is not None
    want = ineq.dagum_gini(y, prov, pop)
    assert both.dagum.within == pytest.approx(want.within, abs=1e-12)
    assert both.dagum.net_between == pytest.approx(want.net_between, abs=1e-12)
    assert both.dagum.transvariation == pytest.approx(want.transvariation, abs=1e-12)
    assert both.dagum.total == pytest.approx(weighted.gini, abs=1e-10)
    assert both.dagum.total != pytest.approx(got.dagum.total, abs=1e-6)


def test_inequality_refuses_unknown_names_and_empty_years(session: Session) -> None:
    with pytest.raises(UnknownIndicator):
        service.inequality(session, indicator="gdp_per_head", year=2019)
    with pytest.raises(InsufficientData):
        service.inequality(session, indicator="trade_openness", year=2019)


def test_index_2019_reports_what_is_missing(session: Session) -> None:
    report = service.composite_index(session, years=[2019], stability_draws=50, seed=3)
    assert len(report.cities) == 41
    assert sorted(c.rank for c in report.cities) == list(range(1, 42))
    weights = [i.weight[0] for i in report.indicators]
    assert sum(weights) == pytest.approx(1.0)
    codes = {i.code for i in report.indicators}
    assert "gdp_per_capita" in codes
    assert "pm25" in report.dropped_indicators  # never imported: missing, not imputed
    assert "green" in report.concepts_without_data
    assert "openness" in report.concepts_without_data
    assert report.method.normalisation == "minmax"
    assert report.method.entropy_convention == "0·ln0 = 0"
    assert all(c.stability is not None for c in report.cities)
    top = report.cities[0]
    assert top.rank == 1
    assert set(top.sub_indices) <= {"innovation", "coordination", "sharing"}


def test_index_needs_enough_indicators(session: Session) -> None:
    with pytest.raises(InsufficientData):
        service.composite_index(session, years=[2019], indicators=["gdp_per_capita", "pm25"])


def test_bundled_panel_loads_once_and_derived_never_mixes_years(
    session: Session, clock: Clock
) -> None:
    first = service.load_bundled(session, clock=clock)
    assert first.inserted == 185
    again = service.load_bundled(session, clock=clock)
    assert again.inserted == 0
    assert again.already_stored == 185
    listed = {i.code: i for i in service.list_indicators(session)}
    assert listed["patents"].years == [2017]
    assert listed["patents_per_10k"].years == []  # patents 2017, population 2019
    got = service.inequality(session, indicator="patents", year=2017)
    assert got.n == 37
    assert {m.city_code for m in got.missing} == {"340300", "340800", "341300", "341600"}


def test_yearbook_import_then_trade_openness(session: Session, clock: Clock) -> None:
    rows = ["code,indicator,year,value,unit,source"]
    rows += [
        f"{r['code']},exports,2019,{10 + i},100m yuan,test table" for i, r in enumerate(CITIES)
    ]
    rows += [f"{r['code']},imports,2019,{5 + i},100m yuan,test table" for i, r in enumerate(CITIES)]
    report = service.import_yearbook(
        session, content="\n".join(rows).encode(), filename="t.csv", actor=ALICE, clock=clock
    )
    assert report.statistics_inserted == 82
    got = service.inequality(session, indicator="trade_openness", year=2019)
    gdp = np.array([float(r["gdp_2019_100m_yuan"]) for r in CITIES])
    trade = np.array([15.0 + 2 * i for i in range(41)])
    assert got.gini == pytest.approx(ineq.gini(trade / gdp * 100), abs=1e-12)
    with pytest.raises(ConflictError):
        service.import_yearbook(
            session, content="\n".join(rows).encode(), filename="t.csv", actor=ALICE, clock=clock
        )
    index = service.composite_index(session, years=[2019])
    assert "openness" not in index.concepts_without_data


def test_yearbook_import_refuses_unknown_city(session: Session, clock: Clock) -> None:
    content = b"code,indicator,year,value,unit,source\n999999,exports,2019,1,100m yuan,s\n"
    with pytest.raises(ValidationFailed):
        service.import_yearbook(
            session, content=content, filename="t.csv", actor=ALICE, clock=clock
        )
    bad = b"code,indicator,year,value,unit,source\n320500,gdp_per_capita,2019,1,yuan,s\n"
    with pytest.raises(ValidationFailed) as info:
        service.import_yearbook(session, content=bad, filename="t.csv", actor=ALICE, clock=clock)
    assert info.value.errors[0].location == "row 2, column indicator"


def test_index_drop_city_policy(session: Session, clock: Clock) -> None:
    service.load_bundled(session, clock=clock)
    report = service.composite_index(
        session,
        years=[2016],
        indicators=["employment_share_info_finance_research", "gdp_urban_districts"],
        missing=MissingPolicy.DROP_CITY,
    )
    assert len(report.cities) == 37
    assert report.dropped_cities == ["340300", "340800", "341300", "341600"]


def test_api_routes(client: TestClient) -> None:
    r = client.get(
        "/api/v1/economy/inequality",
        params={"indicator": "gdp_per_capita", "year": 2019, "groups": "province"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["n"] == 41
    assert body["theil_t_between"] + body["theil_t_within"] == pytest.approx(body["theil_t"])
    r = client.get("/api/v1/economy/index", params={"year": 2019, "normalisation": "vector"})
    assert r.status_code == 200, r.text
    assert r.json()["method"]["normalisation"] == "vector"
    r = client.get("/api/v1/economy/inequality", params={"indicator": "nope", "year": 2019})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get("/api/v1/economy/inequality", params={"indicator": "pm25", "year": 2019})
    assert r.status_code == 422
    assert client.get("/api/v1/economy/indicators").status_code == 200
    r = client.post(
        "/api/v1/economy/statistics/import",
        files={"file": ("t.csv", io.BytesIO(b"code,indicator\n"), "text/csv")},
    )
    assert r.status_code == 401


@pytest.fixture
def cli_env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "DYRD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DYRD_LEDGER_KEY_PATH": str(tmp_path / "ledger.pem"),
        "DYRD_LOG_JSON": "false",
    }


def test_cli_inequality_json_has_the_six_keys(cli_env: dict[str, str]) -> None:
    args = ["economy", "inequality", "--indicator", "gdp_per_capita", "--year", "2019"]
    result = CliRunner().invoke(cli_app, [*args, "--groups", "province", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"gini", "theil_t", "theil_t_between", "theil_t_within", "theil_l", "n"}
    assert data["n"] == 41
    weighted = CliRunner().invoke(cli_app, [*args, "--weight", "population", "--json"], env=cli_env)
    assert weighted.exit_code == 0, weighted.output
    assert json.loads(weighted.stdout)["gini"] != data["gini"]
    bad = CliRunner().invoke(
        cli_app, ["economy", "inequality", "--indicator", "x1", "--year", "2019"], env=cli_env
    )
    assert bad.exit_code == 4


def test_cli_index_and_indicators(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["economy", "index", "--year", "2019", "--aggregation", "linear", "--json"],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["method"]["aggregation"] == "linear"
    listed = CliRunner().invoke(cli_app, ["economy", "indicators", "--json"], env=cli_env)
    assert listed.exit_code == 0
    assert any(i["code"] == "gdp_per_capita" for i in json.loads(listed.stdout))


def test_coupling_over_the_concepts_with_data(session: Session) -> None:
    index = service.composite_index(session, years=[2019])
    got = service.coupling(session, year=2019)
    assert got.concepts_without_data == index.concepts_without_data
    assert set(got.subsystems).isdisjoint(got.concepts_without_data)
    assert len(got.subsystems) >= 2
    assert len(got.cities) == len(index.cities)
    by_code = {c.city_code: c for c in index.cities}
    for row in got.cities:
        u = [by_code[row.city_code].sub_indices[k.value] for k in got.subsystems]
        want = ccd.coupling_coordination([u])
        assert row.coordination == pytest.approx(float(want.coordination[0]), abs=1e-12)
        assert row.band == ccd.band_of(row.coordination).level
    assert [r.coordination for r in got.cities] == sorted(
        (r.coordination for r in got.cities), reverse=True
    )
    assert service.coupling_of_index(index) == got
    if got.concepts_without_data:
        with pytest.raises(InsufficientData):
            service.coupling(session, year=2019, concepts=got.concepts_without_data[:1])
    with pytest.raises(InsufficientData):
        service.coupling(session, year=2019, concepts=got.subsystems[:1])


def test_coupling_api_and_cli(client: TestClient, cli_env: dict[str, str]) -> None:
    r = client.get("/api/v1/economy/coupling", params={"year": 2019})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["bands"]) == 10
    assert body["cities"][0]["band_zh"]
    r = client.get("/api/v1/economy/coupling", params={"year": 2019, "concept": "nope"})
    assert r.status_code == 422
    result = CliRunner().invoke(
        cli_app, ["economy", "coupling", "--year", "2019", "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["formula"].startswith("C = ")
    table = CliRunner().invoke(cli_app, ["economy", "coupling", "--year", "2019"], env=cli_env)
    assert table.exit_code == 0, table.output
    assert "耦合协调度" in table.stdout


def test_indicators_without_data_say_why(session: Session) -> None:
    listed = {i.code: i for i in service.list_indicators(session)}
    assert listed["gdp_per_capita"].years == [2019]
    assert listed["gdp_per_capita"].no_data_reason is None
    co2 = listed["co2_intensity"]
    assert co2.years == []
    assert co2.no_data_reason is not None
    assert co2.no_data_reason.startswith("co2_emissions: ")
    assert "CEADs" in co2.no_data_reason
    assert co2.no_data_reason_zh is not None
    assert "CEADs" in co2.no_data_reason_zh
    # gdp has values: only the missing input is named.
    assert "gdp:" not in (listed["labour_productivity"].no_data_reason or "")
    assert "employment:" in (listed["labour_productivity"].no_data_reason or "")
    assert listed["industrial_profit"].no_data_reason


@pytest.mark.parametrize("bad", [b'a,b\n"x,1\n', b"a,b\nx\r1,2\n"])
def test_value_added_refuses_an_unreadable_csv(client: TestClient, bad: bytes) -> None:
    """A stray quote or a bare carriage return is a 4xx naming the table, never a 500."""
    files = {name: (f"{name}.csv", bad, "text/csv") for name in ("inter", "final", "output")}
    r = client.post("/api/v1/economy/value-added", files=files, data={"sectors": "1"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
