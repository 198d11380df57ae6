"""Disruption runs driven by the epidemic domain's response levels (issue 7 item 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd import epidemic
from dyrd.cli import main as cli_main
from dyrd.core.cliutil import CliState
from dyrd.core.clock import Clock
from dyrd.supply.adapters.epidemic_levels import Declared2020, EpidemicLevels
from dyrd.supply.adapters.scenario_file import LevelRestrictions
from dyrd.supply.cli import build_app
from dyrd.supply.errors import InvalidInput
from dyrd.supply.schemas import ScenarioSpec
from dyrd.supply.service import disruption
from tests.fakes import FakeAuthenticator
from tests.supply.support import API, FIRMS, LINKS, TOKENS, seed_network

# 20 Feb - 4 Mar 2020: Jiangsu and Anhui go from level I to II on 25 Feb, Zhejiang on 2 Mar,
# Shanghai stays at I (the bundled epidemic/data/response_levels_2020.csv).
START = date(2020, 2, 20)
DAYS = 14
TABLE = {"1": 0.6, "2": 0.3, "3": 0.1, "4": 0.0}
CITIES = sorted({f[3] for f in FIRMS})


def spec(**kw: Any) -> ScenarioSpec:
    base: dict[str, Any] = {
        "name": "2020 levels",
        "start": START,
        "days": DAYS,
        "levels_source": "declared-2020",
        "level_shares": TABLE,
    }
    base.update(kw)
    return ScenarioSpec.model_validate(base)


def expected_shares() -> np.ndarray:
    """Shares straight from the epidemic domain's declared periods, by province and day."""
    periods = epidemic.declared_periods()
    out = np.zeros((DAYS, len(CITIES)))
    for t in range(DAYS):
        for j, city in enumerate(CITIES):
            lvl = epidemic.declared_level(periods, city[:2] + "0000", START + timedelta(days=t))
            out[t, j] = 0.0 if lvl is None else TABLE[str(int(lvl))]
    return out


def output_per_day() -> dict[str, float]:
    """Each city's baseline output per day on the test network (sales + final demand)."""
    out = dict.fromkeys(CITIES, 0.0)
    for i, f in enumerate(FIRMS):
        out[f[3]] += f[5] + sum(v for s, _, _, v in LINKS if s == i)
    return out


def test_declared_levels_follow_the_provinces_day_by_day() -> None:
    table = {int(k): v for k, v in TABLE.items()}
    shares = LevelRestrictions(Declared2020(), table).shares(CITIES, START, DAYS)
    np.testing.assert_array_equal(shares, expected_shares())
    col = {c: j for j, c in enumerate(CITIES)}
    feb24, feb25 = ((date(2020, 2, d) - START).days for d in (24, 25))
    # The level changes named in the provinces' notices show up on the right day.
    assert shares[feb24, col["320500"]] == TABLE["1"]
    assert shares[feb25, col["320500"]] == TABLE["2"]
    assert shares[feb25, col["340100"]] == TABLE["2"]
    assert shares[feb25, col["330200"]] == TABLE["1"]
    assert shares[(date(2020, 3, 2) - START).days, col["330200"]] == TABLE["2"]
    assert (shares[:, col["310000"]] == TABLE["1"]).all()
    # No level declared before late January 2020: nothing lost.
    early = LevelRestrictions(Declared2020(), table).shares(CITIES, date(2020, 1, 1), 20)
    assert not early.any()


def test_a_run_driven_by_the_declared_levels(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    report = disruption.run(session, spec(), level_sources=EpidemicLevels())
    expected = expected_shares()
    base = output_per_day()
    by_city = {c.key: c for c in report.cities}
    for j, city in enumerate(CITIES):
        # Direct loss = capacity removed = share lost x the city's baseline output, day by day.
        assert by_city[city].direct == pytest.approx(base[city] * expected[:, j].sum(), rel=1e-6)
    assert report.direct > 0
    assert report.total >= report.direct
    # Same numbers as the same shares given as an outside restriction source.
    table = {int(k): v for k, v in TABLE.items()}
    plain = spec(levels_source=None, level_shares={})
    same = disruption.run(session, plain, extra=LevelRestrictions(Declared2020(), table))
    assert same.model_dump() == report.model_dump()
    # A harsher table loses more.
    harsher = spec(level_shares={"1": 0.9, "2": 0.6, "3": 0.3, "4": 0.1})
    assert disruption.run(session, harsher, level_sources=EpidemicLevels()).total > report.total


def test_a_run_driven_by_the_recommended_levels(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    sources = EpidemicLevels(n_members=40)
    report = disruption.run(session, spec(levels_source="recommended"), level_sources=sources)
    rec = {
        c.code: c.level
        for c in epidemic.response_levels(session, origin=START, n_members=40).cities
    }
    base = output_per_day()
    for row in report.cities:
        assert row.direct == pytest.approx(
            base[row.key] * TABLE[str(rec[row.key])] * DAYS, rel=1e-6
        )


def test_a_source_needs_the_whole_table_and_a_wired_adapter(session: Session, clock: Clock) -> None:
    with pytest.raises(ValidationError, match="level_shares"):
        spec(level_shares={"1": 0.5})
    with pytest.raises(ValidationError):
        spec(levels_source="declared-2021")
    seed_network(session, clock)
    with pytest.raises(InvalidInput):
        disruption.run(session, spec())


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_api_runs_and_refuses(api: TestClient) -> None:
    body = {
        "name": "2020 levels",
        "start": START.isoformat(),
        "days": DAYS,
        "levels_source": "declared-2020",
        "level_shares": TABLE,
    }
    empty = api.post(f"{API}/disruption/run", json=body)
    assert empty.status_code == 422  # no network registered yet: a problem body, not a 500
    assert empty.headers["content-type"].startswith("application/problem+json")
    for bad in (
        body | {"levels_source": "declared-2021"},
        body | {"level_shares": {"1": 0.5}},
        body | {"level_shares": TABLE | {"5": 0.1}},
        body | {"level_shares": TABLE | {"2": 1.5}},
    ):
        r = api.post(f"{API}/disruption/run", json=bad)
        assert r.status_code == 422, (bad, r.text)


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def test_cli_option_drives_a_run(obj: CliState, tmp_path: Path, clock: Clock) -> None:
    with obj.session_factory() as session:
        seed_network(session, clock)
        session.commit()
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"name": "x", "start": START.isoformat(), "days": DAYS}))
    app = build_app()
    runner = CliRunner()
    args = ["disruption", "run", str(scenario), "--json", "--levels-source", "declared-2020"]
    ok = runner.invoke(app, [*args, "--level-shares", "1=0.6,2=0.3,3=0.1,4=0"], obj=obj)
    assert ok.exit_code == 0, (ok.output, ok.exception)
    report = json.loads(ok.output)
    assert report["direct"] > 0
    direct = {c["key"]: c["direct"] for c in report["cities"]}
    base = output_per_day()
    j = CITIES.index("320500")
    assert direct["320500"] == pytest.approx(base["320500"] * expected_shares()[:, j].sum())
    # Without a complete table, or with a malformed one, the run is refused (exit 3 at the root).
    missing = runner.invoke(app, args, obj=obj)
    assert isinstance(missing.exception, InvalidInput)
    malformed = runner.invoke(app, [*args, "--level-shares", "1:0.6"], obj=obj)
    assert isinstance(malformed.exception, InvalidInput)
    assert "级别" in malformed.exception.message_zh
    bad_choice = runner.invoke(app, [*args[:-1], "declared-2021"], obj=obj)
    assert bad_choice.exit_code == 2
    root = runner.invoke(
        cli_main.app,
        ["supply", "disruption", "run", str(scenario), "--level-shares", "x"],
    )
    assert root.exit_code == 3
