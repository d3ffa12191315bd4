"""notify's first schema: the inbox, preferences, the dossier and account projections,
identity email deliveries, statistics, the calendar, processed events."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.pg.calendar import create_calendar_table
from shared.pg.tables import create_common_tables

revision = "0001"
down_revision = None
NOW = sa.text("now()")


def upgrade() -> None:
    create_common_tables(op)
    create_calendar_table(op)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("source_id", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("code", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("email_status", sa.Text, nullable=False),
        sa.Column("email_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "notifications_by_user",
        "notifications",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index(
        "notifications_unread_by_user",
        "notifications",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("NOT read"),
    )
    op.create_index("notifications_recorded_by_user", "notifications", ["user_id", "recorded_at"])
    op.create_table(
        "preferences",
        sa.Column("user_id", sa.Text, primary_key=True),
        sa.Column("email", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_by", sa.Text),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.Text),
        sa.Column("owner_id", sa.Text),
        sa.Column("contact_email", sa.Text),
        sa.Column("agency_code", sa.Text),
        sa.Column("procedure_code", sa.Text),
        sa.Column("code", sa.Text),
        sa.Column("appointment_at", sa.Text),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("full_name", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("agency_code", sa.Text),
        sa.Column("status", sa.Text),
    )
    op.create_index("accounts_by_agency_kind", "accounts", ["agency_code", "kind"])
    op.create_table(
        "emails",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "stats",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("procedure_code", sa.Text, nullable=False),
        sa.Column("received", sa.Integer, nullable=False, server_default="0"),
        sa.Column("on_time", sa.Integer, nullable=False, server_default="0"),
        sa.Column("late", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("stats_by_agency_procedure", "stats", ["agency_code", "procedure_code"])
