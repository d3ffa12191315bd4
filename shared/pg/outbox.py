"""The outbox of a service that is not event-sourced: a change and its events commit
in one PostgreSQL transaction; the relay publishes them.

Writers call :func:`record_events` on the connection of the change's transaction
(write the change first: its row lock orders two changes of one aggregate, so their
outbox rows commit in the order of their ids). :class:`PgOutboxRelay` takes a
transaction-scoped advisory lock (one relay at a time per schema, however many
instances run), reads the oldest rows, publishes them (acks=all, idempotent
producer), and deletes exactly the rows the broker acknowledged in the same
transaction (rows are dicts: use a pool from :mod:`shared.pg.pools`). A crash before
the delete commits republishes the rows with the same event ids; consumers
de-duplicate on them. Writers ``NOTIFY`` the relay, which otherwise looks again after
``idle_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import psycopg
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter
from psycopg_pool import AsyncConnectionPool

from shared.events.envelope import IntegrationEvent
from shared.kafka.producer import record_headers
from shared.pg.listen import Listener, notify

log = logging.getLogger(__name__)

RELAYED = Counter("motcua_pg_outbox_relayed_total", "Outbox events published", ["topic"])


CHANNEL = "motcua_outbox"  # one channel for every schema: a spurious wake costs one query


async def record_events(
    conn: psycopg.AsyncConnection[Any], events: Iterable[IntegrationEvent]
) -> int:
    """Add ``events`` to the outbox in the caller's transaction; how many were added."""
    rows = [(str(e.id), e.subject, e.model_dump_json()) for e in events]
    if not rows:
        return 0
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO outbox (event_id, subject, body) VALUES (%s, %s, %s)", rows
        )
    await notify(conn, CHANNEL)
    return len(rows)


class PgOutboxRelay:
    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        producer: AIOKafkaProducer,
        topic: str,
        *,
        listener: Listener | None = None,
        batch_size: int = 200,
        idle_seconds: float = 1.0,
    ) -> None:
        self.pool = pool
        self.producer = producer
        self.topic = topic
        self.listener = listener
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds

    async def run(self) -> None:
        """Relay until cancelled; a failing broker or store is retried, never skipped."""
        backoff = 0.2
        while True:
            try:
                published = await self.relay_once()
            except Exception:
                log.exception("outbox relay failed; retrying", extra={"topic": self.topic})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.2
            if published < self.batch_size:
                await self._idle()

    async def _idle(self) -> None:
        if self.listener is None:
            await asyncio.sleep(self.idle_seconds)
        else:
            await self.listener.wait(self.idle_seconds)

    async def relay_once(self) -> int:
        """Publish the oldest pending events; returns how many were published."""
        async with self.pool.connection() as conn, conn.transaction():
            lock = await conn.execute(
                "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox')) AS mine"
            )
            held = await lock.fetchone()
            if not held or not held["mine"]:
                return 0  # another instance is relaying this schema
            cur = await conn.execute(
                "SELECT id, body FROM outbox ORDER BY id LIMIT %s", (self.batch_size,)
            )
            rows = await cur.fetchall()
            if not rows:
                return 0
            events = [IntegrationEvent.model_validate_json(r["body"]) for r in rows]
            sends = [
                await self.producer.send(
                    self.topic,
                    value=e.to_bytes(),
                    key=e.subject.encode(),
                    headers=record_headers(e),
                )
                for e in events
            ]
            await asyncio.gather(*sends)
            await conn.execute("DELETE FROM outbox WHERE id = ANY(%s)", ([r["id"] for r in rows],))
        RELAYED.labels(self.topic).inc(len(events))
        return len(events)
