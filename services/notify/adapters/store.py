"""notify's PostgreSQL store (server-side parameters, dict rows): the consumers' writes
(:class:`PgNotifyStore`), the inbox's reads (:class:`PgInbox`) and the statistics mirror
(:class:`PgStats`).

A batch of dossier events costs one pipelined transaction: the processed-event records
in one statement, the projections (each written and read back in one statement) sent
together, the recipients of every event with their preferences in one query, and the
inbox rows inserted in one statement that also NOTIFYs. ``LISTEN``/``NOTIFY`` on
:func:`inbox_channel` tells the open live streams whose inbox changed, on
:func:`email_channel` the email senders that there is mail (their queue:
adapters/email_queue.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from services.notify.application.ports import Audience
from services.notify.application.projections import Projected
from services.notify.domain.stats import MEASURES
from shared.pg.effects import first_time, first_times, upsert_versioned_sql

Conn = psycopg.AsyncConnection[Any]
Pool = AsyncConnectionPool[Any]
Row = dict[str, Any]


def inbox_channel(schema: str) -> str:
    """The NOTIFY channel of one notify schema (channels are database-wide)."""
    return f"motcua_inbox_{schema}"[:63]


def email_channel(schema: str) -> str:
    """The NOTIFY channel waking the email senders of one notify schema."""
    return f"motcua_email_{schema}"[:63]


def project_query(
    table: str, key: str, version: int, values: Mapping[str, Any]
) -> tuple[sql.Composed, list[Any]]:
    """Version-guarded upsert of ``table``'s row ``key``, returning the row as it is now
    (written or not) in the same statement."""
    upsert = upsert_versioned_sql(table, "id", list(values))
    query = sql.SQL(
        "WITH up AS ({upsert} RETURNING *) SELECT * FROM up UNION ALL"
        " SELECT * FROM {table} WHERE id = %s AND NOT EXISTS (SELECT 1 FROM up)"
    ).format(upsert=upsert, table=sql.Identifier(table))
    return query, [key, version, *values.values(), key]


async def dossier(conn: Conn, dossier_id: str | None) -> Row | None:
    if not dossier_id:
        return None
    cur = await conn.execute("SELECT * FROM dossiers WHERE id = %s", (dossier_id,))
    return await cur.fetchone()


RECIPIENTS = """
SELECT q.n, p.audience, p.user_id, p.email, pr.email AS prefs
FROM unnest(%(owner)s::text[], %(contact)s::text[], %(agency)s::text[],
            %(owners)s::bool[], %(officers)s::bool[])
     WITH ORDINALITY AS q(owner, contact, agency, owners, officers, n)
CROSS JOIN LATERAL (
    SELECT 'owner' AS audience, q.owner AS user_id,
           COALESCE(NULLIF(q.contact, ''),
                    (SELECT a.email FROM accounts a WHERE a.id = q.owner)) AS email
    WHERE q.owners AND q.owner IS NOT NULL AND q.owner <> ''
    UNION ALL
    SELECT 'officers', a.id, a.email FROM accounts a
    WHERE q.officers AND a.agency_code = q.agency AND a.kind = 'officer'
) p
LEFT JOIN preferences pr ON pr.user_id = p.user_id
ORDER BY q.n, p.audience, p.user_id
"""


async def recipients(conn: Conn, wanted: Sequence[Audience]) -> list[list[Row]]:
    """For each audience, its owner (the form's address, else the account's) and its
    agency's officers, each with their email preferences: one query for all."""
    found: list[list[Row]] = [[] for _ in wanted]
    if not any(w.owners or (w.officers and w.agency) for w in wanted):
        return found
    cur = await conn.execute(
        RECIPIENTS,
        {
            "owner": [w.owner for w in wanted],
            "contact": [w.contact for w in wanted],
            "agency": [w.agency for w in wanted],
            "owners": [w.owners for w in wanted],
            "officers": [w.officers and bool(w.agency) for w in wanted],
        },
    )
    for row in await cur.fetchall():
        found[row.pop("n") - 1].append(row)
    return found


COLUMNS = (
    "id",
    "source_id",
    "user_id",
    "kind",
    "title",
    "event_type",
    "subject",
    "code",
    "created_at",
    "email_status",
    "email_to",
    "email_message",
)
TYPES = (
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "timestamptz",
    "text",
    "text",
    "text",
)
# User ids per NOTIFY payload: PostgreSQL refuses payloads of 8000 bytes and more, and 100
# ids of up to 79 bytes stay under it.
CHUNK = 100
INSERT = f"""
WITH ins AS (
    INSERT INTO notifications ({", ".join(COLUMNS)}, email_at, email_next_at)
    SELECT {", ".join(f"r.{c}" for c in COLUMNS[:-1])}, r.email_message::jsonb,
           CASE WHEN r.email_status = 'no-address' THEN now() END,
           CASE WHEN r.email_status = 'pending' THEN now() END
    FROM unnest({", ".join(f"%s::{t}[]" for t in TYPES)}) AS r({", ".join(COLUMNS)})
    ON CONFLICT (id) DO NOTHING
    RETURNING user_id, email_status),
users AS (SELECT user_id, (row_number() OVER () - 1) / {CHUNK} AS chunk
          FROM (SELECT DISTINCT user_id FROM ins) u),
chunks AS (SELECT string_agg(user_id, ',') AS ids FROM users GROUP BY chunk)
SELECT (SELECT count(*) FROM ins) AS new,
       (SELECT count(pg_notify(%s, ids)) FROM chunks) AS woken,
       (SELECT count(pg_notify(%s, '')) FROM ins WHERE email_status = 'pending') AS emails
"""


async def insert_entries(
    conn: Conn, rows: Sequence[Mapping[str, Any]], inbox: str, outbox: str
) -> int:
    """Insert the inbox rows not there yet and, in the same statement, NOTIFY the live
    streams of their users (``inbox``) and the email sender (``outbox``) when one of them
    has an email to send (both delivered at commit). Returns how many rows were new."""
    if not rows:
        return 0
    columns: list[list[Any]] = [[row.get(c) for row in rows] for c in COLUMNS]
    columns[-1] = [
        None if m is None else json.dumps(m, ensure_ascii=False, default=str) for m in columns[-1]
    ]
    cur = await conn.execute(INSERT, [*columns, inbox, outbox])
    row = await cur.fetchone()
    return int(row["new"]) if row else 0


class PgEffects:
    """:class:`~services.notify.application.ports.Effects` on one connection, inside the
    transaction :meth:`PgNotifyStore.effects` opened."""

    def __init__(self, conn: Conn, inbox: str, outbox: str) -> None:
        self.conn = conn
        self.inbox = inbox
        self.outbox = outbox

    async def first_time(self, consumer: str, event_id: str) -> bool:
        return await first_time(self.conn, consumer, event_id)

    async def first_times(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        return await first_times(self.conn, consumer, event_ids)

    async def project(
        self, table: str, key: str, version: int, changes: Mapping[str, Any]
    ) -> Row | None:
        cur = await self.conn.execute(*project_query(table, key, version, changes))
        return await cur.fetchone()

    async def project_many(self, rows: Sequence[Projected]) -> list[Row | None]:
        # every statement sent before the first result is read: one round trip pipelined
        cursors = [
            await self.conn.execute(*project_query(r.table, r.key, r.version, r.changes))
            for r in rows
        ]
        return [await cur.fetchone() for cur in cursors]

    async def dossier(self, dossier_id: str | None) -> Row | None:
        return await dossier(self.conn, dossier_id)

    async def recipients(self, wanted: Sequence[Audience]) -> list[list[Row]]:
        return await recipients(self.conn, wanted)

    async def insert_entries(self, rows: Sequence[Mapping[str, Any]]) -> int:
        return await insert_entries(self.conn, rows, self.inbox, self.outbox)

    async def record_email(
        self, event_id: str, event_type: str, account_id: str, at: datetime
    ) -> bool:
        cur = await self.conn.execute(
            "WITH ins AS (INSERT INTO emails (id, event_type, account_id, status, created_at)"
            " VALUES (%s, %s, %s, 'pending', %s) ON CONFLICT (id) DO NOTHING RETURNING status)"
            " SELECT status FROM ins UNION ALL SELECT status FROM emails WHERE id = %s",
            (event_id, event_type, account_id, at, event_id),
        )
        row = await cur.fetchone()
        return bool(row and row["status"] == "pending")


class PgNotifyStore:
    """The consumers' writes: one transaction per batch, event or reminder."""

    def __init__(self, pool: Pool, inbox: str, outbox: str) -> None:
        self.pool = pool
        self.inbox = inbox  # NOTIFY channel of the live streams
        self.outbox = outbox  # NOTIFY channel of the email senders

    @asynccontextmanager
    async def effects(self, *, pipelined: bool = False) -> AsyncIterator[PgEffects]:
        async with self.pool.connection() as conn:
            if pipelined:
                async with conn.pipeline(), conn.transaction():
                    yield PgEffects(conn, self.inbox, self.outbox)
            else:
                async with conn.transaction():
                    yield PgEffects(conn, self.inbox, self.outbox)

    async def mark_email(self, event_id: str, status: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE emails SET status = %s, sent_at = now() WHERE id = %s", (status, event_id)
            )


INBOX_FIELDS = "id, kind, title, subject, code, event_type, read, created_at, recorded_at"


class PgInbox:
    """The read side of the inbox: every query by the user's id on an index of
    ``notifications`` (see adapters/tables.py)."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def page(
        self, user_id: str, *, unread: bool, before: tuple[datetime, str] | None, limit: int
    ) -> tuple[list[Row], int]:
        where, params = "user_id = %(user)s", {"user": user_id, "limit": limit}
        if unread:
            where += " AND NOT read"
        if before:
            params["at"], params["id"] = before
            where += " AND (created_at, id) < (%(at)s, %(id)s)"
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT {INBOX_FIELDS} FROM notifications WHERE {where}"
                " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
                params,
            )
            rows = await cur.fetchall()
            return rows, await _unread(conn, user_id)

    async def unread_count(self, user_id: str) -> int:
        async with self.pool.connection() as conn:
            return await _unread(conn, user_id)

    async def mark_read(self, user_id: str, entry_id: str) -> Row | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "WITH marked AS (UPDATE notifications SET read = true, read_at = now()"
                " WHERE id = %(id)s AND user_id = %(user)s AND NOT read RETURNING id)"
                f" SELECT {INBOX_FIELDS} FROM notifications"
                " WHERE id = %(id)s AND user_id = %(user)s",
                {"id": entry_id, "user": user_id},
            )
            return await cur.fetchone()

    async def entry(self, user_id: str, entry_id: str) -> Row | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, recorded_at FROM notifications WHERE id = %s AND user_id = %s",
                (entry_id, user_id),
            )
            return await cur.fetchone()

    async def recorded_since(self, user_id: str, since: datetime) -> list[Row]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                f"SELECT {INBOX_FIELDS} FROM notifications"
                " WHERE user_id = %s AND recorded_at >= %s ORDER BY recorded_at, id",
                (user_id, since),
            )
            return await cur.fetchall()

    async def preferences(self, user_id: str) -> dict[str, bool]:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT email FROM preferences WHERE user_id = %s", (user_id,))
            row = await cur.fetchone()
        return dict(row["email"]) if row else {}

    async def merge_preferences(self, user_id: str, email: Mapping[str, bool]) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO preferences AS p (user_id, email, updated_at, updated_by)"
                " VALUES (%(user)s, %(email)s, now(), %(user)s) ON CONFLICT (user_id) DO UPDATE"
                " SET email = p.email || EXCLUDED.email, updated_at = EXCLUDED.updated_at,"
                " updated_by = EXCLUDED.updated_by",
                {"user": user_id, "email": Jsonb(dict(email))},
            )


STATS_UPSERT = """
INSERT INTO stats (key, agency_code, procedure_code, received, on_time, late, updated_at)
VALUES (%(key)s, %(agency)s, %(procedure)s, %(received)s, %(on_time)s, %(late)s, now())
ON CONFLICT (key) DO UPDATE SET received = EXCLUDED.received, on_time = EXCLUDED.on_time,
    late = EXCLUDED.late, updated_at = EXCLUDED.updated_at
"""


class PgStats:
    """The mirror of the faust ``stats`` table, one row per ``<agency>|<procedure>``."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def rows(self, agency_code: str | None, procedure_code: str | None) -> list[Row]:
        conditions, params = [], []
        for column, value in (("agency_code", agency_code), ("procedure_code", procedure_code)):
            if value:
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        where = (
            sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
        )
        query = sql.SQL(
            "SELECT agency_code, procedure_code, received, on_time, late FROM stats{} ORDER BY key"
        ).format(where)
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, params)
            return await cur.fetchall()

    async def save(self, key: str, counts: Mapping[str, int]) -> None:
        agency, procedure = key.split("|", 1)
        async with self.pool.connection() as conn:
            await conn.execute(
                STATS_UPSERT,
                {
                    "key": key,
                    "agency": agency,
                    "procedure": procedure,
                    **{m: int(counts.get(m, 0)) for m in MEASURES},
                },
            )


async def _unread(conn: Conn, user_id: str) -> int:
    """The user's unread count, from the partial index of unread entries."""
    counted = await conn.execute(
        "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND NOT read", (user_id,)
    )
    return int((await counted.fetchone() or {"n": 0})["n"])
