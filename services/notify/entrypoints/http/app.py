"""Composition root of notify: ``python -m services.notify``.

One process runs both the HTTP API (inbox, SSE, preferences, stats, probes) and
the faust-streaming worker on the same event loop. Why one process: every
replica is then a full member of the consumer group (two replicas split the
partitions), the suite and its deployments keep one process per service, and
the API reads only PostgreSQL, never the worker's memory, so nothing couples the
two but the loop. The lifespan migrates the schema, opens the pool and the inbox
hub (one LISTEN connection), starts the email sender (another LISTEN connection and
its SMTP connections), then the faust worker; it stops in reverse.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.live import InboxHub
from services.notify.adapters.mailer import SmtpMailer
from services.notify.adapters.store import email_channel, inbox_channel
from services.notify.adapters.tables import metadata
from services.notify.application.email_sender import EmailSender
from services.notify.application.identity_emails import IdentityEmails
from services.notify.application.notices import Notifier
from services.notify.entrypoints.http import notifications, stats
from services.notify.entrypoints.streams.agents import NotifyStreams
from services.notify.entrypoints.streams.app import topic_names
from services.notify.settings import NotifySettings
from shared.http.app import create_app, serve
from shared.kafka.topics import ensure_topics
from shared.pg.migrate import migrate
from shared.pg.pools import open_async_pool
from shared.problems import problem_response
from shared.sealing import load_or_create_private_key, private_key_from_text

MIGRATIONS = Path(__file__).parent / "migrations"


def install_store_errors(app: FastAPI) -> None:
    """PostgreSQL unreachable at request time: 503 (retry later), not a 500."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            503,
            "service-unavailable",
            "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(psycopg.OperationalError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)


def build_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    dsn, schema = settings.require("postgres_dsn"), settings.pg_schema()
    smtp = SmtpMailer(
        settings.require("smtp_host"), settings.require("smtp_port"), settings.mail_from
    )
    mailer = RetryingMailer(smtp, settings.smtp_attempts, settings.smtp_backoff_seconds)
    seal_key = (
        private_key_from_text(settings.link_seal_private_key)
        if settings.link_seal_private_key
        else load_or_create_private_key(settings.seal_key_file())
    )
    state: dict[str, Any] = {}

    async def postgres() -> None:
        pool: AsyncConnectionPool[Any] | None = state.get("pool")
        if pool is None:
            raise RuntimeError("the store is not open")
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def kafka() -> None:
        if "streams" not in state or not state["streams"].running():
            raise RuntimeError("the stream worker is not running")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, dsn, schema, MIGRATIONS, metadata)
        await ensure_topics(
            bootstrap, list(topic_names(settings).values()), partitions=settings.topic_partitions
        )
        pool = await open_async_pool(dsn, schema, name="notify")
        channel = inbox_channel(schema)
        hub = InboxHub(dsn, channel)
        hub.start()
        state["pool"] = app.state.pool = pool
        app.state.hub = hub
        outbox = email_channel(schema)
        notifier = Notifier(pool, settings.portal_url, channel, outbox)
        identity_emails = IdentityEmails(pool, mailer, seal_key)
        sender = EmailSender(
            pool,
            mailer,
            dsn,
            outbox,
            concurrency=settings.email_concurrency,
            lease_seconds=settings.email_lease_seconds,
            sweep_seconds=settings.email_sweep_seconds,
        )
        streams = NotifyStreams(settings, bootstrap, notifier, identity_emails, pool)
        try:
            sender.start()
            await streams.start()  # faust objects bind to the running loop
            state["streams"] = streams
            try:
                yield
            finally:
                await streams.stop()
        finally:
            await sender.stop()
            await hub.stop()
            await pool.close()

    app = create_app("notify", readiness={"postgres": postgres, "kafka": kafka}, lifespan=lifespan)
    install_store_errors(app)
    app.state.settings = settings
    app.include_router(notifications.router)
    app.include_router(stats.router)
    return app


def main() -> None:
    settings = NotifySettings()
    serve(build_app(settings), settings, "notify")
