"""Early-warning rules: pure evaluation (with Hypothesis properties), service, API and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.cli.main import app as cli_app
from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.economy import service
from dyrd.economy.compute import warning as w
from dyrd.region import bundled as region_bundled

ALICE = Actor(user="alice", member="CN-YRD/GOV/320000")
CITIES = region_bundled.read_cities()

values = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
scales = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)


def _series(vals: list[float], start: int = 2015) -> dict[int, float]:
    return {start + i: v for i, v in enumerate(vals)}


@given(value=values, n=st.integers(2, 12), rising=st.booleans())
def test_a_constant_series_never_triggers_a_trend_rule(value: float, n: int, rising: bool) -> None:
    found = w.trend(_series([value] * n), years=n, min_rate=1e-9, rising=rising)
    assert found.status is w.Status.CLEAR
    assert found.statistic == 0.0


@given(a=st.lists(values, min_size=3, max_size=8), b=st.lists(values, min_size=3, max_size=8),
       k=scales, m=scales)  # fmt: skip
def test_scaling_does_not_change_ratio_based_alerts(
    a: list[float], b: list[float], k: float, m: float
) -> None:
    n = min(len(a), len(b))
    sa, sb = _series(a[:n]), _series(b[:n])
    ka, mb = _series([k * x for x in a[:n]]), _series([m * x for x in b[:n]])
    assert w.trend(sa, years=n, min_rate=0.01).status is w.trend(ka, years=n, min_rate=0.01).status
    assert w.divergence(sa, sb, years=n, margin=0.01).status is (
        w.divergence(ka, mb, years=n, margin=0.01).status
    )


@given(a=st.lists(values, min_size=2, max_size=8))
def test_a_series_never_diverges_from_itself(a: list[float]) -> None:
    s = _series(a)
    assert w.divergence(s, s, years=len(a), margin=0.0).status is w.Status.CLEAR


def test_rules_on_known_series() -> None:
    assert w.threshold({2019: 2.6}, limit=2.5).status is w.Status.ALERT
    assert w.threshold({2019: 2.4}, limit=2.5).status is w.Status.CLEAR
    assert w.threshold({}, limit=2.5).status is w.Status.NO_DATA
    falling = w.trend(_series([100, 95, 90]), years=3, min_rate=0.01, rising=False)
    assert falling.status is w.Status.ALERT
    assert falling.statistic == pytest.approx(-5 / 95)
    assert w.trend({2019: 1.0}, years=3, min_rate=0.01).status is w.Status.NO_DATA
    # Wages +2 %/yr, productivity +5 %/yr: growth gap 3 points > 1 point margin.
    wages = _series([100, 102, 104.04])
    prod = _series([100, 105, 110.25])
    lag = w.divergence(wages, prod, years=3, margin=0.01)
    assert lag.status is w.Status.ALERT
    assert lag.statistic == pytest.approx(0.03)
    assert w.divergence(wages, {}, years=3, margin=0.01).status is w.Status.NO_DATA
    assert w.widening(_series([0.10, 0.11, 0.12]), years=3, min_rise=0.005).status is (
        w.Status.ALERT
    )
    with pytest.raises(ValueError, match="min_rate"):
        w.trend(_series([1, 2]), years=2, min_rate=0)


def test_every_sample_rule_is_labelled_and_reports(session: Session) -> None:
    report = service.evaluate_alerts(session)
    assert [r.rule.id for r in report.results] == [r.id for r in w.SAMPLE_RULES]
    assert all(r.rule.sample and r.rule.id.startswith("sample.") for r in report.results)
    by_id = {r.rule.id: r for r in report.results}
    # The bundled statistics are one year (2019) and no wages: every rule says no data.
    assert report.alerts == 0
    assert set(report.rules_without_data) == set(by_id)
    wage = by_id["sample.wage_lags_productivity"]
    assert "average_wage" in wage.no_data_reason
    # The catalog's data gap says why nothing ships, not only that nothing is stored.
    assert "openly licensed" in by_id["sample.wage_lags_profit"].no_data_reason
    assert "labour_productivity" in wage.no_data_reason
    assert wage.no_data_reason_zh
    gini = by_id["sample.city_gini_widening"]
    assert gini.units_evaluated == 1
    assert "1 year(s)" in gini.no_data_reason


def _import_history(session: Session, clock: Clock) -> None:
    """Test-only GDP for 2017 and 2018 (1.2x and 1.1x of 2019) and 2019's population for both."""
    rows = ["code,indicator,year,value,unit,source"]
    for r in CITIES:
        gdp, pop = float(r["gdp_2019_100m_yuan"]), float(r["pop_resident_2019_10k"])
        for year, k in ((2017, 1.2), (2018, 1.1)):
            rows.append(f"{r['code']},gdp,{year},{gdp * k},100m yuan,test table")
            rows.append(f"{r['code']},population_resident,{year},{pop},10k persons,test table")
    service.import_yearbook(
        session, content="\n".join(rows).encode(), filename="t.csv", actor=ALICE, clock=clock
    )


def test_a_falling_series_gives_alerts_with_their_data(session: Session, clock: Clock) -> None:
    _import_history(session, clock)
    report = service.evaluate_alerts(session)
    by_id = {r.rule.id: r for r in report.results}
    falling = by_id["sample.gdp_per_capita_falling"]
    assert falling.status == "alert"
    assert len(falling.alerts) == 41
    first = falling.alerts[0]
    assert first.years == [2017, 2018, 2019]
    assert first.values[0] > first.values[1] > first.values[2]
    assert any("test table" in s for s in first.sources)
    assert falling.rule.params["years"] == 3
    # Same factor for every city: the gaps do not move, so the widening rules are clear.
    assert by_id["sample.city_gini_widening"].status == "clear"
    assert by_id["sample.province_gap_widening"].status == "clear"
    assert by_id["sample.wage_lags_profit"].status == "no_data"


def test_api_alerts(client: TestClient) -> None:
    r = client.get("/api/v1/economy/alerts")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"][0]["rule"]["description_zh"]
    assert body["results"][0]["rule"]["description_en"]
    assert body["rules_without_data"]


def test_cli_alerts_json(engine: Engine, tmp_path: Path) -> None:
    env = {
        "DYRD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DYRD_LEDGER_KEY_PATH": str(tmp_path / "ledger.pem"),
        "DYRD_LOG_JSON": "false",
    }
    result = CliRunner().invoke(cli_app, ["economy", "alerts", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["status"] for r in data["results"]} <= {"alert", "clear", "no_data"}
    table = CliRunner().invoke(cli_app, ["economy", "alerts"], env=env)
    assert table.exit_code == 0, table.output


def test_wage_rules_run_on_imported_productivity_and_profit(session: Session, clock: Clock) -> None:
    # Test-only series 2020-2022: GDP +8 %/yr with flat employment (productivity +8 %/yr),
    # wages +2 %/yr, industrial profit +1 %/yr.
    rows = ["code,indicator,year,value,unit,source"]
    for r in CITIES[:5]:
        for t, year in enumerate((2020, 2021, 2022)):
            rows += [
                f"{r['code']},gdp,{year},{1000 * 1.08**t},100m yuan,test table",
                f"{r['code']},employment,{year},500,10k persons,test table",
                f"{r['code']},average_wage,{year},{90000 * 1.02**t},yuan,test table",
                f"{r['code']},industrial_profit,{year},{300 * 1.01**t},100m yuan,test table",
            ]
    service.import_yearbook(
        session, content="\n".join(rows).encode(), filename="t.csv", actor=ALICE, clock=clock
    )
    by_id = {r.rule.id: r for r in service.evaluate_alerts(session).results}
    lag = by_id["sample.wage_lags_productivity"]
    assert lag.status == "alert"
    assert len(lag.alerts) == 5
    assert lag.alerts[0].statistic == pytest.approx(0.08 - 0.02, abs=1e-9)
    assert by_id["sample.wage_lags_profit"].status == "clear"
