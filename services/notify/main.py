"""Composition root of the notify worker: ``python -m services.notify``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notify.adapters.mailer import SmtpMailer
from services.notify.application.handler import NotificationHandler
from services.notify.application.identity_emails import IdentityEmails
from services.notify.settings import NotifySettings
from shared.events.envelope import IntegrationEvent
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client
from shared.sealing import load_or_create_private_key, private_key_from_text

CONSUMED_CONTEXTS = ("dossier", "identity")


def build_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    mailer = SmtpMailer(settings.require("smtp_host"), settings.require("smtp_port"),
                        settings.mail_from)
    topics = [events_topic(c, settings.topic_prefix) for c in CONSUMED_CONTEXTS]
    seal_key = (private_key_from_text(settings.link_seal_private_key)
                if settings.link_seal_private_key
                else load_or_create_private_key(settings.seal_key_file()))
    notifications = NotificationHandler(db, mailer, settings.portal_url)
    identity_emails = IdentityEmails(db, mailer, seal_key)

    async def dispatch(event: IntegrationEvent) -> None:
        if event.context == "identity":
            await identity_emails(event)
        else:
            await notifications(event)
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
            handler=dispatch,
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
