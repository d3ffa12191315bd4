"""identity's first schema: accounts, sessions, throttle counters, used captchas and the
outbox (written by hand; the column lists are shared with adapters/tables.py)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.pg.tables import create_common_tables

revision = "0001"
down_revision = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_common_tables(op)
    op.create_table(
        "accounts",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("email_key", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("agency_code", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("activation_token_hash", sa.Text),
        sa.Column("activation_expires_at", TS),
        sa.Column("reset_token_hash", sa.Text),
        sa.Column("reset_expires_at", TS),
        sa.Column("login_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("login_not_before", TS),
        sa.Column("login_locked_at_failures", sa.Integer),
        sa.Column("last_login_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.UniqueConstraint("email_key", name="accounts_email_key_unique"),
    )
    op.create_index("accounts_kind_agency", "accounts", ["kind", "agency_code"])
    op.create_index(
        "accounts_activation_token",
        "accounts",
        ["activation_token_hash"],
        postgresql_where=sa.text("activation_token_hash IS NOT NULL"),
    )
    op.create_index(
        "accounts_reset_token",
        "accounts",
        ["reset_token_hash"],
        postgresql_where=sa.text("reset_token_hash IS NOT NULL"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("account_id", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column(
            "previous_hashes",
            ARRAY(sa.Text),
            nullable=False,
            server_default=sa.text("'{}'::text[]"),
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("rotated_at", TS),
        sa.Column("revoked_at", TS),
    )
    op.create_index("sessions_account", "sessions", ["account_id"])
    op.create_table(
        "throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "captchas_used",
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("captchas_used_expiry", "captchas_used", ["expires_at"])
