"""The dossier service's composition root: the one module that names concrete adapters.

Every process (HTTP API, relay, worker, the operator commands) builds what it needs here
from :class:`DossierSettings`: the schema is migrated first, at every start-up, before the
event-sourced application is built on it (the library creates its own tables in it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiokafka import AIOKafkaProducer
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.adapters.integration_events import to_integration_event
from services.dossier.adapters.letters import render
from services.dossier.adapters.lookup_attempts import PgLookupAttempts
from services.dossier.adapters.procedures import CHANNEL, PgProcedures, forget_published
from services.dossier.adapters.projector import Projector
from services.dossier.adapters.queries import ReadModels
from services.dossier.adapters.tables import MIGRATIONS, metadata
from services.dossier.application.dossiers import DossierApplication
from services.dossier.application.lookup import PublicLookup
from services.dossier.application.ports import PdfRenderer, ProcedureCatalog
from services.dossier.settings import DossierSettings
from shared.blobstore import BlobStore
from shared.events.envelope import IntegrationEvent
from shared.outbox import log_relay
from shared.pg.listen import Listener
from shared.pg.migrate import migrate, under_schema_lock
from shared.pg.pools import open_async_pool, open_pool
from shared.pg.prune import Prune, processed_events
from shared.relay import Relay


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
        lambda: DossierApplication(
            env=settings.eventstore_env(),
            procedures=procedures,
            attachment_limits=settings.attachment_limits(),
        ),
    )


def blob_store(settings: DossierSettings) -> BlobStore:
    """Attachments and result files: S3 when a URL is set, else the local directory."""
    return settings.blob_store(settings.blob_root())


def pdf_renderer() -> PdfRenderer:
    return render


class HttpParts:
    """What the HTTP process holds while it runs: one synchronous pool (routes run in the
    thread pool beside the event store) for the read models, the worker's copies and the
    public lookup's tries, the application on it, and a listener that drops cached
    procedure versions when the worker writes a new one. Built in a thread (it connects)."""

    def __init__(self, settings: DossierSettings) -> None:
        migrate_store(settings)
        self.pool = open_store_pool(settings)
        self.procedures = PgProcedures(self.pool)
        self.dossiers = build_dossiers(settings, self.procedures)
        self.read_models = ReadModels(self.pool)
        self.lookup = PublicLookup(
            self.dossiers,
            PgLookupAttempts(self.pool),
            settings.lookup_policy(),
            refusal_seconds=settings.lookup_refusal_seconds,
        )
        self.listener = Listener(settings.require("postgres_dsn"), [CHANNEL])

    def ping(self) -> None:
        with self.pool.connection() as conn:
            conn.execute("SELECT 1")

    def follow_catalog(self) -> Coroutine[Any, Any, None]:
        return forget_published(self.listener, self.procedures)

    async def close(self) -> None:
        await self.listener.close()
        self.dossiers.close()
        await asyncio.to_thread(self.pool.close)


def outbox_relay(
    settings: DossierSettings, dossiers: DossierApplication, producer: AIOKafkaProducer, topic: str
) -> Relay:
    """The relay from the event store's notification log to ``topic``."""
    dsn = settings.require("postgres_dsn")
    return log_relay(dossiers, to_integration_event, producer, topic, dsn)


async def open_worker_pool(settings: DossierSettings) -> AsyncConnectionPool[Any]:
    return await open_async_pool(
        settings.require("postgres_dsn"), settings.pg_schema(), max_size=4, name="dossier-worker"
    )


def incoming_handler(
    pool: AsyncConnectionPool[Any], dossiers: DossierApplication
) -> Callable[[IntegrationEvent], Awaitable[None]]:
    """What the worker does with catalog, identity and payment events."""
    return IncomingEvents(pool, dossiers).handle


def prune_rules(settings: DossierSettings) -> list[Prune]:
    """What the worker deletes now and then: handled event ids past their retention and
    public-lookup tries that no longer count."""
    return [
        processed_events(settings.processed_events_retention()),
        Prune("lookup_attempts", "expires_at", lambda now: now),
    ]


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
