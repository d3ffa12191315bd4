"""The composition root of notify: the one module that builds the concrete adapters
(PostgreSQL store and email queue, the LISTEN hub, SMTP with retries, Jinja2 templates,
the faust worker) from the settings and hands them to the use cases and entrypoints.

:class:`Bootstrap` checks the settings and opens nothing; :meth:`Bootstrap.running`
migrates the schema, opens the pool and the inbox hub (one LISTEN connection), starts the
pruning of old processed-event ids, the email sender (another LISTEN connection and its
SMTP connections), then the faust worker; it stops them in reverse.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from psycopg_pool import AsyncConnectionPool

from services.notify.adapters.delivery import RetryingMailer
from services.notify.adapters.email_queue import PgEmailQueue, retry_failed_emails
from services.notify.adapters.live import InboxHub
from services.notify.adapters.mailer import SmtpMailer
from services.notify.adapters.rebuild import MissingHistoryError, Rebuilt, rebuild
from services.notify.adapters.store import (
    PgInbox,
    PgNotifyStore,
    PgStats,
    email_channel,
    inbox_channel,
)
from services.notify.adapters.tables import metadata
from services.notify.adapters.templates import JinjaTemplates
from services.notify.application.email_sender import EmailSender
from services.notify.application.identity_emails import IdentityEmails
from services.notify.application.inbox import Inbox
from services.notify.application.notices import Notifier
from services.notify.application.ports import Listen
from services.notify.application.projections import PROJECTIONS
from services.notify.application.stats import Statistics
from services.notify.entrypoints.streams.agents import NotifyStreams
from services.notify.settings import NotifySettings
from shared.events.topics import events_topic
from shared.pg.calendar import CalendarOverrides
from shared.pg.listen import Listener
from shared.pg.migrate import migrate
from shared.pg.pools import connection_kwargs, open_async_pool
from shared.pg.prune import processed_events, prune_forever
from shared.sealing import load_or_create_private_key, private_key_from_text

MIGRATIONS = Path(__file__).parent / "migrations"
__all__ = ["Bootstrap", "MissingHistoryError", "rebuild_projections", "retry_failed"]


@dataclass
class Running:
    """notify's parts, open: what the entrypoints use."""

    pool: AsyncConnectionPool[Any]
    inbox: Inbox
    statistics: Statistics
    streams: NotifyStreams

    async def ping(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute("SELECT 1")


class Bootstrap:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self.kafka = settings.require("kafka_bootstrap_servers")
        self.dsn, self.schema = settings.require("postgres_dsn"), settings.pg_schema()
        smtp = SmtpMailer(
            settings.require("smtp_host"), settings.require("smtp_port"), settings.mail_from
        )
        self.mailer = RetryingMailer(smtp, settings.smtp_attempts, settings.smtp_backoff_seconds)
        self.templates = JinjaTemplates(settings.templates_dir)
        self.seal_key = _seal_key(settings)

    def _listen(self, channel: str) -> Listen:
        return lambda on_connect: Listener(self.dsn, [channel], on_connect=on_connect)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Running]:
        settings, dsn, schema = self.settings, self.dsn, self.schema
        await asyncio.to_thread(migrate, dsn, schema, MIGRATIONS, metadata)
        pool = await open_async_pool(dsn, schema, name="notify")
        inbox, outbox = inbox_channel(schema), email_channel(schema)
        hub = InboxHub(dsn, inbox)
        hub.start()
        store = PgNotifyStore(pool, inbox, outbox)
        sender = EmailSender(
            PgEmailQueue(pool),
            self.mailer,
            self.templates,
            self._listen(outbox),
            concurrency=settings.email_concurrency,
            lease_seconds=settings.email_lease_seconds,
            sweep_seconds=settings.email_sweep_seconds,
        )
        stats = PgStats(pool)
        streams = NotifyStreams(
            settings,
            self.kafka,
            Notifier(store, settings.portal_url),
            IdentityEmails(store, self.mailer, self.templates, self.seal_key),
            stats,
            CalendarOverrides(pool),
        )
        rules = [processed_events(settings.processed_events_retention())]
        pruning = asyncio.create_task(prune_forever(pool, rules, settings.prune_interval_seconds))
        try:
            sender.start()
            await streams.start()  # faust objects bind to the running loop
            try:
                yield Running(pool, Inbox(PgInbox(pool), hub), Statistics(stats), streams)
            finally:
                await streams.stop()
        finally:
            await sender.stop()
            pruning.cancel()
            await asyncio.gather(pruning, return_exceptions=True)
            await hub.stop()
            await pool.close()


def _seal_key(settings: NotifySettings) -> X25519PrivateKey:
    if settings.link_seal_private_key:
        return private_key_from_text(settings.link_seal_private_key)
    return load_or_create_private_key(settings.seal_key_file(), settings.link_seal_public_key_file)


async def rebuild_projections(settings: NotifySettings, schema: str | None = None) -> Rebuilt:
    """``motcua projections rebuild notify``: the pure projections of ``schema`` (default:
    the service's own), migrated first, replayed from the source topics."""
    dsn, target = settings.require("postgres_dsn"), schema or settings.pg_schema()
    await asyncio.to_thread(migrate, dsn, target, MIGRATIONS, metadata)
    topics = {c: events_topic(c, settings.topic_prefix) for c in PROJECTIONS}
    conn = await psycopg.AsyncConnection.connect(dsn, **connection_kwargs(target))
    async with conn:
        return await rebuild(conn, settings.require("kafka_bootstrap_servers"), topics)


async def retry_failed(settings: NotifySettings) -> int:
    """Every ``failed`` email back in the senders' queue (``motcua notify retry-emails``)."""
    schema = settings.pg_schema()
    conn = await psycopg.AsyncConnection.connect(
        settings.require("postgres_dsn"), **connection_kwargs(schema)
    )
    async with conn:
        count = await retry_failed_emails(conn, email_channel(schema))
        await conn.commit()
    return count
