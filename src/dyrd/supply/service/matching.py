"""Use cases: post offers and needs, close them, and match the open ones across the region."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.supply.compute import matching
from dyrd.supply.errors import SupplyConflict, SupplyNotFound
from dyrd.supply.models import Need, Offer
from dyrd.supply.repository import OPEN, SupplyRepository
from dyrd.supply.schemas import MatchRead, MatchReport, NeedCreate, NeedRead, OfferCreate, OfferRead
from dyrd.supply.service.enterprises import check_city, city_codes, parse_code, parse_gtin, require

CLOSED = "closed"


def post_offer(session: Session, data: OfferCreate, *, actor: Actor, clock: Clock) -> OfferRead:
    """Post an offer (from the enterprise's city unless another city is given)."""
    repo = SupplyRepository(session)
    ent = require(repo, parse_code(data.enterprise_code, "enterprise_code"))
    city = data.city_code or ent.city_code
    check_city(session, city)
    row = Offer(
        id=str(uuid.uuid4()),
        enterprise_code=ent.code,
        product_class=data.product_class,
        gtin=None if data.gtin is None else parse_gtin(data.gtin),
        quantity=data.quantity,
        unit=data.unit,
        lead_days=data.lead_days,
        city_code=city,
        status=OPEN,
    )
    repo.add(row, actor, clock())
    out = OfferRead.model_validate(row)
    session.commit()
    return out


def post_need(session: Session, data: NeedCreate, *, actor: Actor, clock: Clock) -> NeedRead:
    """Post a need."""
    repo = SupplyRepository(session)
    ent = require(repo, parse_code(data.enterprise_code, "enterprise_code"))
    city = data.city_code or ent.city_code
    check_city(session, city)
    row = Need(
        id=str(uuid.uuid4()),
        enterprise_code=ent.code,
        product_class=data.product_class,
        quantity=data.quantity,
        unit=data.unit,
        max_lead_days=data.max_lead_days,
        max_km=data.max_km,
        city_code=city,
        status=OPEN,
    )
    repo.add(row, actor, clock())
    out = NeedRead.model_validate(row)
    session.commit()
    return out


def close(session: Session, kind: str, item_id: str) -> None:
    """Close an open offer or need (it no longer takes part in matching)."""
    repo = SupplyRepository(session)
    row = repo.offer(item_id) if kind == "offer" else repo.need(item_id)
    if row is None:
        raise SupplyNotFound(
            f"No {kind} {item_id!r}.", f"没有该{'供给' if kind == 'offer' else '需求'}：{item_id}。"
        )
    if row.status != OPEN:
        raise SupplyConflict(f"The {kind} is already closed.", "该条目已关闭。")
    row.status = CLOSED
    session.commit()


def list_offers(session: Session) -> list[OfferRead]:
    """Open offers."""
    return [OfferRead.model_validate(o) for o in SupplyRepository(session).open_offers()]


def list_needs(session: Session) -> list[NeedRead]:
    """Open needs."""
    return [NeedRead.model_validate(n) for n in SupplyRepository(session).open_needs()]


def match(session: Session, *, product_class: str | None = None) -> MatchReport:
    """Match every open offer with every open need (of one class if given), explained."""
    repo = SupplyRepository(session)
    offers = [
        o
        for o in repo.open_offers()
        if product_class is None or o.product_class.startswith(product_class)
    ]
    needs = [
        n
        for n in repo.open_needs()
        if product_class is None or n.product_class.startswith(product_class)
    ]
    # Quantities only match within a unit: the unit is part of the class key.
    by_id_o = {o.id: o for o in offers}
    by_id_n = {n.id: n for n in needs}
    coords = city_codes(session)
    results: list[matching.Match] = []
    for unit in sorted({o.unit for o in offers} & {n.unit for n in needs}):
        results.extend(
            matching.match(
                [
                    matching.Offer(
                        o.id,
                        o.enterprise_code,
                        o.product_class,
                        o.quantity,
                        o.lead_days,
                        o.city_code,
                    )
                    for o in offers
                    if o.unit == unit
                ],
                [
                    matching.Need(
                        n.id,
                        n.enterprise_code,
                        n.product_class,
                        n.quantity,
                        n.max_lead_days,
                        n.max_km,
                        n.city_code,
                    )
                    for n in needs
                    if n.unit == unit
                ],
                coords,
            )
        )
    results.sort(key=lambda m: (-m.score, m.distance_km, m.offer, m.need))
    filled: dict[str, float] = {}
    rows = []
    for m in results:
        o, n = by_id_o[m.offer], by_id_n[m.need]
        filled[n.id] = filled.get(n.id, 0.0) + m.quantity
        rows.append(
            MatchRead(
                offer_id=o.id,
                need_id=n.id,
                supplier=o.enterprise_code,
                buyer=n.enterprise_code,
                supplier_city=o.city_code,
                buyer_city=n.city_code,
                product_class=o.product_class,
                quantity=m.quantity,
                unit=o.unit,
                score=m.score,
                distance_km=m.distance_km,
                lead_days=m.lead_days,
                coverage=m.coverage,
                explanation=m.explanation,
                explanation_zh=m.explanation_zh,
            )
        )
    w_q, w_d, w_t = matching.DEFAULT_WEIGHTS
    return MatchReport(
        weights={"coverage": w_q, "distance": w_d, "lead_time": w_t},
        matches=rows,
        unmatched_needs=sorted(n.id for n in needs if filled.get(n.id, 0.0) < n.quantity),
    )
