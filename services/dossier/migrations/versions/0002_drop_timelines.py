"""The ``timelines`` read model goes: it was written by the projector and never read (a
dossier's timeline is rendered from its events, in the same read as the dossier).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.drop_table("timelines")


def downgrade() -> None:
    op.create_table(
        "timelines",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("steps", JSONB, nullable=False),
        sa.Column("public_steps", JSONB, nullable=False),
    )
