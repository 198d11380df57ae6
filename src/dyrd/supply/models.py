"""Tables of the supply domain: enterprises, products, chains, rules, decisions, offers, needs,
supply links and disruption scenarios (the EPCIS tables are in ``epcis_models``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dyrd.core.db import Base, CreatedStamp, UtcDateTime

_ENTERPRISE_FK = "supply_enterprise.code"
_CHAIN_FK = "supply_chain.id"


class Enterprise(CreatedStamp, Base):
    """An enterprise identified by its unified social credit code (GB 32100-2015)."""

    __tablename__ = "supply_enterprise"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    # GB/T 4754-2017 industry class of its main activity (e.g. C3670 auto parts).
    industry: Mapped[str] = mapped_column(String(8))
    credit_grade: Mapped[str | None] = mapped_column(String(1), nullable=True)
    gln: Mapped[str | None] = mapped_column(String(13), nullable=True)
    # Daily sales to final users (value/day) for the disruption model; 0: sells only to firms.
    final_demand_per_day: Mapped[float] = mapped_column(Float, default=0.0)


class Certification(CreatedStamp, Base):
    """A certification an enterprise holds (ISO 9001, IATF 16949, ...)."""

    __tablename__ = "supply_certification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)


class Violation(CreatedStamp, Base):
    """A recorded violation (serious ones are 严重违法失信 listings)."""

    __tablename__ = "supply_violation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(8))
    authority: Mapped[str] = mapped_column(String(200))


class Product(CreatedStamp, Base):
    """A product identified by its GTIN (stored as GTIN-14)."""

    __tablename__ = "supply_product"

    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    product_class: Mapped[str] = mapped_column(String(16), index=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)


class Chain(CreatedStamp, Base):
    """A regional supply chain (e.g. integrated circuits, auto parts) and its current rules."""

    __tablename__ = "supply_chain"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    product_class: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    rule_version: Mapped[int] = mapped_column(Integer)


class ChainRules(CreatedStamp, Base):
    """One version of a chain's join and exit rules (never changed once written)."""

    __tablename__ = "supply_chain_rules"
    __table_args__ = (UniqueConstraint("chain_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[str] = mapped_column(ForeignKey(_CHAIN_FK), index=True)
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[Any] = mapped_column(JSON)


class Membership(Base):
    """An enterprise's membership of a chain: its status and the rule version that admitted it."""

    __tablename__ = "supply_membership"
    __table_args__ = (UniqueConstraint("chain_id", "enterprise_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain_id: Mapped[str] = mapped_column(ForeignKey(_CHAIN_FK), index=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    status: Mapped[str] = mapped_column(String(8))  # member / exited
    rule_version: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    exited_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Decision(CreatedStamp, Base):
    """A join or exit decision with every rule's result and the ledger entry recording it."""

    __tablename__ = "supply_decision"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    chain_id: Mapped[str] = mapped_column(ForeignKey(_CHAIN_FK), index=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(10))
    rule_version: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[date] = mapped_column(Date)
    results: Mapped[Any] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    ledger_seq: Mapped[int] = mapped_column(Integer)


class SupplyLink(CreatedStamp, Base):
    """A standing supply relation: supplier delivers value_per_day of a class to customer."""

    __tablename__ = "supply_link"
    __table_args__ = (UniqueConstraint("supplier_code", "customer_code", "product_class"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    customer_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    product_class: Mapped[str] = mapped_column(String(16))
    value_per_day: Mapped[float] = mapped_column(Float)


class Offer(CreatedStamp, Base):
    """Supply an enterprise offers."""

    __tablename__ = "supply_offer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    product_class: Mapped[str] = mapped_column(String(16), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    lead_days: Mapped[float] = mapped_column(Float)
    city_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(8), index=True)  # open / closed


class Need(CreatedStamp, Base):
    """Demand an enterprise posts."""

    __tablename__ = "supply_need"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey(_ENTERPRISE_FK), index=True)
    product_class: Mapped[str] = mapped_column(String(16), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    max_lead_days: Mapped[float] = mapped_column(Float)
    max_km: Mapped[float] = mapped_column(Float)
    city_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(8), index=True)


class Scenario(CreatedStamp, Base):
    """A saved disruption scenario (restrictions per city and period, model parameters)."""

    __tablename__ = "supply_scenario"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[Any] = mapped_column(JSON)
