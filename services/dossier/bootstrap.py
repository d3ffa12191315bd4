"""The dossier service's PostgreSQL schema: migrated at every process's start-up, before
the event-sourced application is built (the schema must exist for its tables)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from psycopg_pool import ConnectionPool

from services.dossier.adapters.projector import Projector
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.ports import ProcedureCatalog
from services.dossier.settings import DossierSettings
from shared.pg.migrate import migrate, under_schema_lock
from shared.pg.pools import open_pool


def migrate_store(settings: DossierSettings, schema: str | None = None) -> str:
    """Upgrade ``schema`` (default: the service's own) to head; returns its name."""
    target = schema or settings.pg_schema()
    migrate(settings.require("postgres_dsn"), target, MIGRATIONS, metadata)
    return target


def open_store_pool(
    settings: DossierSettings,
    schema: str | None = None,
    *,
    max_size: int = 10,
    name: str = "dossier",
) -> ConnectionPool[Any]:
    return open_pool(
        settings.require("postgres_dsn"),
        schema or settings.pg_schema(),
        max_size=max_size,
        name=name,
    )


def build_dossiers(
    settings: DossierSettings, procedures: ProcedureCatalog | None = None
) -> DossierApplication:
    """The event-sourced application on the service's schema, built under the schema's
    lock: its own tables are created by the library, and the API, relay and worker start
    together."""
    return under_schema_lock(
        settings.require("postgres_dsn"),
        settings.pg_schema(),
        lambda: DossierApplication(env=settings.eventstore_env(), procedures=procedures),
    )


def open_projector(
    settings: DossierSettings, schema: str | None = None
) -> tuple[Projector, Callable[[], None]]:
    """A projector on the configured event store, writing the read models of ``schema``
    (default: the service's own), migrated first; returns it and a closer."""
    target = migrate_store(settings, schema)
    app = build_dossiers(settings)
    pool = open_store_pool(settings, target, max_size=2, name="dossier-projector")

    def close() -> None:
        pool.close()
        app.close()

    return Projector(app, pool), close
