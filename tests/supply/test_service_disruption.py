"""Disruption scenarios on the stored network: restrictions by period and by response level."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.supply.adapters.scenario_file import LevelRestrictions, ScenarioFileRestrictions
from dyrd.supply.errors import InvalidInput, SupplyConflict
from dyrd.supply.schemas import ScenarioCreate, ScenarioSpec
from dyrd.supply.service import disruption
from tests.supply.support import ACTOR, CODES, seed_chain, seed_network

START = date(2020, 2, 1)


def spec(**kw: Any) -> ScenarioSpec:
    base: dict[str, Any] = {"name": "Wuxi shutdown", "start": START, "days": 40}
    base.update(kw)
    return ScenarioSpec.model_validate(base)


def test_shutting_the_chip_supplier_hits_its_customers_after_their_buffers(
    session: Session, clock: Clock
) -> None:
    seed_network(session, clock)
    shut = {"city": "320200", "start": START, "end": START + timedelta(days=19), "share": 1.0}
    report = disruption.run(session, spec(restrictions=[shut]))
    assert report.nodes == 5
    assert report.links == 5
    by_city = {c.key: c for c in report.cities}
    assert by_city["320200"].direct > 0
    # Only Wuxi is restricted; Suzhou and Hefei buy its chips, Shanghai buys from them.
    for city in ("320500", "340100", "310000"):
        assert by_city[city].direct == 0
        assert by_city[city].indirect > 0
    assert report.critical[0].enterprise_code == CODES[2]
    assert report.critical[0].bottleneck_loss > 0
    assert report.daily_output_share[0] < 1
    assert min(report.daily_output_share) < report.daily_output_share[0]
    # A buffer longer than the shutdown absorbs it: no indirect loss.
    calm = disruption.run(session, spec(restrictions=[shut], buffer_days=30))
    assert calm.indirect == pytest.approx(0, abs=1e-9)
    assert calm.direct == pytest.approx(report.direct)


def test_response_levels_become_restrictions_through_the_share_table(
    session: Session, clock: Clock
) -> None:
    seed_network(session, clock)
    level = {"jurisdiction": "320000", "start": START, "end": START + timedelta(days=9), "level": 1}
    report = disruption.run(session, spec(levels=[level], level_shares={"1": 0.5}, days=10))
    # Jiangsu's three firms lose half their capacity for 10 days: direct = 0.5 * output * 10.
    by_city = {c.key: c for c in report.cities}
    assert set(by_city) == {"310000", "320500", "320200", "330200", "340100"}
    assert by_city["330200"].direct == 0
    assert by_city["320500"].direct > 0
    with pytest.raises(ValidationError, match="level_shares"):
        spec(levels=[level])


def test_an_outside_level_source_is_applied(session: Session, clock: Clock) -> None:
    seed_network(session, clock)

    class Shanghai:
        def level(self, city: str, day: date) -> int | None:
            return 2 if city == "310000" else None

    extra = LevelRestrictions(Shanghai(), {2: 0.25})
    report = disruption.run(session, spec(days=5), extra=extra)
    assert {c.key for c in report.cities if c.direct > 0} == {"310000"}
    shares = extra.shares(["310000", "320200"], START, 2)
    np.testing.assert_array_equal(shares, [[0.25, 0], [0.25, 0]])


def test_chain_scope_saved_scenarios_and_refusals(session: Session, clock: Clock) -> None:
    with pytest.raises(InvalidInput):
        disruption.run(session, spec())  # no network yet
    seed_network(session, clock)
    seed_chain(session, clock)
    with pytest.raises(InvalidInput):
        disruption.run(session, spec(chain="yrd-auto"))  # a chain without members
    saved = disruption.save(
        session, ScenarioCreate(id="wuxi", spec=spec()), actor=ACTOR, clock=clock
    )
    assert saved.spec.buffer_days == 9
    assert [s.id for s in disruption.list_scenarios(session)] == ["wuxi"]
    assert disruption.run_saved(session, "wuxi").total == pytest.approx(0, abs=1e-9)
    with pytest.raises(SupplyConflict):
        disruption.save(session, ScenarioCreate(id="wuxi", spec=spec()), actor=ACTOR, clock=clock)
    with pytest.raises(ValidationError):
        spec(
            restrictions=[
                {"city": "320200", "start": START, "end": START - timedelta(1), "share": 1}
            ]
        )


def test_a_scenario_file_is_a_restriction_source(
    session: Session, clock: Clock, tmp_path: Path
) -> None:
    seed_network(session, clock)
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "name": "Hefei plan",
                "start": "2020-02-01",
                "days": 10,
                "restrictions": [
                    {"city": "340100", "start": "2020-02-01", "end": "2020-02-05", "share": 0.5}
                ],
                "levels": [
                    {
                        "jurisdiction": "330000",
                        "start": "2020-02-03",
                        "end": "2020-02-03",
                        "level": 2,
                    }
                ],
                "level_shares": {"2": 0.2},
            }
        )
    )
    source = ScenarioFileRestrictions(plan)
    shares = source.shares(["340100", "330200"], START, 4)
    np.testing.assert_array_equal(shares, [[0.5, 0], [0.5, 0], [0.5, 0.2], [0.5, 0]])
    report = disruption.run(session, spec(days=10), extra=source)
    assert {c.key for c in report.cities if c.direct > 0} == {"340100", "330200"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InvalidInput):
        ScenarioFileRestrictions(bad)
