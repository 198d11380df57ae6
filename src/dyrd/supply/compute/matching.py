"""Supply-demand matching across the region: product class, quantity, distance, lead time.

Each need is compatible with an offer when the offer's product class equals the need's class or
refines it (a GB/T 4754-2017 class code, or any hierarchical code, whose prefix is the need's),
the offer's lead time is within the need's limit and the great-circle distance between their
cities is within the need's limit. Compatible pairs are scored

    score = w_q * coverage + w_d * (1 - distance / max_distance) + w_t * (1 - lead / max_lead)

(coverage = share of the need the offer can fill) and allocated greedily in a total order
(score desc, distance asc, lead time asc, offer id, need id), so the result never depends on
input order. Greedy allocation is a deliberate choice over min-cost flow: every allocation has
a local explanation ("best remaining pair"), which the platform shows to both parties.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG, Moritz 2000, Geodetic Reference System 1980)."""

DEFAULT_WEIGHTS = (0.5, 0.3, 0.2)
"""Weights of coverage, distance and lead time: a platform policy choice, not an estimate
(quantity first, then proximity, then speed); callers may pass their own."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A supply offer: ``quantity`` units of ``product_class`` from ``city`` in ``lead_days``."""

    id: str
    enterprise: str
    product_class: str
    quantity: float
    lead_days: float
    city: str


@dataclass(frozen=True, slots=True)
class Need:
    """A need: ``quantity`` units, delivered within ``max_lead_days`` from ``max_km`` away."""

    id: str
    enterprise: str
    product_class: str
    quantity: float
    max_lead_days: float
    max_km: float
    city: str


@dataclass(frozen=True, slots=True)
class Match:
    """One allocation with its criteria and a bilingual explanation."""

    offer: str
    need: str
    quantity: float
    score: float
    distance_km: float
    lead_days: float
    coverage: float
    explanation: str
    explanation_zh: str


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points in degrees."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def class_fits(offer_class: str, need_class: str) -> bool:
    """The offer's class is the need's class or one of its sub-classes."""
    return offer_class.startswith(need_class)


def match(
    offers: Sequence[Offer],
    needs: Sequence[Need],
    coords: Mapping[str, tuple[float, float]],
    *,
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS,
) -> list[Match]:
    """Allocate offers to needs; each match says why. Same-enterprise pairs are skipped."""
    w_q, w_d, w_t = weights
    candidates: list[tuple[float, float, float, str, str, Offer, Need]] = []
    for need in needs:
        for offer in offers:
            if offer.enterprise == need.enterprise:
                continue
            if not class_fits(offer.product_class, need.product_class):
                continue
            if offer.lead_days > need.max_lead_days:
                continue
            dist = haversine_km(coords[offer.city], coords[need.city])
            if dist > need.max_km:
                continue
            coverage = min(offer.quantity, need.quantity) / need.quantity
            d_term = 1.0 - dist / need.max_km if need.max_km > 0 else 1.0
            t_term = 1.0 - offer.lead_days / need.max_lead_days if need.max_lead_days > 0 else 1.0
            score = w_q * coverage + w_d * d_term + w_t * t_term
            candidates.append((-score, dist, offer.lead_days, offer.id, need.id, offer, need))
    candidates.sort(key=lambda c: c[:5])
    left_offer = {o.id: o.quantity for o in offers}
    left_need = {n.id: n.quantity for n in needs}
    out: list[Match] = []
    for neg_score, dist, lead, _, _, offer, need in candidates:
        qty = min(left_offer[offer.id], left_need[need.id])
        if qty <= 0:
            continue
        left_offer[offer.id] -= qty
        left_need[need.id] -= qty
        coverage = qty / need.quantity
        out.append(
            Match(
                offer=offer.id,
                need=need.id,
                quantity=qty,
                score=round(-neg_score, 6),
                distance_km=round(dist, 1),
                lead_days=lead,
                coverage=round(coverage, 6),
                explanation=(
                    f"class {offer.product_class} fits {need.product_class}; "
                    f"{qty:g} of {need.quantity:g} units ({coverage:.0%}); "
                    f"{dist:.0f} km of at most {need.max_km:g} km; "
                    f"lead time {lead:g} of at most {need.max_lead_days:g} days; "
                    f"score {-neg_score:.3f}"
                ),
                explanation_zh=(
                    f"品类 {offer.product_class} 符合 {need.product_class}；"
                    f"满足 {qty:g}/{need.quantity:g} 单位（{coverage:.0%}）；"
                    f"距离 {dist:.0f} 公里（上限 {need.max_km:g} 公里）；"
                    f"交货期 {lead:g} 天（上限 {need.max_lead_days:g} 天）；"
                    f"得分 {-neg_score:.3f}"
                ),
            )
        )
    return out
