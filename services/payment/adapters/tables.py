"""Payment's own tables beside its event store (schema ``pg_schema()``), declared once:
the read model of orders, the projection's position, the working-day calendar.

The event store's tables (``payment_events``, ``notification_tracking``) belong to the
``eventsourcing`` library, which creates them itself in the same schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from shared.pg.calendar import add_calendar_table

metadata = sa.MetaData()

# One row per order, its whole view (what the API lists) in ``view``; the columns are
# what lists filter and sort on.
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("payer_id", sa.Text, nullable=False),
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("dossier_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("refund_due", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("view", JSONB, nullable=False),
    # a citizen's «Giao dịch», newest first (read backwards)
    sa.Index("orders_by_payer", "payer_id", "created_at", "id"),
    # an officer's agency, newest first
    sa.Index("orders_by_agency", "agency_code", "created_at", "id"),
    # a dossier's orders (the dossier pages of the portal, citizen's and officer's)
    sa.Index("orders_by_dossier", "dossier_id", "created_at"),
    # the expiry sweep: unpaid orders, oldest first
    sa.Index("orders_by_status_opened", "status", "created_at"),
    # the late-charge sweep: orders still owing a charge back (few)
    sa.Index(
        "orders_owing_refund",
        "created_at",
        postgresql_where=sa.text("refund_due > 0"),
    ),
)

# Where each projection of the event store's notification log stands; written in the
# transaction of the read-model rows it covers.
projection_positions = sa.Table(
    "projection_positions",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("notification_id", sa.BigInteger, nullable=False),
)

add_calendar_table(metadata)
