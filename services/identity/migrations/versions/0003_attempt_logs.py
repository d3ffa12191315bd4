"""The attempt logs of the sliding-window limits on registration, activation-link and
forgotten-password requests (domain/limits.py), pruned by ``expires_at``."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attempt_logs",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("counted", ARRAY(TS), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("attempt_logs_expiry", "attempt_logs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("attempt_logs_expiry", "attempt_logs")
    op.drop_table("attempt_logs")
