"""Idempotent effects of consumed events, in the effect's own transaction.

- :func:`first_time` records that ``consumer`` handled ``event_id``; False if it
  had already (then the caller applies nothing). Call it in the transaction of the
  effect, so the effect and the record commit together or not at all.
- :func:`first_times` does it for a batch of events in one statement, returning the ids
  not handled before.
- :func:`upsert_versioned` writes a read-model row only if it is older than
  ``version`` (a redelivered or reordered event is skipped): one statement, atomic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import scalar_row


async def first_time(conn: psycopg.AsyncConnection[Any], consumer: str, event_id: str) -> bool:
    cur = await conn.execute(
        "INSERT INTO processed_events (consumer, event_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (consumer, event_id),
    )
    return cur.rowcount == 1


async def first_times(
    conn: psycopg.AsyncConnection[Any], consumer: str, event_ids: Sequence[str]
) -> set[str]:
    cur = conn.cursor(row_factory=scalar_row)
    await cur.execute(
        "INSERT INTO processed_events (consumer, event_id) SELECT %s, unnest(%s::text[])"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        (consumer, list(event_ids)),
    )
    return set(await cur.fetchall())


def upsert_versioned_sql(table: str, key: str, columns: list[str]) -> sql.Composed:
    names = [key, "version", *columns]
    updates = [
        sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in ["version", *columns]
    ]
    return sql.SQL(
        "INSERT INTO {table} AS t ({names}) VALUES ({values}) ON CONFLICT ({key})"
        " DO UPDATE SET {updates} WHERE t.version < EXCLUDED.version"
    ).format(
        table=sql.Identifier(table),
        names=sql.SQL(", ").join(map(sql.Identifier, names)),
        values=sql.SQL(", ").join(sql.Placeholder() * len(names)),
        key=sql.Identifier(key),
        updates=sql.SQL(", ").join(updates),
    )


async def upsert_versioned(
    conn: psycopg.AsyncConnection[Any],
    table: str,
    key: str,
    key_value: Any,
    version: int,
    values: Mapping[str, Any],
) -> bool:
    """Insert or update ``table``'s row ``key_value`` to ``values`` at ``version``, unless
    it is already at ``version`` or newer; True if written."""
    columns = list(values)
    cur = await conn.execute(
        upsert_versioned_sql(table, key, columns), [key_value, version, *values.values()]
    )
    return cur.rowcount == 1
