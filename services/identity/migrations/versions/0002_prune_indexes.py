"""Indexes for pruning (shared/pg/prune.py): sessions by ``expires_at``, throttle counters
by ``window_start``; identity deletes the ended ones in batches without a scan."""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index("sessions_expiry", "sessions", ["expires_at"])
    op.create_index("throttle_by_window", "throttle", ["window_start"])


def downgrade() -> None:
    op.drop_index("throttle_by_window", "throttle")
    op.drop_index("sessions_expiry", "sessions")
