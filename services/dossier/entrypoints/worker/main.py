"""The dossier worker: ``python -m services.dossier.entrypoints.worker``.

Consumes catalog (procedures, agencies, calendar), identity (wallet document
references, profiles) and payment events into the dossier service's schema
(several instances share the consumer group; each effect commits with its event
id), and runs the read-model projector over the dossier event store (its position
commits with the views it covers, under a row lock, so a second instance waits
rather than repeats), deletes the consumed event ids older than the retention
(``MOTCUA_DOSSIER_PROCESSED_EVENTS_RETENTION_DAYS``), and sweeps the files no dossier
needs any more (``MOTCUA_DOSSIER_BLOB_SWEEP_INTERVAL_HOURS``, :mod:`..application.blobs`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool

from services.dossier.application.blobs import sweep_files
from services.dossier.bootstrap import (
    blob_store,
    build_dossiers,
    incoming_handler,
    migrate_store,
    open_projector,
    open_worker_pool,
    prune_rules,
)
from services.dossier.settings import DossierSettings
from shared.blob_sweep import sweep_forever
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.topics import ensure_topics
from shared.pg.prune import prune_forever

log = logging.getLogger(__name__)


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    topics = [events_topic(c, settings.topic_prefix) for c in ("catalog", "identity", "payment")]
    state: dict[str, asyncio.Task[None]] = {}
    held: dict[str, AsyncConnectionPool[Any]] = {}

    async def consuming() -> None:
        for name in ("task", "projector"):
            if name not in state or state[name].done():
                raise RuntimeError(f"{name} is not running")

    async def postgres() -> None:
        async with held["pool"].connection() as conn:
            await conn.execute("SELECT 1")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate_store, settings)
        pool = await open_worker_pool(settings)
        held["pool"] = pool
        dossiers = await asyncio.to_thread(build_dossiers, settings)
        projector, close_projector = await asyncio.to_thread(open_projector, settings)
        await ensure_topics(bootstrap, topics, replication_factor=settings.kafka_replication_factor)
        consumer = IdempotentConsumer(  # aiokafka objects need the running loop
            bootstrap_servers=bootstrap,
            topics=topics,
            group_id=settings.consumer_group,
            handler=incoming_handler(pool, dossiers),
        )
        await consumer.start()
        state["task"] = asyncio.create_task(consumer.run())
        state["projector"] = asyncio.create_task(_project_forever(projector.run_once))
        rules = prune_rules(settings)
        state["prune"] = asyncio.create_task(
            prune_forever(pool, rules, settings.prune_interval_seconds)
        )
        if settings.blob_sweep_interval_hours:
            blobs, grace = blob_store(settings), settings.blob_sweep_grace()
            state["sweep"] = asyncio.create_task(
                sweep_forever(
                    lambda: asyncio.to_thread(sweep_files, dossiers, blobs, grace),
                    settings.blob_sweep_interval_hours * 3600,
                )
            )
        try:
            yield
        finally:
            for task in state.values():
                task.cancel()
            await asyncio.gather(*state.values(), return_exceptions=True)
            await consumer.stop()
            close_projector()
            await pool.close()
            dossiers.close()

    return create_app(
        "dossier-worker", readiness={"kafka": consuming, "postgres": postgres}, lifespan=lifespan
    )


async def _project_forever(run_once: Callable[[], int], idle_seconds: float = 0.2) -> None:
    while True:
        try:
            read = await asyncio.to_thread(run_once)
        except Exception:
            log.exception("projector failed; retrying")
            await asyncio.sleep(1.0)
            continue
        if not read:
            await asyncio.sleep(idle_seconds)


def main() -> None:
    settings = DossierSettings()
    settings.port = settings.worker_port
    serve(build_app(settings), settings, "dossier-worker")
