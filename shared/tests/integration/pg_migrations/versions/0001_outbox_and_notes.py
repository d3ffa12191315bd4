"""A test history: the common tables and one versioned read model."""

import sqlalchemy as sa
from alembic import op

from shared.pg.tables import create_common_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_common_tables(op)
    op.create_table("notes", sa.Column("id", sa.Text, primary_key=True),
                    sa.Column("version", sa.Integer, nullable=False),
                    sa.Column("title", sa.Text, nullable=False))
