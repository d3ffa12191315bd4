"""Catalog's tables (SQLAlchemy Core): what the code expects the migrated schema to be.

Columns for everything a query filters or sorts on (code, status, version, agency,
field, level); JSONB for a version's content, which is only ever read whole. The
search columns of a procedure are its published version's, folded by PostgreSQL
(``search_words``: ``unaccent``, lower case, words split on anything but [0-9a-z]).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB, TSVECTOR

from shared.pg.tables import add_common_tables

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
PUBLISHED = sa.text("status = 'published'")

metadata = sa.MetaData()
add_common_tables(metadata)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("tier", sa.Text, nullable=False),
    sa.Column("parent_code", sa.Text),
    sa.Column("retired", sa.Boolean, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("agencies_by_tier", "tier", "code"),
    sa.Index("agencies_by_parent", "parent_code", "code"),
)

fields = sa.Table(
    "fields",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

calendars = sa.Table(
    "calendars",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),  # calendar-<year>, the events' subject
    sa.Column("year", sa.Integer, nullable=False, unique=True),
    sa.Column("days_off", JSONB, nullable=False),
    sa.Column("working_days", JSONB, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),  # events so far: the events' sequence
    sa.Column("status", sa.Text, nullable=False),  # draft | published | withdrawn
    sa.Column("draft", JSONB, nullable=False),
    sa.Column("draft_revision", sa.Integer, nullable=False),
    sa.Column("published_revision", sa.Integer, nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # the published version as the list and search read it (NULL before the first)
    sa.Column("card", JSONB),
    sa.Column("field_code", sa.Text),
    sa.Column("service_level", sa.SmallInteger),
    sa.Column("agency_codes", ARRAY(sa.Text)),
    sa.Column("s_name", sa.Text),  # ' dang ky khai sinh ': folded words, space-delimited
    sa.Column("s_keywords", sa.Text),  # ' giay khai sinh , ho tich ': one phrase each
    sa.Column("s_accented", sa.Text),  # ' đăng ký khai sinh ': words as written
    sa.Column("name_words", sa.SmallInteger),
    sa.Column("s_document", TSVECTOR),  # every word of name, keywords, field and code
    sa.Index("procedures_listed", "s_name", "code", postgresql_where=PUBLISHED),
    sa.Index("procedures_by_field", "field_code", "s_name", postgresql_where=PUBLISHED),
    sa.Index("procedures_by_level", "service_level", "s_name", postgresql_where=PUBLISHED),
    sa.Index(
        "procedures_by_agency", "agency_codes", postgresql_using="gin", postgresql_where=PUBLISHED
    ),
    sa.Index("procedures_search", "s_document", postgresql_using="gin", postgresql_where=PUBLISHED),
)

procedure_versions = sa.Table(
    "procedure_versions",
    metadata,
    sa.Column("code", sa.Text, sa.ForeignKey("procedures.code"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.Column("content", JSONB, nullable=False),
)

procedure_history = sa.Table(
    "procedure_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("code", sa.Text, sa.ForeignKey("procedures.code"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("entry", JSONB, nullable=False),  # who did what and why
    sa.Index("procedure_history_by_code", "code", "id"),
)

templates = sa.Table(
    "templates",
    metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("content", BYTEA, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
