"""Shared pieces of the supply tests: valid credit codes, principals, a small regional network."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.supply.compute.credit_code import check_character
from dyrd.supply.schemas import ChainCreate, EnterpriseCreate, LinkCreate
from dyrd.supply.service import chains, enterprises

STEWARD = Principal("sh.steward", {"CN-YRD/GOV/310000": frozenset({Role.DATA_STEWARD})})
VIEWER = Principal("sh.viewer", {"CN-YRD/GOV/310000": frozenset({Role.VIEWER})})
TOKENS = {"steward": STEWARD, "viewer": VIEWER}
ACTOR = Actor("sh.steward", "CN-YRD/GOV/310000")
API = "/api/v1/supply"


def auth(token: str) -> dict[str, str]:
    """Authorization header for one of TOKENS."""
    return {"Authorization": f"Bearer {token}"}


def credit(division: str, serial: int) -> str:
    """A valid credit code of a company registered in ``division`` (made up, check computed)."""
    body = f"91{division}MA{serial:06d}X"
    return body + check_character(body)


# (code, zh, en, city, industry, final demand per day): an auto-parts chain across the delta.
FIRMS = [
    (credit("310000", 1), "上海整车", "Shanghai Vehicles", "310000", "C3610", 60.0),
    (credit("320500", 2), "苏州电控", "Suzhou Controls", "320500", "C3670", 0.0),
    (credit("320200", 3), "无锡芯片", "Wuxi Chips", "320200", "C3973", 5.0),
    (credit("330200", 4), "宁波铸件", "Ningbo Castings", "330200", "C3670", 0.0),
    (credit("340100", 5), "合肥电池", "Hefei Batteries", "340100", "C3841", 5.0),
]
CODES = [f[0] for f in FIRMS]
# supplier, customer, class, value per day
LINKS = [
    (1, 0, "C3670", 20.0),
    (2, 1, "C3973", 10.0),
    (3, 0, "C3670", 15.0),
    (4, 0, "C3841", 25.0),
    (2, 4, "C3973", 5.0),
]
RULES: dict[str, Any] = {
    "join": [
        {"kind": "certification", "any_of": ["IATF 16949"]},
        {"kind": "credit_grade", "at_least": "B"},
        {"kind": "no_serious_violation", "window_days": 365},
        {"kind": "location", "provinces": ["310000", "320000", "330000", "340000"]},
    ],
    "exit": [{"kind": "no_serious_violation", "window_days": 365}],
}


def seed_network(session: Session, clock: Clock) -> None:
    """Register the five firms and their links."""
    for code, zh, en, city, industry, final in FIRMS:
        enterprises.register(
            session,
            EnterpriseCreate(
                code=code,
                name_zh=zh,
                name_en=en,
                city_code=city,
                industry=industry,
                credit_grade="A",  # type: ignore[arg-type]  # validated to CreditGrade
                final_demand_per_day=final,
            ),
            actor=ACTOR,
            clock=clock,
        )
    for s, c, cls, value in LINKS:
        enterprises.add_link(
            session,
            LinkCreate(
                supplier_code=CODES[s],
                customer_code=CODES[c],
                product_class=cls,
                value_per_day=value,
            ),
            actor=ACTOR,
            clock=clock,
        )


def seed_chain(session: Session, clock: Clock) -> None:
    """The auto-parts chain with RULES."""
    chains.create_chain(
        session,
        ChainCreate(
            id="yrd-auto",
            name_zh="长三角汽车零部件链",
            name_en="YRD auto parts",
            product_class="C36",
            rules=RULES,
        ),
        actor=ACTOR,
        clock=clock,
    )
