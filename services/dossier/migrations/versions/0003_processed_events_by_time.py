"""``processed_events`` indexed by ``processed_at``: the worker deletes the ids older than
the retention in batches (shared/pg/prune.py) without scanning the table.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_index("processed_events_by_time", "processed_events", ["processed_at"])


def downgrade() -> None:
    op.drop_index("processed_events_by_time", "processed_events")
