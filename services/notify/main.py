"""Composition root of notify: ``python -m services.notify``.

One process runs both the HTTP API (inbox, SSE, preferences, stats, probes) and
the faust-streaming worker on the same event loop. Why one process: every
replica is then a full member of the consumer group (two replicas split the
partitions), the suite and its deployments keep one process per service, and
the API reads only MongoDB, never the worker's memory, so nothing couples the two
but the loop. The faust worker starts in the lifespan and stops before the
Mongo client closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.mailer import SmtpMailer
from services.notify.api import notifications, stats
from services.notify.application.identity_emails import IdentityEmails
from services.notify.application.notices import Notifier
from services.notify.settings import NotifySettings
from services.notify.streams.agents import NotifyStreams
from services.notify.streams.app import topic_names
from shared.http.app import create_app, serve
from shared.kafka.topics import ensure_topics
from shared.mongo import make_client
from shared.sealing import load_or_create_private_key, private_key_from_text


def build_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    smtp = SmtpMailer(settings.require("smtp_host"), settings.require("smtp_port"),
                      settings.mail_from)
    mailer = RetryingMailer(smtp, settings.smtp_attempts, settings.smtp_backoff_seconds)
    seal_key = (private_key_from_text(settings.link_seal_private_key)
                if settings.link_seal_private_key
                else load_or_create_private_key(settings.seal_key_file()))
    notifier = Notifier(db, mailer, settings.portal_url)
    identity_emails = IdentityEmails(db, mailer, seal_key)
    state: dict[str, NotifyStreams] = {}

    async def mongo() -> None:
        await db.command("ping")

    async def kafka() -> None:
        if "streams" not in state or not state["streams"].running():
            raise RuntimeError("the stream worker is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(bootstrap, list(topic_names(settings).values()),
                            partitions=settings.topic_partitions)
        await db.notifications.create_index([("user_id", 1), ("created_at", -1)])
        await db.notifications.create_index([("user_id", 1), ("recorded_at", 1)])
        streams = NotifyStreams(settings, bootstrap, notifier, identity_emails)
        await streams.start()  # faust objects bind to the running loop
        state["streams"] = streams
        try:
            yield
        finally:
            await streams.stop()
            await client.close()

    app = create_app("notify", readiness={"mongo": mongo, "kafka": kafka}, lifespan=lifespan)
    app.state.db = db
    app.state.settings = settings
    app.include_router(notifications.router)
    app.include_router(stats.router)
    return app


def main() -> None:
    settings = NotifySettings()
    serve(build_app(settings), settings, "notify")
