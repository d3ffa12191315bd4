"""The outbox of a service that is not event-sourced: a change and its events commit
in one PostgreSQL transaction; the relay publishes them.

Writers call :func:`record_events` on the connection of the change's transaction
(write the change first: its row lock orders two changes of one aggregate, so their
outbox rows commit in the order of their ids). :class:`OutboxTableSource` is a
:mod:`shared.relay` source: it takes a transaction-scoped advisory lock (one relay at
a time per schema, however many instances run), reads the oldest rows and, once the
relay has published them, deletes exactly those rows in the same transaction (rows
are dicts: use a pool from :mod:`shared.pg.pools`). A crash before the delete commits
republishes the rows with the same event ids; consumers de-duplicate on them. Writers
``NOTIFY`` :data:`CHANNEL`: give the relay a listener on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from shared.events.envelope import IntegrationEvent
from shared.pg.listen import notify
from shared.relay import Batch

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


class OutboxTableSource:
    """The ``outbox`` table of the pool's schema, oldest rows first; one relay at a time."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool
        self.name = "outbox-table"

    @asynccontextmanager
    async def batch(self, size: int) -> AsyncIterator[Batch]:
        async with self.pool.connection() as conn, conn.transaction():
            lock = await conn.execute(
                "SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox')) AS mine"
            )
            held = await lock.fetchone()
            if not held or not held["mine"]:
                yield Batch([], 0)  # another instance is relaying this schema
                return
            cur = await conn.execute("SELECT id, body FROM outbox ORDER BY id LIMIT %s", (size,))
            rows = await cur.fetchall()
            events = [IntegrationEvent.model_validate_json(r["body"]) for r in rows]
            yield Batch(events, len(rows))
            if rows:
                await conn.execute(
                    "DELETE FROM outbox WHERE id = ANY(%s)", ([r["id"] for r in rows],)
                )
