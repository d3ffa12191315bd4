"""The dossier outbox relay as its own process: ``python -m services.dossier.entrypoints.relay``.

Run one relay per event store: the relay's position is a tracking record in
the same store, so a second relay would publish the same events again
(harmless to consumers, wasteful for the broker).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.application.dossiers import DossierApplication
from services.dossier.bootstrap import build_dossiers, migrate_store, outbox_relay
from services.dossier.settings import DossierSettings
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    topic = events_topic("dossier", settings.topic_prefix)
    state: dict[str, asyncio.Task[None]] = {}
    held: dict[str, DossierApplication] = {}

    async def kafka() -> None:
        if "task" not in state or state["task"].done():
            raise RuntimeError("relay is not running")

    async def event_store() -> None:
        await asyncio.to_thread(held["dossiers"].recorder.max_notification_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate_store, settings)  # the schema the event store is in
        dossiers = await asyncio.to_thread(build_dossiers, settings)
        held["dossiers"] = dossiers
        await ensure_topics(
            bootstrap, [topic], replication_factor=settings.kafka_replication_factor
        )
        producer = make_producer(bootstrap)  # aiokafka objects need the running loop
        await producer.start()
        relay = outbox_relay(settings, dossiers, producer, topic)
        state["task"] = asyncio.create_task(relay.run())
        try:
            yield
        finally:
            state["task"].cancel()
            await asyncio.gather(state["task"], return_exceptions=True)
            await producer.stop()
            dossiers.close()

    app = create_app(
        "dossier-relay", readiness={"kafka": kafka, "event_store": event_store}, lifespan=lifespan
    )
    return app


def main() -> None:
    settings = DossierSettings()
    settings.port = settings.relay_port
    serve(build_app(settings), settings, "dossier-relay")
