"""notify's PostgreSQL schema as SQLAlchemy Core tables (what the code expects; the
Alembic history in ``migrations/`` creates it, a test keeps the two equal).

- ``notifications``: the inbox; ``id`` is the event id (officers: ``<event id>:<user id>``),
  ``source_id`` the event (or reminder) id, ``email_status`` pending → sent | failed |
  disabled | no-address (``none``: in-app only); a pending row is the email sender's
  queue (``email_to``, ``email_message``, ``email_attempts``, ``email_next_at``), a
  failed one keeps the last SMTP answer in ``email_error``. Indexed per user for the
  newest-first list (keyset on ``created_at, id``), the unread ones (partial index, also
  the unread count), the live stream (``recorded_at``) and the due emails (partial).
- ``preferences``: email on/off per kind, one row per user.
- ``dossiers`` and ``accounts``: projections of the dossier and identity events (the
  owner, code, agency and form address; the address, kind and agency of an account),
  version-guarded; ``accounts`` indexed for "the officers of an agency".
- ``emails``: one delivery record per identity email (activation, reset).
- ``stats``: the mirror of the faust ``stats`` table for ``GET /api/v1/stats``.
- ``processed_events`` (and the unused-by-notify ``outbox``) from shared.pg.tables, indexed
  by ``processed_at`` for pruning,
  ``calendar_overrides`` from shared.pg.calendar.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from shared.pg.calendar import add_calendar_table
from shared.pg.tables import add_common_tables

metadata = sa.MetaData()
add_common_tables(metadata)
add_calendar_table(metadata)
sa.Index("processed_events_by_time", metadata.tables["processed_events"].c.processed_at)

NOW = sa.text("now()")

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("subject", sa.Text),
    sa.Column("code", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.Column("email_status", sa.Text, nullable=False),
    sa.Column("email_at", sa.DateTime(timezone=True)),
    # the email of a row: where, what to render (template, subject, values), how many
    # SMTP attempts so far, when the sender may try next (or reclaim a crashed claim)
    sa.Column("email_to", sa.Text),
    sa.Column("email_message", JSONB),
    sa.Column("email_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("email_next_at", sa.DateTime(timezone=True)),
    sa.Column("email_error", sa.Text),
    sa.Index(
        "notifications_email_due",
        "email_next_at",
        postgresql_where=sa.text("email_status = 'pending'"),
    ),
    sa.Index("notifications_by_user", "user_id", sa.text("created_at DESC"), sa.text("id DESC")),
    sa.Index(
        "notifications_unread_by_user",
        "user_id",
        sa.text("created_at DESC"),
        sa.text("id DESC"),
        postgresql_where=sa.text("NOT read"),
    ),
    sa.Index("notifications_recorded_by_user", "user_id", "recorded_at"),
)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("email", JSONB, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Column("updated_by", sa.Text),
)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.Text),
    sa.Column("owner_id", sa.Text),
    sa.Column("contact_email", sa.Text),
    sa.Column("agency_code", sa.Text),
    sa.Column("procedure_code", sa.Text),
    sa.Column("code", sa.Text),
    sa.Column("appointment_at", sa.Text),  # ISO instant as the event carries it
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("email", sa.Text),
    sa.Column("full_name", sa.Text),
    sa.Column("kind", sa.Text),
    sa.Column("agency_code", sa.Text),
    sa.Column("status", sa.Text),
    sa.Index("accounts_by_agency_kind", "agency_code", "kind"),
)

emails = sa.Table(
    "emails",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # the identity event's id
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("account_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
)

stats = sa.Table(
    "stats",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),  # <agency>|<procedure>
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("procedure_code", sa.Text, nullable=False),
    sa.Column("received", sa.Integer, nullable=False, server_default="0"),
    sa.Column("on_time", sa.Integer, nullable=False, server_default="0"),
    sa.Column("late", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Index("stats_by_agency_procedure", "agency_code", "procedure_code"),
)
