"""Composition root of the notify worker: ``python -m services.notify``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notify.adapters.mailer import SmtpMailer
from services.notify.application.handler import NotificationHandler
from services.notify.settings import NotifySettings
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client

CONSUMED_CONTEXTS = ("dossier",)


def build_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    mailer = SmtpMailer(settings.require("smtp_host"), settings.require("smtp_port"),
                        settings.mail_from)
    topics = [events_topic(c, settings.topic_prefix) for c in CONSUMED_CONTEXTS]
    state: dict[str, asyncio.Task[None]] = {}

    async def mongo() -> None:
        await db.command("ping")

    async def kafka() -> None:
        if "task" not in state or state["task"].done():
            raise RuntimeError("consumer is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(bootstrap, topics)
        await db.notifications.create_index([("user_id", 1), ("created_at", -1)])
        consumer = IdempotentConsumer(  # aiokafka objects need the running loop
            bootstrap_servers=bootstrap,
            topics=topics,
            group_id=settings.consumer_group,
            handler=NotificationHandler(db, mailer, settings.portal_url),
        )
        await consumer.start()
        state["task"] = asyncio.create_task(consumer.run())
        try:
            yield
        finally:
            state["task"].cancel()
            await asyncio.gather(state["task"], return_exceptions=True)
            await consumer.stop()
            await client.close()

    return create_app("notify", readiness={"mongo": mongo, "kafka": kafka}, lifespan=lifespan)


def main() -> None:
    settings = NotifySettings()
    serve(build_app(settings), settings, "notify")
