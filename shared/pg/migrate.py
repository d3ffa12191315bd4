"""Alembic migrations, one linear history per service, applied at start-up.

Each service keeps ``migrations/`` (an ``env.py`` that calls :func:`run_env` and
``versions/``) beside its SQLAlchemy Core ``MetaData``, which declares the tables
its code expects. :func:`migrate` creates the service's schema and upgrades it to
head in one transaction under an advisory lock, so N instances starting at once
migrate once. :func:`differences` compares a migrated schema with the metadata
(a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, create_engine, text
from sqlalchemy.pool import NullPool

from shared.pg.pools import connection_kwargs

T = TypeVar("T")


def _lock_key(schema: str) -> str:
    return f"motcua-migrate:{schema}"


def sqlalchemy_url(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL DSN: {scheme}://...")
    return f"postgresql+psycopg://{rest}"


def _engine(dsn: str, schema: str) -> Any:
    options = connection_kwargs(schema)["options"]
    return create_engine(sqlalchemy_url(dsn), poolclass=NullPool, connect_args={"options": options})


def migrate(dsn: str, schema: str, migrations: Path, metadata: MetaData) -> None:
    """Create ``schema`` if needed and upgrade it to the head of ``migrations``."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    engine = _engine(dsn, schema)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": _lock_key(schema)}
            )
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            config.attributes.update(connection=connection, schema=schema, metadata=metadata)
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def under_schema_lock(dsn: str, schema: str, action: Callable[[], T]) -> T:
    """``action()`` while holding ``schema``'s migration lock: for what creates tables on
    its own, such as an ``eventsourcing`` application (its ``CREATE TABLE IF NOT EXISTS``
    fails with "tuple concurrently updated" when two processes start at once)."""
    with psycopg.connect(dsn, autocommit=True) as conn:  # the lock ends with the session
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_lock_key(schema),))
        return action()


def run_env() -> None:
    """The body of every service's ``migrations/env.py`` (online mode only)."""
    from alembic import context

    attributes = context.config.attributes
    context.configure(
        connection=attributes["connection"],
        target_metadata=attributes["metadata"],
        version_table_schema=attributes["schema"],
    )
    with context.begin_transaction():
        context.run_migrations()


def differences(dsn: str, schema: str, metadata: MetaData) -> list[Any]:
    """What the migrated ``schema`` lacks or has unlike ``metadata`` (tables the metadata
    does not declare, such as the event store's own, are not compared)."""
    declared = set(metadata.tables)

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "table" and reflected and compare_to is None and name not in declared)

    engine = _engine(dsn, schema)
    try:
        with engine.connect() as connection:
            return _compare(connection, metadata, include)
    finally:
        engine.dispose()


def _compare(connection: Connection, metadata: MetaData, include: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"include_object": include, "compare_type": True}
    )
    return list(compare_metadata(context, metadata))
