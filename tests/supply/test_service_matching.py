"""Matching open offers and needs stored in the database, with the region's city centroids."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.supply.errors import SupplyConflict, SupplyNotFound
from dyrd.supply.schemas import NeedCreate, OfferCreate
from dyrd.supply.service import matching
from tests.supply.support import ACTOR, CODES, seed_network


def test_offers_and_needs_match_across_the_region(session: Session, clock: Clock) -> None:
    seed_network(session, clock)
    near = matching.post_offer(
        session,
        OfferCreate(
            enterprise_code=CODES[1], product_class="C3670", quantity=300, unit="pcs", lead_days=2
        ),
        actor=ACTOR,
        clock=clock,
    )
    far = matching.post_offer(
        session,
        OfferCreate(
            enterprise_code=CODES[4], product_class="C3670", quantity=1000, unit="pcs", lead_days=4
        ),
        actor=ACTOR,
        clock=clock,
    )
    matching.post_offer(  # another unit never matches a need in pcs
        session,
        OfferCreate(
            enterprise_code=CODES[3], product_class="C3670", quantity=9, unit="t", lead_days=1
        ),
        actor=ACTOR,
        clock=clock,
    )
    need = matching.post_need(
        session,
        NeedCreate(
            enterprise_code=CODES[0],
            product_class="C367",
            quantity=500,
            unit="pcs",
            max_lead_days=5,
            max_km=500,
        ),
        actor=ACTOR,
        clock=clock,
    )
    report = matching.match(session)
    # near: 0.5 * 300/500 + 0.3 * (1 - ~85/500) + 0.2 * (1 - 2/5) ~ 0.67;
    # far (Hefei, ~400 km): 0.5 * 1 + 0.3 * (1 - ~400/500) + 0.2 * (1 - 4/5) ~ 0.60.
    assert [(m.offer_id, m.quantity) for m in report.matches] == [(near.id, 300), (far.id, 200)]
    first = report.matches[0]
    assert first.supplier_city == "320500"
    assert first.buyer_city == "310000"
    assert 50 < first.distance_km < 150  # Suzhou-Shanghai centroids
    assert report.matches[1].distance_km > first.distance_km
    assert report.unmatched_needs == []
    assert "km" in first.explanation
    assert "公里" in first.explanation_zh
    assert matching.match(session, product_class="C39").matches == []

    matching.close(session, "need", need.id)
    assert matching.match(session).matches == []
    with pytest.raises(SupplyConflict):
        matching.close(session, "need", need.id)
    with pytest.raises(SupplyNotFound):
        matching.close(session, "offer", "nope")
