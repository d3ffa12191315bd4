"""Composition root of the catalog HTTP service: ``python -m services.catalog``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from services.catalog.adapters.procedure_store import ProcedureStore, TemplateStore
from services.catalog.adapters.records import RecordStore
from services.catalog.adapters.search_index import SearchIndex
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
from shared.mongo import make_client
from shared.mongo_lock import DocumentLocks
from shared.mongo_outbox import MongoOutboxRelay

log = logging.getLogger(__name__)
OUTBOX_COLLECTIONS = ("procedures", "agencies", "fields", "calendars")
# Each idle poll makes FerretDB 1.x decode every procedure document (~1.6 ms each);
# catalog changes are rare, so poll seldom rather than load the shared database.
RELAY_IDLE_SECONDS = 2.0


def build_catalog(db: AsyncDatabase[dict[str, Any]]) -> Catalog:
    """The use cases over one database (also what the demo seed and the benchmark use)."""
    locks = DocumentLocks(db["locks"])
    registry_ = Registry(RecordStore(db["agencies"]), RecordStore(db["fields"]), locks)
    store = ProcedureStore(db)
    index = SearchIndex(db, locks)
    procedures_ = Procedures(store, registry_, locks, index.changed)
    return Catalog(
        procedures=procedures_, registry=registry_, search=Search(index),
        templates=Templates(TemplateStore(db), procedures_),
        calendar=Calendar(RecordStore(db["calendars"]), locks),
    )


async def _relay(settings: CatalogSettings, db: AsyncDatabase[dict[str, Any]],
                 started: asyncio.Event) -> None:
    """Publish the outbox to Kafka; wait for the engines rather than crash without them."""
    bootstrap = settings.require("kafka_bootstrap_servers")
    topic = events_topic("catalog", settings.topic_prefix)
    while True:
        producer = make_producer(bootstrap)
        try:
            await ensure_topics(bootstrap, [topic])
            await producer.start()
            await ProcedureStore(db).ensure_indexes()
            started.set()
            relay = MongoOutboxRelay(
                [db[c] for c in OUTBOX_COLLECTIONS], producer, topic,
                DocumentLocks(db["locks"]), idle_seconds=RELAY_IDLE_SECONDS)
            await relay.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("catalog outbox relay could not start; retrying")
            started.clear()
            await asyncio.sleep(2.0)
        finally:
            with suppress(Exception):
                await producer.stop()


def build_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    relay_started = asyncio.Event()

    async def mongo() -> None:
        await db.command("ping")

    async def outbox() -> None:
        if not relay_started.is_set():
            raise RuntimeError("the outbox relay is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_relay(settings, db, relay_started))
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await client.close()

    app = create_app("catalog", readiness={"mongo": mongo, "outbox": outbox}, lifespan=lifespan)
    app.state.settings = settings
    app.state.catalog = build_catalog(db)
    api_errors.install(app)
    for module in (procedures, registry, calendar):
        app.include_router(module.router)
    return app


def main() -> None:
    settings = CatalogSettings()
    serve(build_app(settings), settings, "catalog")
