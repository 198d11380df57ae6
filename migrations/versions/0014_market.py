"""Market: e-contracts and their signatures, tenders with sealed bids, online auctions.

Revision ID: 0014_market
Revises: 0013_healthcode_policies
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0014_market"
down_revision = "0013_healthcode_policies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_auction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("seller", sa.String(length=128), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("appraised_value", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("starting_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("increment", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("deposit", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("scheduled_end", UtcDateTime(), nullable=False),
        sa.Column("current_end", UtcDateTime(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_auction")),
    )
    op.create_index(op.f("ix_market_auction_seller"), "market_auction", ["seller"])

    op.create_table(
        "market_contract",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=True),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_contract")),
    )
    op.create_index(op.f("ix_market_contract_tender_id"), "market_contract", ["tender_id"])

    op.create_table(
        "market_tender",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("buyer", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("price_weight", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("estimated_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("deposit", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("must_tender", sa.Boolean(), nullable=False),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("reveal_until", UtcDateTime(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.Column("next_id", sa.String(length=36), nullable=True),
        sa.Column("failure_reason", sa.String(length=64), nullable=True),
        sa.Column("award_bid_id", sa.String(length=36), nullable=True),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("opened_at", UtcDateTime(), nullable=True),
        sa.Column("evaluated_at", UtcDateTime(), nullable=True),
        sa.Column("awarded_at", UtcDateTime(), nullable=True),
        sa.Column("commitments_root", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_tender")),
    )
    op.create_index(op.f("ix_market_tender_buyer"), "market_tender", ["buyer"])
    op.create_index(op.f("ix_market_tender_status"), "market_tender", ["status"])

    op.create_table(
        "market_auction_bid",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("auction_id", sa.String(length=36), nullable=False),
        sa.Column("bidder", sa.String(length=128), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("end_after", UtcDateTime(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["market_auction.id"],
            name=op.f("fk_market_auction_bid_auction_id_market_auction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_auction_bid")),
    )
    op.create_index(op.f("ix_market_auction_bid_auction_id"), "market_auction_bid", ["auction_id"])

    op.create_table(
        "market_bid",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("bidder", sa.String(length=128), nullable=False),
        sa.Column("bidder_name", sa.String(length=200), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("deposit_paid", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("deposit_ref", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("salt", sa.String(length=128), nullable=True),
        sa.Column("revealed_at", UtcDateTime(), nullable=True),
        sa.Column("technical_score", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("ledger_seq", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["market_tender.id"], name=op.f("fk_market_bid_tender_id_market_tender")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_bid")),
        sa.UniqueConstraint("tender_id", "bidder", name=op.f("uq_market_bid_tender_id_bidder")),
    )
    op.create_index(op.f("ix_market_bid_tender_id"), "market_bid", ["tender_id"])

    op.create_table(
        "market_clarification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tender_id", sa.String(length=36), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=128), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["market_tender.id"],
            name=op.f("fk_market_clarification_tender_id_market_tender"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_clarification")),
    )
    op.create_index(
        op.f("ix_market_clarification_tender_id"), "market_clarification", ["tender_id"]
    )

    op.create_table(
        "market_contract_signature",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("party", sa.String(length=128), nullable=False),
        sa.Column("signer", sa.String(length=128), nullable=False),
        sa.Column("signer_role", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("ledger_leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_for", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["market_contract.id"],
            name=op.f("fk_market_contract_signature_contract_id_market_contract"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_contract_signature")),
        sa.UniqueConstraint(
            "contract_id", "party", name=op.f("uq_market_contract_signature_contract_id_party")
        ),
    )
    op.create_index(
        op.f("ix_market_contract_signature_contract_id"),
        "market_contract_signature",
        ["contract_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_market_contract_signature_contract_id"), table_name="market_contract_signature"
    )

    op.drop_table("market_contract_signature")
    op.drop_index(op.f("ix_market_clarification_tender_id"), table_name="market_clarification")

    op.drop_table("market_clarification")
    op.drop_index(op.f("ix_market_bid_tender_id"), table_name="market_bid")

    op.drop_table("market_bid")
    op.drop_index(op.f("ix_market_auction_bid_auction_id"), table_name="market_auction_bid")

    op.drop_table("market_auction_bid")
    op.drop_index(op.f("ix_market_tender_status"), table_name="market_tender")
    op.drop_index(op.f("ix_market_tender_buyer"), table_name="market_tender")

    op.drop_table("market_tender")
    op.drop_index(op.f("ix_market_contract_tender_id"), table_name="market_contract")

    op.drop_table("market_contract")
    op.drop_index(op.f("ix_market_auction_seller"), table_name="market_auction")

    op.drop_table("market_auction")
