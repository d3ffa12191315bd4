"""The dossier worker: ``python -m services.dossier.worker``.

Consumes catalog events (procedures, calendar) and payment events into the
dossier service. Several instances share the consumer group.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.application.dossiers import DossierApplication
from services.dossier.settings import DossierSettings
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    topics = [events_topic(c, settings.topic_prefix) for c in ("catalog", "payment")]
    dossiers = DossierApplication(env=settings.eventstore_env())
    mongo = make_client(settings.require("mongo_url"))
    db = mongo[settings.mongo_database]
    state: dict[str, asyncio.Task[None]] = {}

    async def consuming() -> None:
        if "task" not in state or state["task"].done():
            raise RuntimeError("consumer is not running")

    async def mongo_ping() -> None:
        await db.command("ping")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(bootstrap, topics)
        consumer = IdempotentConsumer(  # aiokafka objects need the running loop
            bootstrap_servers=bootstrap, topics=topics, group_id=settings.consumer_group,
            handler=IncomingEvents(db, dossiers).handle,
        )
        await consumer.start()
        state["task"] = asyncio.create_task(consumer.run())
        try:
            yield
        finally:
            state["task"].cancel()
            await asyncio.gather(state["task"], return_exceptions=True)
            await consumer.stop()
            await mongo.close()
            dossiers.close()

    return create_app("dossier-worker", readiness={"kafka": consuming, "mongo": mongo_ping},
                      lifespan=lifespan)


def main() -> None:
    settings = DossierSettings()
    settings.port = settings.worker_port
    serve(build_app(settings), settings, "dossier-worker")
