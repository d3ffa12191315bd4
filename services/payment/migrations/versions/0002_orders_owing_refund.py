"""The late-charge sweep's access path: orders still owing a charge back."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index(
        "orders_owing_refund",
        "orders",
        ["created_at"],
        postgresql_where=sa.text("refund_due > 0"),
    )
