"""identity's tables (SQLAlchemy Core): what the code expects its schema to hold.

An account is one row: real columns for what is looked up or changed on its own
(email key, kind and agency, status, token hashes, login counters, the password
hash, the version), JSONB ``data`` for the rest of the account document (profile,
officer roles, the document wallet, the send log), read and written whole. Sessions,
throttle counters and used captchas are rows of their own; events go to the outbox.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.pg.tables import add_common_tables

TS = sa.DateTime(timezone=True)


def account_columns() -> list[Any]:
    return [
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
    ]


def account_indexes() -> list[tuple[str, list[str], dict[str, Any]]]:
    """(name, columns, options): the officer directory and the two emailed tokens."""
    return [
        ("accounts_kind_agency", ["kind", "agency_code"], {}),
        (
            "accounts_activation_token",
            ["activation_token_hash"],
            {"postgresql_where": sa.text("activation_token_hash IS NOT NULL")},
        ),
        (
            "accounts_reset_token",
            ["reset_token_hash"],
            {"postgresql_where": sa.text("reset_token_hash IS NOT NULL")},
        ),
    ]


def session_columns() -> list[Any]:
    return [
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
    ]


def throttle_columns() -> list[Any]:
    return [
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    ]


def attempt_log_columns() -> list[Any]:
    """One row per limited key (domain/limits.py): the attempts that still weigh, and
    when the newest leaves its window (then the row can go)."""
    return [
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("counted", ARRAY(TS), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    ]


def captcha_columns() -> list[Any]:
    return [
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("expires_at", TS, nullable=False),
    ]


def _declare() -> sa.MetaData:
    declared = sa.MetaData()
    add_common_tables(declared)
    accounts = sa.Table("accounts", declared, *account_columns())
    for name, columns, options in account_indexes():
        sa.Index(name, *(accounts.c[c] for c in columns), **options)
    sessions = sa.Table("sessions", declared, *session_columns())
    sa.Index("sessions_account", sessions.c.account_id)
    sa.Index("sessions_expiry", sessions.c.expires_at)  # pruning
    throttle = sa.Table("throttle", declared, *throttle_columns())
    sa.Index("throttle_by_window", throttle.c.window_start)  # pruning
    attempt_logs = sa.Table("attempt_logs", declared, *attempt_log_columns())
    sa.Index("attempt_logs_expiry", attempt_logs.c.expires_at)  # pruning
    captchas = sa.Table("captchas_used", declared, *captcha_columns())
    sa.Index("captchas_used_expiry", captchas.c.expires_at)
    return declared


metadata = _declare()
