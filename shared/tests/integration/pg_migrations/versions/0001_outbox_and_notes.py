"""A test history: the common tables, the calendar and one versioned read model."""

import sqlalchemy as sa
from alembic import op

from shared.pg.calendar import create_calendar_table
from shared.pg.tables import create_common_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_common_tables(op)
    create_calendar_table(op)
    op.create_table(
        "notes",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
    )
