"""Composition root of catalog: the one module that builds concrete adapters from settings.

The entrypoints (the HTTP app with its outbox relay, the demo seed) ask it for the pool,
the use cases over it and the relay; the use cases only see the ports they are handed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from psycopg_pool import AsyncConnectionPool

from services.catalog.adapters.docx_forms import form_docx
from services.catalog.adapters.pg import Pool
from services.catalog.adapters.procedure_store import ProcedureStore, TemplateStore
from services.catalog.adapters.records import RecordStore
from services.catalog.adapters.search_store import ProcedureSearch
from services.catalog.adapters.tables import MIGRATIONS_DIR, metadata
from services.catalog.application.calendar import Calendar
from services.catalog.application.catalog import Catalog
from services.catalog.application.procedures import Procedures
from services.catalog.application.registry import Registry
from services.catalog.application.search import Search
from services.catalog.application.templates import Templates
from services.catalog.settings import CatalogSettings
from shared.pg.listen import Listener
from shared.pg.migrate import migrate
from shared.pg.outbox import CHANNEL, OutboxTableSource
from shared.pg.pools import connection_kwargs, open_async_pool
from shared.relay import Relay

__all__ = [
    "Pool",
    "build_catalog",
    "closed_pool",
    "form_renderer",
    "migrate_store",
    "open_store",
    "outbox_listener",
    "outbox_relay",
]


def build_catalog(pool: Pool) -> Catalog:
    """The use cases over one pool (the HTTP app, the demo seed)."""
    registry = Registry(RecordStore(pool, "agencies"), RecordStore(pool, "fields"))
    procedures = Procedures(ProcedureStore(pool), registry)
    return Catalog(
        procedures=procedures,
        registry=registry,
        search=Search(ProcedureSearch(pool)),
        templates=Templates(TemplateStore(pool), procedures),
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


def closed_pool(settings: CatalogSettings) -> Pool:
    """The HTTP process's pool, opened once the schema is migrated: until then every
    request answers 503 (a closed pool raises the store error the handlers map)."""
    return AsyncConnectionPool(
        settings.require("postgres_dsn"),
        kwargs=connection_kwargs(settings.pg_schema()),
        min_size=1,
        max_size=10,
        name="catalog",
        open=False,
        timeout=5.0,
    )


def outbox_listener(settings: CatalogSettings) -> Listener:
    """Wakes the relay as soon as a write commits an event."""
    return Listener(settings.require("postgres_dsn"), [CHANNEL])


def outbox_relay(pool: Pool, producer: AIOKafkaProducer, topic: str, listener: Listener) -> Relay:
    """Publishes the events committed in the outbox table to ``topic``."""
    return Relay(OutboxTableSource(pool), producer, topic, listener=listener)


def form_renderer() -> Callable[[str, str, dict[str, Any]], bytes]:
    """The demo seed's .docx forms: (title, addressee, form schema) → the file's bytes."""
    return form_docx
