"""Catalog on PostgreSQL: agencies, fields, the calendar, procedures with their versions and
history, template files, the outbox; the folding functions search uses."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB, TSVECTOR

from shared.pg.tables import create_common_tables

revision = "0001"
down_revision = None
PUBLISHED = sa.text("status = 'published'")


def _functions(schema: str) -> list[str]:
    """unaccent() is STABLE (its dictionary could change): the wrapper names the dictionary
    and is IMMUTABLE, so the folded columns are stable facts; qualified by schema so they
    fold the same whatever the caller's search_path."""
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
        f'CREATE FUNCTION "{schema}".f_unaccent(text) RETURNS text LANGUAGE sql'
        " IMMUTABLE PARALLEL SAFE STRICT"
        " AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
        f'CREATE FUNCTION "{schema}".search_words(text) RETURNS text LANGUAGE sql'
        " IMMUTABLE PARALLEL SAFE STRICT"
        " AS $$ SELECT btrim(regexp_replace("
        f"lower(\"{schema}\".f_unaccent(normalize($1, NFC))), '[^0-9a-z]+', ' ', 'g')) $$",
    ]


def upgrade() -> None:
    schema = op.get_context().version_table_schema
    assert schema is not None, "shared.pg.migrate runs every migration in the service's schema"
    for statement in _functions(schema):
        op.execute(statement)
    create_common_tables(op)
    op.create_table(
        "agencies",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("parent_code", sa.Text),
        sa.Column("retired", sa.Boolean, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("agencies_by_tier", "agencies", ["tier", "code"])
    op.create_index("agencies_by_parent", "agencies", ["parent_code", "code"])
    op.create_table(
        "fields",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "calendars",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, unique=True),
        sa.Column("days_off", JSONB, nullable=False),
        sa.Column("working_days", JSONB, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "procedures",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("draft", JSONB, nullable=False),
        sa.Column("draft_revision", sa.Integer, nullable=False),
        sa.Column("published_revision", sa.Integer, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("card", JSONB),
        sa.Column("field_code", sa.Text),
        sa.Column("service_level", sa.SmallInteger),
        sa.Column("agency_codes", ARRAY(sa.Text)),
        sa.Column("s_name", sa.Text),
        sa.Column("s_keywords", sa.Text),
        sa.Column("s_accented", sa.Text),
        sa.Column("name_words", sa.SmallInteger),
        sa.Column("s_document", TSVECTOR),
    )
    op.create_index(
        "procedures_listed", "procedures", ["s_name", "code"], postgresql_where=PUBLISHED
    )
    op.create_index(
        "procedures_by_field", "procedures", ["field_code", "s_name"], postgresql_where=PUBLISHED
    )
    op.create_index(
        "procedures_by_level", "procedures", ["service_level", "s_name"], postgresql_where=PUBLISHED
    )
    op.create_index(
        "procedures_by_agency",
        "procedures",
        ["agency_codes"],
        postgresql_using="gin",
        postgresql_where=PUBLISHED,
    )
    op.create_index(
        "procedures_search",
        "procedures",
        ["s_document"],
        postgresql_using="gin",
        postgresql_where=PUBLISHED,
    )
    op.create_table(
        "procedure_versions",
        sa.Column("code", sa.Text, sa.ForeignKey("procedures.code"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("content", JSONB, nullable=False),
    )
    op.create_table(
        "procedure_history",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("code", sa.Text, sa.ForeignKey("procedures.code"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry", JSONB, nullable=False),
    )
    op.create_index("procedure_history_by_code", "procedure_history", ["code", "id"])
    op.create_table(
        "templates",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("content", BYTEA, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
