"""The read model of orders, the projection's position and the calendar overrides."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.pg.calendar import create_calendar_table

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("payer_id", sa.Text, nullable=False),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("dossier_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("refund_due", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("view", JSONB, nullable=False),
    )
    op.create_index("orders_by_payer", "orders", ["payer_id", "created_at", "id"])
    op.create_index("orders_by_agency", "orders", ["agency_code", "created_at", "id"])
    op.create_index("orders_by_dossier", "orders", ["dossier_id", "created_at"])
    op.create_index("orders_by_status_opened", "orders", ["status", "created_at"])
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("notification_id", sa.BigInteger, nullable=False),
    )
    create_calendar_table(op)
