"""The dossier read models, the projector's tracking record, the worker's copies of
other services' data (procedures, agencies, calendar, wallet references, profiles).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.pg.calendar import create_calendar_table

revision = "0001"
down_revision = None
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dossier_list",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, unique=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("status_label", sa.Text, nullable=False),
        sa.Column("national_status_code", sa.Text),
        sa.Column("procedure_code", sa.Text, nullable=False),
        sa.Column("procedure_name", sa.Text),
        sa.Column("agency_code", sa.Text, nullable=False),
        sa.Column("handling_agency", sa.Text),
        sa.Column("agencies", ARRAY(sa.Text), nullable=False),
        sa.Column("assignee", sa.Text),
        sa.Column("applicant", sa.Text),
        sa.Column("search", sa.Text, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("submitted_at", When),
        sa.Column("accepted_at", When),
        sa.Column("appointment_at", When),
        sa.Column("completed_at", When),
        sa.Column("clock_paused", sa.Boolean, nullable=False),
        sa.Column("fee_due", sa.BigInteger),
    )
    op.create_index(
        "dossier_list_owner",
        "dossier_list",
        ["owner_id", sa.text("updated_at DESC"), sa.text("id DESC")],
    )
    op.create_table(
        "dossier_queue",
        sa.Column("agency", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("assignee", sa.Text),
        sa.Column("appointment_at", When),
        sa.Column("submitted_at", When),
        sa.Column("updated_at", When, nullable=False),
    )
    op.create_index(
        "dossier_queue_due", "dossier_queue", ["agency", "stage", "appointment_at", "id"]
    )
    op.create_index(
        "dossier_queue_submitted", "dossier_queue", ["agency", "stage", "submitted_at", "id"]
    )
    op.create_index(
        "dossier_queue_updated", "dossier_queue", ["agency", "stage", "updated_at", "id"]
    )
    op.create_index("dossier_queue_dossier", "dossier_queue", ["id"])
    op.create_table(
        "timelines",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("steps", JSONB, nullable=False),
        sa.Column("public_steps", JSONB, nullable=False),
    )
    op.create_table(
        "projection_tracking",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "procedures",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("procedure_version", sa.Integer, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("data", JSONB),
    )
    op.create_index("procedures_code", "procedures", ["code", sa.text("procedure_version DESC")])
    op.create_table(
        "agencies",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("parent_code", sa.Text),
        sa.Column("tier", sa.Text),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_table(
        "wallet_documents",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("type", sa.Text),
        sa.Column("number", sa.Text),
        sa.Column("issued_on", sa.Text),
        sa.Column("issuer", sa.Text),
        sa.Column("file", JSONB),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("tax_code", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("representative", sa.Text),
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("processed_at", When, nullable=False, server_default=sa.text("now()")),
    )
    create_calendar_table(op)
