"""The dossier worker: ``python -m services.dossier.worker``.

Consumes catalog (procedures, agencies, calendar), identity (wallet document
references) and payment events into the
dossier service (several instances share the consumer group), and runs the
read-model projector over the dossier event store (its position is one MongoDB
document and its writes are version-guarded, so a second instance only repeats
work harmlessly).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.dossier.adapters.incoming import IncomingEvents
from services.dossier.application.dossiers import DossierApplication
from services.dossier.projections.projector import Projector, open_projector
from services.dossier.settings import DossierSettings
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client

log = logging.getLogger(__name__)


def build_app(settings: DossierSettings | None = None) -> FastAPI:
    settings = settings or DossierSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    topics = [events_topic(c, settings.topic_prefix) for c in ("catalog", "identity", "payment")]
    dossiers = DossierApplication(env=settings.eventstore_env())
    mongo = make_client(settings.require("mongo_url"))
    db = mongo[settings.mongo_database]
    state: dict[str, asyncio.Task[None]] = {}
    projector, close_projector = open_projector(settings)

    async def consuming() -> None:
        for name in ("task", "projector"):
            if name not in state or state[name].done():
                raise RuntimeError(f"{name} is not running")

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
        await asyncio.to_thread(projector.ensure_indexes)
        state["task"] = asyncio.create_task(consumer.run())
        state["projector"] = asyncio.create_task(_project_forever(projector))
        try:
            yield
        finally:
            for task in state.values():
                task.cancel()
            await asyncio.gather(*state.values(), return_exceptions=True)
            await consumer.stop()
            close_projector()
            await mongo.close()
            dossiers.close()

    return create_app("dossier-worker", readiness={"kafka": consuming, "mongo": mongo_ping},
                      lifespan=lifespan)


async def _project_forever(projector: Projector, idle_seconds: float = 0.2) -> None:
    while True:
        try:
            read = await asyncio.to_thread(projector.run_once)
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
