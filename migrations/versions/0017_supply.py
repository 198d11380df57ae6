"""Supply chain: enterprises, certifications, violations, products, chains with versioned join/exit
rules, memberships, decisions, supply links, offers, needs and disruption scenarios.

Revision ID: 0017_supply
Revises: 0016_supply_epcis
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0017_supply"
down_revision = "0016_supply_epcis"
branch_labels = None
depends_on = None

ENT = "supply_enterprise"
CHAIN = "supply_chain"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.', maxsplit=1)[0]}")
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        ENT,
        sa.Column("code", sa.String(18), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("industry", sa.String(8), nullable=False),
        sa.Column("credit_grade", sa.String(1), nullable=True),
        sa.Column("gln", sa.String(13), nullable=True),
        sa.Column("final_demand_per_day", sa.Float(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("code", name=op.f(f"pk_{ENT}")),
    )
    _index(ENT, "city_code")
    for table, cols in (
        (
            "supply_certification",
            [
                sa.Column("name", sa.String(200), nullable=False),
                sa.Column("valid_from", sa.Date(), nullable=False),
                sa.Column("valid_until", sa.Date(), nullable=False),
            ],
        ),
        (
            "supply_violation",
            [
                sa.Column("occurred_on", sa.Date(), nullable=False),
                sa.Column("severity", sa.String(8), nullable=False),
                sa.Column("authority", sa.String(200), nullable=False),
            ],
        ),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("enterprise_code", sa.String(18), nullable=False),
            *cols,
            *_created(),
            _fk(table, "enterprise_code", f"{ENT}.code"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        _index(table, "enterprise_code")
    op.create_table(
        "supply_product",
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("product_class", sa.String(16), nullable=False),
        sa.Column("enterprise_code", sa.String(18), nullable=False),
        *_created(),
        _fk("supply_product", "enterprise_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_supply_product")),
    )
    _index("supply_product", "product_class", "enterprise_code")
    op.create_table(
        CHAIN,
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("product_class", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{CHAIN}")),
    )
    op.create_table(
        "supply_chain_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        *_created(),
        _fk("supply_chain_rules", "chain_id", f"{CHAIN}.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_chain_rules")),
        sa.UniqueConstraint(
            "chain_id", "version", name=op.f("uq_supply_chain_rules_chain_id_version")
        ),
    )
    _index("supply_chain_rules", "chain_id")
    op.create_table(
        "supply_membership",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.String(64), nullable=False),
        sa.Column("enterprise_code", sa.String(18), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.Column("exited_at", UtcDateTime(), nullable=True),
        _fk("supply_membership", "chain_id", f"{CHAIN}.id"),
        _fk("supply_membership", "enterprise_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_membership")),
        sa.UniqueConstraint(
            "chain_id",
            "enterprise_code",
            name=op.f("uq_supply_membership_chain_id_enterprise_code"),
        ),
    )
    _index("supply_membership", "chain_id", "enterprise_code")
    op.create_table(
        "supply_decision",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("chain_id", sa.String(64), nullable=False),
        sa.Column("enterprise_code", sa.String(18), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        *_created(),
        _fk("supply_decision", "chain_id", f"{CHAIN}.id"),
        _fk("supply_decision", "enterprise_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_decision")),
    )
    _index("supply_decision", "chain_id", "enterprise_code")
    op.create_table(
        "supply_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_code", sa.String(18), nullable=False),
        sa.Column("customer_code", sa.String(18), nullable=False),
        sa.Column("product_class", sa.String(16), nullable=False),
        sa.Column("value_per_day", sa.Float(), nullable=False),
        *_created(),
        _fk("supply_link", "supplier_code", f"{ENT}.code"),
        _fk("supply_link", "customer_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_link")),
        sa.UniqueConstraint(
            "supplier_code",
            "customer_code",
            "product_class",
            name=op.f("uq_supply_link_supplier_code_customer_code_product_class"),
        ),
    )
    _index("supply_link", "supplier_code", "customer_code")
    op.create_table(
        "supply_offer",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("enterprise_code", sa.String(18), nullable=False),
        sa.Column("product_class", sa.String(16), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("lead_days", sa.Float(), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        *_created(),
        _fk("supply_offer", "enterprise_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_offer")),
    )
    _index("supply_offer", "enterprise_code", "product_class", "status")
    op.create_table(
        "supply_need",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("enterprise_code", sa.String(18), nullable=False),
        sa.Column("product_class", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("max_lead_days", sa.Float(), nullable=False),
        sa.Column("max_km", sa.Float(), nullable=False),
        sa.Column("city_code", sa.String(6), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        *_created(),
        _fk("supply_need", "enterprise_code", f"{ENT}.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_need")),
    )
    _index("supply_need", "enterprise_code", "product_class", "status")
    op.create_table(
        "supply_scenario",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_scenario")),
    )


def downgrade() -> None:
    for table in (
        "supply_scenario",
        "supply_need",
        "supply_offer",
        "supply_link",
        "supply_decision",
        "supply_membership",
        "supply_chain_rules",
        CHAIN,
        "supply_product",
        "supply_violation",
        "supply_certification",
        ENT,
    ):
        op.drop_table(table)
