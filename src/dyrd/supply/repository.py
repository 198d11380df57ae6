"""The only module that builds queries on a Session for the supply domain's own tables
(EPCIS tables: ``epcis_repository``). Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.supply.models import (
    Certification,
    Chain,
    ChainRules,
    Decision,
    Enterprise,
    Membership,
    Need,
    Offer,
    Product,
    Scenario,
    SupplyLink,
    Violation,
)

MEMBER = "member"
EXITED = "exited"
OPEN = "open"


def stamp(row: object, actor: Actor, at: datetime) -> None:
    """Fill the CreatedStamp columns."""
    row.created_by = actor.user  # type: ignore[attr-defined]
    row.created_for = actor.member  # type: ignore[attr-defined]
    row.created_at = at  # type: ignore[attr-defined]


class SupplyRepository:
    """Queries and inserts of enterprises, chains, decisions, offers, needs and scenarios."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object, actor: Actor, at: datetime) -> None:
        """Insert a stamped row and flush (the caller commits)."""
        stamp(row, actor, at)
        self.session.add(row)
        self.session.flush()

    def add_membership(self, row: Membership) -> None:
        """Insert a membership (no CreatedStamp: the decision row records who and when)."""
        self.session.add(row)
        self.session.flush()

    # enterprises -----------------------------------------------------------------------
    def enterprise(self, code: str) -> Enterprise | None:
        """One enterprise by code."""
        return self.session.get(Enterprise, code)

    def enterprises(
        self, *, city: str | None = None, limit: int = 1000, offset: int = 0
    ) -> Sequence[Enterprise]:
        """Enterprises ordered by code."""
        stmt = select(Enterprise).order_by(Enterprise.code).limit(limit).offset(offset)
        if city is not None:
            stmt = stmt.where(Enterprise.city_code == city)
        return self.session.scalars(stmt).all()

    def enterprises_by_code(self, codes: Sequence[str]) -> dict[str, Enterprise]:
        """Enterprises of the given codes."""
        if not codes:
            return {}
        rows = self.session.scalars(select(Enterprise).where(Enterprise.code.in_(codes)))
        return {r.code: r for r in rows}

    def certifications(self, code: str) -> Sequence[Certification]:
        """Certifications of an enterprise."""
        stmt = (
            select(Certification)
            .where(Certification.enterprise_code == code)
            .order_by(Certification.valid_from, Certification.id)
        )
        return self.session.scalars(stmt).all()

    def violations(self, code: str) -> Sequence[Violation]:
        """Violations of an enterprise."""
        stmt = (
            select(Violation)
            .where(Violation.enterprise_code == code)
            .order_by(Violation.occurred_on, Violation.id)
        )
        return self.session.scalars(stmt).all()

    def activity_dates(self, code: str) -> list[date]:
        """Days the enterprise did something recorded here: offers, needs, supply links."""
        out: list[datetime] = []
        for model in (Offer, Need):
            out.extend(
                self.session.scalars(select(model.created_at).where(model.enterprise_code == code))
            )
        out.extend(
            self.session.scalars(
                select(SupplyLink.created_at).where(
                    (SupplyLink.supplier_code == code) | (SupplyLink.customer_code == code)
                )
            )
        )
        return sorted(d.date() for d in out)

    def product(self, gtin: str) -> Product | None:
        """One product by GTIN-14."""
        return self.session.get(Product, gtin)

    def products(self, *, enterprise: str | None = None) -> Sequence[Product]:
        """Products ordered by GTIN."""
        stmt = select(Product).order_by(Product.gtin)
        if enterprise is not None:
            stmt = stmt.where(Product.enterprise_code == enterprise)
        return self.session.scalars(stmt).all()

    # chains ----------------------------------------------------------------------------
    def chain(self, chain_id: str) -> Chain | None:
        """One chain."""
        return self.session.get(Chain, chain_id)

    def chains(self) -> Sequence[Chain]:
        """All chains by id."""
        return self.session.scalars(select(Chain).order_by(Chain.id)).all()

    def rules(self, chain_id: str, version: int) -> ChainRules | None:
        """One version of a chain's rules."""
        stmt = select(ChainRules).where(
            ChainRules.chain_id == chain_id, ChainRules.version == version
        )
        return self.session.scalars(stmt).one_or_none()

    def membership(self, chain_id: str, code: str) -> Membership | None:
        """The membership row of an enterprise in a chain (current or exited)."""
        stmt = select(Membership).where(
            Membership.chain_id == chain_id, Membership.enterprise_code == code
        )
        return self.session.scalars(stmt).one_or_none()

    def members(self, chain_id: str | None = None) -> Sequence[Membership]:
        """Current members (of one chain or all), by chain then code."""
        stmt = (
            select(Membership)
            .where(Membership.status == MEMBER)
            .order_by(Membership.chain_id, Membership.enterprise_code)
        )
        if chain_id is not None:
            stmt = stmt.where(Membership.chain_id == chain_id)
        return self.session.scalars(stmt).all()

    def chains_of(self, code: str) -> list[str]:
        """Chains an enterprise currently belongs to."""
        stmt = (
            select(Membership.chain_id)
            .where(Membership.enterprise_code == code, Membership.status == MEMBER)
            .order_by(Membership.chain_id)
        )
        return list(self.session.scalars(stmt))

    def decisions(
        self, *, chain_id: str | None = None, enterprise: str | None = None, limit: int = 500
    ) -> Sequence[Decision]:
        """Decisions, newest first (ties by id, so the order is total on every backend)."""
        stmt = select(Decision).order_by(Decision.created_at.desc(), Decision.ledger_seq.desc())
        if chain_id is not None:
            stmt = stmt.where(Decision.chain_id == chain_id)
        if enterprise is not None:
            stmt = stmt.where(Decision.enterprise_code == enterprise)
        return self.session.scalars(stmt.limit(limit)).all()

    # network ---------------------------------------------------------------------------
    def links(self) -> Sequence[SupplyLink]:
        """Every supply link, in a fixed order."""
        return self.session.scalars(select(SupplyLink).order_by(SupplyLink.id)).all()

    def link(self, supplier: str, customer: str, product_class: str) -> SupplyLink | None:
        """One link."""
        stmt = select(SupplyLink).where(
            SupplyLink.supplier_code == supplier,
            SupplyLink.customer_code == customer,
            SupplyLink.product_class == product_class,
        )
        return self.session.scalars(stmt).one_or_none()

    # matching --------------------------------------------------------------------------
    def open_offers(self) -> Sequence[Offer]:
        """Open offers by id."""
        stmt = select(Offer).where(Offer.status == OPEN).order_by(Offer.id)
        return self.session.scalars(stmt).all()

    def open_needs(self) -> Sequence[Need]:
        """Open needs by id."""
        stmt = select(Need).where(Need.status == OPEN).order_by(Need.id)
        return self.session.scalars(stmt).all()

    def offer(self, offer_id: str) -> Offer | None:
        """One offer."""
        return self.session.get(Offer, offer_id)

    def need(self, need_id: str) -> Need | None:
        """One need."""
        return self.session.get(Need, need_id)

    # scenarios -------------------------------------------------------------------------
    def scenario(self, scenario_id: str) -> Scenario | None:
        """One saved scenario."""
        return self.session.get(Scenario, scenario_id)

    def scenarios(self) -> Sequence[Scenario]:
        """Saved scenarios by id."""
        return self.session.scalars(select(Scenario).order_by(Scenario.id)).all()

    def count(self, model: type[object]) -> int:
        """Rows of a table."""
        return int(self.session.scalar(select(func.count()).select_from(model)) or 0)
