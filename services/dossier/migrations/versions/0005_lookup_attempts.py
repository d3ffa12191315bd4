"""``lookup_attempts``: the public lookup's tries per code and its locks, shared by every
API instance; pruned by ``expires_at``.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lookup_attempts",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("since", When, nullable=False),
        sa.Column("locked_until", When),
        sa.Column("expires_at", When, nullable=False),
    )
    op.create_index("lookup_attempts_expiry", "lookup_attempts", ["expires_at"])


def downgrade() -> None:
    op.drop_table("lookup_attempts")
