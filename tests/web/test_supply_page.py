"""The /supply page: chains across the delta, decisions, matches and scenarios, zh and en."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.supply.schemas import (
    CertificationCreate,
    JoinRequest,
    NeedCreate,
    OfferCreate,
    ScenarioCreate,
    ScenarioSpec,
)
from dyrd.supply.service import chains, disruption, enterprises, matching
from tests.supply.support import ACTOR, CODES, seed_chain, seed_network


def seed_supply(session: Session, clock: Clock) -> None:
    """The five-firm network, the auto chain with two members and one refusal, a match, and a
    saved Wuxi shutdown scenario."""
    seed_network(session, clock)
    seed_chain(session, clock)
    cert = CertificationCreate(
        name="IATF 16949", valid_from=date(2025, 1, 1), valid_until=date(2028, 1, 1)
    )
    for code in CODES[:2]:
        enterprises.add_certification(session, code, cert, actor=ACTOR, clock=clock)
    for code in CODES[:3]:
        chains.join(
            session, "yrd-auto", JoinRequest(enterprise_code=code), actor=ACTOR, clock=clock
        )
    matching.post_offer(
        session,
        OfferCreate(
            enterprise_code=CODES[1], product_class="C3670", quantity=8, unit="pcs", lead_days=1
        ),
        actor=ACTOR,
        clock=clock,
    )
    matching.post_need(
        session,
        NeedCreate(
            enterprise_code=CODES[0],
            product_class="C36",
            quantity=5,
            unit="pcs",
            max_lead_days=3,
            max_km=300,
        ),
        actor=ACTOR,
        clock=clock,
    )
    spec = ScenarioSpec.model_validate(
        {
            "name": "无锡停产 20 天 / Wuxi shut 20 days",
            "start": "2020-02-01",
            "days": 40,
            "restrictions": [
                {"city": "320200", "start": "2020-02-01", "end": "2020-02-20", "share": 1}
            ],
        }
    )
    disruption.save(session, ScenarioCreate(id="wuxi", spec=spec), actor=ACTOR, clock=clock)


def test_empty_page_says_there_is_nothing_yet(client: TestClient) -> None:
    html = client.get("/supply").text
    assert "供应链治理" in html
    for what in ("chains", "decisions", "matches", "scenarios"):
        assert f'data-nodata="{what}"' in html


def test_page_shows_chains_decisions_matches_and_scenarios(
    client: TestClient, session: Session, clock: Clock
) -> None:
    seed_supply(session, clock)
    html = client.get("/supply").text
    assert 'data-chain="yrd-auto"' in html
    assert html.count('data-outcome="admitted"') == 2
    assert html.count('data-outcome="refused"') == 1
    assert "缺少有效认证" in html
    assert 'id="supply-matches"' in html
    assert 'data-scenario="wuxi"' in html
    assert 'data-field="indirect"' in html
    assert "<polyline" in html
    en = client.get("/supply", params={"lang": "en"}).text
    assert "Supply-chain governance" in en
    assert "no valid certification" in en
    assert "Critical nodes" in en
