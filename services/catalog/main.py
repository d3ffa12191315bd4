"""Composition root of the catalog HTTP service: ``python -m services.catalog``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool

from services.catalog.adapters.pg import Pool
from services.catalog.adapters.procedure_store import ProcedureStore, TemplateStore
from services.catalog.adapters.records import RecordStore
from services.catalog.adapters.search_store import ProcedureSearch
from services.catalog.adapters.tables import MIGRATIONS_DIR, metadata
from services.catalog.api import calendar, procedures, registry
from services.catalog.api import errors as api_errors
from services.catalog.api.deps import Catalog
from services.catalog.application.calendar import Calendar
from services.catalog.application.procedures import Procedures
from services.catalog.application.registry import Registry
from services.catalog.application.search import Search
from services.catalog.application.templates import Templates
from services.catalog.settings import CatalogSettings
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.listen import Listener
from shared.pg.migrate import migrate
from shared.pg.outbox import CHANNEL, PgOutboxRelay
from shared.pg.pools import connection_kwargs, open_async_pool

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0


def build_catalog(pool: Pool) -> Catalog:
    """The use cases over one pool (also what the demo seed uses)."""
    registry_ = Registry(RecordStore(pool, "agencies"), RecordStore(pool, "fields"))
    procedures_ = Procedures(ProcedureStore(pool), registry_)
    return Catalog(
        procedures=procedures_,
        registry=registry_,
        search=Search(ProcedureSearch(pool)),
        templates=Templates(TemplateStore(pool), procedures_),
        calendar=Calendar(RecordStore(pool, "calendars")),
    )


def migrate_store(settings: CatalogSettings) -> None:
    migrate(settings.require("postgres_dsn"), settings.pg_schema(), MIGRATIONS_DIR, metadata)


async def open_store(settings: CatalogSettings) -> Pool:
    """Migrate the schema to head, then open a pool on it (seed, benchmark)."""
    await asyncio.to_thread(migrate_store, settings)
    return await open_async_pool(
        settings.require("postgres_dsn"), settings.pg_schema(), name="catalog"
    )


async def _store(settings: CatalogSettings, pool: Pool) -> None:
    """Migrate, then open the pool: until then requests answer 503 (the pool is closed)."""
    while True:
        try:
            await asyncio.to_thread(migrate_store, settings)
            await pool.open()
            return
        except Exception:
            log.exception("catalog store could not be migrated; retrying")
            await asyncio.sleep(RETRY_SECONDS)


async def _relay(settings: CatalogSettings, pool: Pool, started: asyncio.Event) -> None:
    """Publish the outbox to Kafka; wait for the engines rather than crash without them."""
    await _store(settings, pool)
    bootstrap = settings.require("kafka_bootstrap_servers")
    topic = events_topic("catalog", settings.topic_prefix)
    listener = Listener(settings.require("postgres_dsn"), [CHANNEL])
    while True:
        producer = make_producer(bootstrap)
        try:
            await ensure_topics(bootstrap, [topic])
            await producer.start()
            started.set()
            await PgOutboxRelay(pool, producer, topic, listener=listener).run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("catalog outbox relay could not start; retrying")
            started.clear()
            await asyncio.sleep(RETRY_SECONDS)
        finally:
            with suppress(Exception):
                await producer.stop()
            with suppress(Exception):
                await listener.close()


def build_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    pool: Pool = AsyncConnectionPool(
        settings.require("postgres_dsn"),
        kwargs=connection_kwargs(settings.pg_schema()),
        min_size=1,
        max_size=10,
        name="catalog",
        open=False,
        timeout=5.0,
    )
    relay_started = asyncio.Event()

    async def postgres() -> None:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def outbox() -> None:
        if not relay_started.is_set():
            raise RuntimeError("the outbox relay is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_relay(settings, pool, relay_started))
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await pool.close()

    app = create_app(
        "catalog", readiness={"postgres": postgres, "outbox": outbox}, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.catalog = build_catalog(pool)
    api_errors.install(app)
    for module in (procedures, registry, calendar):
        app.include_router(module.router)
    return app


def main() -> None:
    settings = CatalogSettings()
    serve(build_app(settings), settings, "catalog")
