"""The inbox rows carry their email: address, what to render, attempts, the next try and
the last error; the email sender drains the pending ones by ``email_next_at``."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("notifications", sa.Column("email_to", sa.Text))
    op.add_column("notifications", sa.Column("email_message", JSONB))
    op.add_column(
        "notifications", sa.Column("email_attempts", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("notifications", sa.Column("email_next_at", sa.DateTime(timezone=True)))
    op.add_column("notifications", sa.Column("email_error", sa.Text))
    op.create_index(
        "notifications_email_due",
        "notifications",
        ["email_next_at"],
        postgresql_where=sa.text("email_status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("notifications_email_due", "notifications")
    for column in ("email_error", "email_next_at", "email_attempts", "email_message", "email_to"):
        op.drop_column("notifications", column)
