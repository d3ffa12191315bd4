"""The app factory of the catalog HTTP service: ``python -m services.catalog``.

The process also relays its outbox to Kafka. At start-up it migrates the schema, then
opens the pool ``bootstrap`` built (until then requests answer 503), then starts the relay;
it waits for PostgreSQL and Kafka rather than crash without them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from services.catalog import bootstrap
from services.catalog.entrypoints.http import calendar, procedures, registry
from services.catalog.settings import CatalogSettings
from shared.auth import remote_verifier
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0
# what a person reads when PostgreSQL does not answer
STORE_DETAIL = (
    "Cơ sở dữ liệu danh mục thủ tục tạm thời không truy cập được, vui lòng thử lại sau ít phút."
)


async def _store(settings: CatalogSettings, pool: bootstrap.Pool) -> None:
    """Migrate, then open the pool: until then requests answer 503 (the pool is closed)."""
    while True:
        try:
            await asyncio.to_thread(bootstrap.migrate_store, settings)
            await pool.open()
            return
        except Exception:
            log.exception("catalog store could not be migrated; retrying")
            await asyncio.sleep(RETRY_SECONDS)


async def _relay(settings: CatalogSettings, pool: bootstrap.Pool, started: asyncio.Event) -> None:
    """Publish the outbox to Kafka; wait for the engines rather than crash without them."""
    await _store(settings, pool)
    servers = settings.require("kafka_bootstrap_servers")
    topic = events_topic("catalog", settings.topic_prefix)
    listener = bootstrap.outbox_listener(settings)
    while True:
        producer = make_producer(servers)
        try:
            await ensure_topics(
                servers, [topic], replication_factor=settings.kafka_replication_factor
            )
            await producer.start()
            started.set()
            await bootstrap.outbox_relay(pool, producer, topic, listener).run()
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
    pool = bootstrap.closed_pool(settings)
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
        "catalog",
        readiness={"postgres": postgres, "outbox": outbox},
        lifespan=lifespan,
        store_detail=STORE_DETAIL,
    )
    app.state.settings = settings
    app.state.verifier = remote_verifier(settings)
    app.state.catalog = bootstrap.build_catalog(pool)
    for module in (procedures, registry, calendar):
        app.include_router(module.router)
    return app


def main() -> None:
    settings = CatalogSettings()
    serve(build_app(settings), settings, "catalog")
