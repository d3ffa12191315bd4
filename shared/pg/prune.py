"""Deleting the rows of tables that would otherwise grow forever, in small batches.

A consumer's ``processed_events``, identity's ended sessions and old throttle counters,
the gateway's past rate-limit windows: each is a :class:`Prune` rule, "rows whose
``column`` is below a cutoff go". :func:`prune` deletes them ``batch`` rows per
statement, each in its own short transaction (``DELETE ... WHERE ctid IN (SELECT ctid
... LIMIT n)``), until a batch comes back short: a large backlog never holds one long
lock or one huge transaction, and a row that a concurrent statement updates is left
for the next round rather than waited on twice. The prune column needs an index (the
service's migrations add it). :func:`prune_forever` runs a service's rules from its
worker or app lifespan; several instances may run it at once (a row goes once).
``motcua_pg_pruned_rows_total{table}`` counts what went.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger(__name__)

PRUNED = Counter("motcua_pg_pruned_rows_total", "Rows deleted by pruning", ["table"])
BATCH = 1000


@dataclass(frozen=True)
class Prune:
    """Rows of ``table`` whose ``column`` is below ``cutoff(now)`` go."""

    table: str
    column: str
    cutoff: Callable[[datetime], Any]


def processed_events(retention: timedelta) -> Prune:
    """An idempotent consumer's event ids go ``retention`` after they were handled."""
    return Prune("processed_events", "processed_at", lambda now: now - retention)


async def prune(
    pool: AsyncConnectionPool[Any], table: str, column: str, below: Any, batch: int = BATCH
) -> int:
    """Delete ``table``'s rows whose ``column`` is below ``below``; how many went."""
    statement = sql.SQL(
        "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {column} < %s LIMIT %s)"
    ).format(table=sql.Identifier(table), column=sql.Identifier(column))
    total = 0
    while True:
        async with pool.connection() as conn:
            deleted = (await conn.execute(statement, (below, batch))).rowcount
        PRUNED.labels(table).inc(deleted)
        total += deleted
        if deleted < batch:
            return total


async def prune_forever(
    pool: AsyncConnectionPool[Any],
    rules: Sequence[Prune],
    every_seconds: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Apply ``rules`` now and then every ``every_seconds``; a failure is logged and
    the rule tried again next round."""
    while True:
        for rule in rules:
            try:
                await prune(pool, rule.table, rule.column, rule.cutoff(clock()))
            except Exception:
                log.warning("could not prune %s; next round", rule.table, exc_info=True)
        await asyncio.sleep(every_seconds)
