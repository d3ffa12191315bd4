"""The dossier service's tables beside its event store (which the ``eventsourcing``
library creates itself in the same schema): the read models, the projector's
tracking record, and the copies of other services' data the worker keeps.

Every read-model row carries the dossier's version, so a late or repeated write is
refused by :func:`shared.pg.effects.upsert_versioned`. Columns are those filtered or
sorted on; nested documents only read whole are JSONB.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.pg.calendar import add_calendar_table

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
metadata = sa.MetaData()
When = sa.DateTime(timezone=True)

dossier_list = sa.Table(
    "dossier_list",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("owner_id", sa.Text, nullable=False),
    sa.Column("code", sa.Text, unique=True),  # none while a draft
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_label", sa.Text, nullable=False),
    sa.Column("national_status_code", sa.Text),
    sa.Column("procedure_code", sa.Text, nullable=False),
    sa.Column("procedure_name", sa.Text),
    sa.Column("agency_code", sa.Text, nullable=False),
    sa.Column("handling_agency", sa.Text),
    sa.Column("agencies", ARRAY(sa.Text), nullable=False),
    sa.Column("assignee", sa.Text),
    sa.Column("applicant", sa.Text),
    sa.Column("search", sa.Text, nullable=False),  # folded: code, applicant, procedure
    sa.Column("created_at", When, nullable=False),
    sa.Column("updated_at", When, nullable=False),
    sa.Column("submitted_at", When),
    sa.Column("accepted_at", When),
    sa.Column("appointment_at", When),
    sa.Column("completed_at", When),
    sa.Column("clock_paused", sa.Boolean, nullable=False),
    sa.Column("fee_due", sa.BigInteger),
    # a citizen's list, newest change first (keyset on updated_at, id)
    sa.Index("dossier_list_owner", "owner_id", sa.text("updated_at DESC"), sa.text("id DESC")),
)

# One row per (dossier in a work queue, agency that sees it): the officers' queues read
# these by the index of their access path, equality first (agency, stage: to_receive,
# working or waiting), then the queue's order; dossiers in no queue have no row.
dossier_queue = sa.Table(
    "dossier_queue",
    metadata,
    sa.Column("agency", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("stage", sa.Text, nullable=False),  # to_receive, working or waiting
    sa.Column("assignee", sa.Text),
    sa.Column("appointment_at", When),
    sa.Column("submitted_at", When),
    sa.Column("updated_at", When, nullable=False),
    sa.Index("dossier_queue_due", "agency", "stage", "appointment_at", "id"),
    sa.Index("dossier_queue_submitted", "agency", "stage", "submitted_at", "id"),
    sa.Index("dossier_queue_updated", "agency", "stage", "updated_at", "id"),
    sa.Index("dossier_queue_dossier", "id"),
)

# How many ``dossier_queue`` rows each (agency, stage, appointment's local date) holds,
# kept exact by triggers on ``dossier_queue`` (migration 0004): the five queue counts read
# these few rows, and count exactly from the queue only today's and the due-soon limit's.
queue_sizes = sa.Table(
    "queue_sizes",
    metadata,
    sa.Column("agency", sa.Text, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("due_day", sa.Date),  # none: no appointment
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.Index(
        "queue_sizes_key",
        "agency",
        "stage",
        "due_day",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
)

# The projector's position in the event store's notification log, committed in the
# transaction of the view updates it covers.
projection_tracking = sa.Table(
    "projection_tracking",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # code@version
    sa.Column("version", sa.BigInteger, nullable=False),  # the catalog event's sequence
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("procedure_version", sa.Integer, nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("data", JSONB),  # the published version, read whole
    sa.Index("procedures_code", "code", sa.text("procedure_version DESC")),
)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # the agency code
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("parent_code", sa.Text),
    sa.Column("tier", sa.Text),
    sa.Column("retired", sa.Boolean, nullable=False),
)

wallet_documents = sa.Table(
    "wallet_documents",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("account_id", sa.Text, nullable=False),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("type", sa.Text),
    sa.Column("number", sa.Text),
    sa.Column("issued_on", sa.Text),
    sa.Column("issuer", sa.Text),
    sa.Column("file", JSONB),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # the account id
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("tax_code", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("address", sa.Text),
    sa.Column("representative", sa.Text),
)

# The public lookup's tries per code (adapters/lookup_attempts.py); a row goes once it
# no longer counts (``expires_at``: the end of its window or of its lock).
lookup_attempts = sa.Table(
    "lookup_attempts",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("since", When, nullable=False),
    sa.Column("locked_until", When),
    sa.Column("expires_at", When, nullable=False),
    sa.Index("lookup_attempts_expiry", "expires_at"),  # pruning
)

processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("processed_at", When, nullable=False, server_default=sa.text("now()")),
    sa.Index("processed_events_by_time", "processed_at"),  # pruning
)

add_calendar_table(metadata)
