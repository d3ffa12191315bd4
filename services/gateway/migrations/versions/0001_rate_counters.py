"""The shared rate-limit counters: one unlogged row per (key, window)."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_no", sa.BigInteger, primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
        prefixes=["UNLOGGED"],
    )
    op.create_index("rate_counters_by_window", "rate_counters", ["window_no"])
