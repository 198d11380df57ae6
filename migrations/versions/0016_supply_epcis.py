"""Supply chain: EPCIS 2.0 capture jobs, events (original JSON + indexed query fields), their EPCs,
and named queries.

Revision ID: 0016_supply_epcis
Revises: 0015_market_risk
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dyrd.core.db import UtcDateTime

revision = "0016_supply_epcis"
down_revision = "0015_market_risk"
branch_labels = None
depends_on = None

CAPTURE = "supply_epcis_capture"
EVENT = "supply_epcis_event"
EPC = "supply_epcis_event_epc"
NAMED = "supply_epcis_named_query"


def _created() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_for", sa.String(128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        CAPTURE,
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        *_created(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{CAPTURE}")),
    )
    op.create_table(
        EVENT,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("capture_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(400), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("event_time", UtcDateTime(), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(6), nullable=False),
        sa.Column("record_time", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(8), nullable=True),
        sa.Column("biz_step", sa.String(400), nullable=True),
        sa.Column("disposition", sa.String(400), nullable=True),
        sa.Column("read_point", sa.String(400), nullable=True),
        sa.Column("biz_location", sa.String(400), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["capture_id"], [f"{CAPTURE}.id"], name=op.f(f"fk_{EVENT}_capture_id_{CAPTURE}")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{EVENT}")),
    )
    for column in ("capture_id", "event_id"):
        op.create_index(op.f(f"ix_{EVENT}_{column}"), EVENT, [column])
    for column in ("biz_step", "disposition", "read_point"):
        op.create_index(op.f(f"ix_{EVENT}_{column}"), EVENT, [column])
    op.create_index("ix_supply_epcis_event_type_time", EVENT, ["event_type", "event_time"])
    op.create_index("ix_supply_epcis_event_location_time", EVENT, ["biz_location", "event_time"])
    op.create_index("ix_supply_epcis_event_time_id", EVENT, ["event_time", "id"])
    op.create_index("ix_supply_epcis_event_record_id", EVENT, ["record_time", "id"])
    op.create_table(
        EPC,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_pk", sa.Integer(), nullable=False),
        sa.Column("epc", sa.String(400), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("is_class", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(8), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_pk"], [f"{EVENT}.id"], name=op.f(f"fk_{EPC}_event_pk_{EVENT}")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{EPC}")),
    )
    op.create_index(op.f(f"ix_{EPC}_event_pk"), EPC, ["event_pk"])
    op.create_index("ix_supply_epcis_event_epc_epc_event", EPC, ["epc", "event_pk"])
    op.create_table(
        NAMED,
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        *_created(),
        sa.PrimaryKeyConstraint("name", name=op.f(f"pk_{NAMED}")),
    )


def downgrade() -> None:
    op.drop_table(NAMED)
    op.drop_index("ix_supply_epcis_event_epc_epc_event", table_name=EPC)
    op.drop_index(op.f(f"ix_{EPC}_event_pk"), table_name=EPC)
    op.drop_table(EPC)
    op.drop_index("ix_supply_epcis_event_location_time", table_name=EVENT)
    op.drop_index("ix_supply_epcis_event_type_time", table_name=EVENT)
    op.drop_index("ix_supply_epcis_event_record_id", table_name=EVENT)
    op.drop_index("ix_supply_epcis_event_time_id", table_name=EVENT)
    for column in ("read_point", "disposition", "biz_step"):
        op.drop_index(op.f(f"ix_{EVENT}_{column}"), table_name=EVENT)
    op.drop_index(op.f(f"ix_{EVENT}_event_id"), table_name=EVENT)
    op.drop_index(op.f(f"ix_{EVENT}_capture_id"), table_name=EVENT)
    op.drop_table(EVENT)
    op.drop_table(CAPTURE)
