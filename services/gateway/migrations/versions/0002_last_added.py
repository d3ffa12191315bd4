"""Rate counters are hit in batches: each row says how many of the last batch it took."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column(
        "rate_counters",
        sa.Column("last_added", sa.Integer, nullable=False, server_default="0"),
    )
