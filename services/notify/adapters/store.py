"""The SQL of notify's consumers (server-side parameters, dict rows).

Each consumed event costs one transaction of a few statements: the processed-event
record, the dossier projection written and read back in one statement, the
recipients with their preferences in one query, and the inbox rows inserted in one
statement that also returns the emails still pending. ``LISTEN``/``NOTIFY`` on
:func:`inbox_channel` tells the open live streams whose inbox changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from shared.pg.effects import upsert_versioned_sql
from shared.pg.listen import notify

Conn = psycopg.AsyncConnection[Any]
Row = dict[str, Any]
PAYLOAD_LIMIT = 7000  # bytes; PostgreSQL refuses NOTIFY payloads of 8000 and more


def inbox_channel(schema: str) -> str:
    """The NOTIFY channel of one notify schema (channels are database-wide)."""
    return f"motcua_inbox_{schema}"[:63]


async def project(conn: Conn, table: str, key: str, version: int,
                  values: Mapping[str, Any]) -> Row | None:
    """Version-guarded upsert of ``table``'s row ``key``, returning the row as it is now
    (written or not) in the same statement."""
    upsert = upsert_versioned_sql(table, "id", list(values))
    query = sql.SQL(
        "WITH up AS ({upsert} RETURNING *) SELECT * FROM up UNION ALL"
        " SELECT * FROM {table} WHERE id = %s AND NOT EXISTS (SELECT 1 FROM up)"
    ).format(upsert=upsert, table=sql.Identifier(table))
    cur = await conn.execute(query, [key, version, *values.values(), key])
    return await cur.fetchone()


async def dossier(conn: Conn, dossier_id: str | None) -> Row | None:
    if not dossier_id:
        return None
    cur = await conn.execute("SELECT * FROM dossiers WHERE id = %s", (dossier_id,))
    return await cur.fetchone()


RECIPIENTS = """
SELECT p.audience, p.user_id, p.email, pr.email AS prefs
FROM (
    SELECT 'owner' AS audience, %(owner)s::text AS user_id,
           COALESCE(NULLIF(%(contact)s::text, ''),
                    (SELECT a.email FROM accounts a WHERE a.id = %(owner)s::text)) AS email
    WHERE %(owners)s AND %(owner)s::text IS NOT NULL AND %(owner)s::text <> ''
    UNION ALL
    SELECT 'officers', a.id, a.email FROM accounts a
    WHERE %(officers)s AND a.agency_code = %(agency)s::text AND a.kind = 'officer'
) p
LEFT JOIN preferences pr ON pr.user_id = p.user_id
ORDER BY p.audience, p.user_id
"""


async def recipients(conn: Conn, *, owner: str | None, contact: str | None,
                     agency: str | None, owners: bool, officers: bool) -> list[Row]:
    """The owner (the form's address, else the account's) and the agency's officers,
    each with their email preferences: one query."""
    if not (owners or officers):
        return []
    cur = await conn.execute(RECIPIENTS, {"owner": owner, "contact": contact, "agency": agency,
                                          "owners": owners, "officers": officers and bool(agency)})
    return await cur.fetchall()


COLUMNS = ("id", "source_id", "user_id", "kind", "title", "event_type", "subject", "code",
           "created_at", "email_status")
INSERT = f"""
WITH ins AS (
    INSERT INTO notifications ({", ".join(COLUMNS)}, email_at)
    SELECT r.*, CASE WHEN r.email_status = 'no-address' THEN now() END
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::text[], %s::text[], %s::timestamptz[], %s::text[]) AS r({", ".join(COLUMNS)})
    ON CONFLICT (id) DO NOTHING
    RETURNING id, user_id, email_status)
SELECT id, user_id, email_status, true AS new FROM ins
UNION ALL
SELECT id, user_id, email_status, false FROM notifications
WHERE id = ANY(%s::text[]) AND email_status = 'pending'
"""


async def insert_entries(conn: Conn, rows: Sequence[Mapping[str, Any]]) -> list[Row]:
    """Insert the inbox rows not there yet; returns the new rows and the earlier ones
    whose email is still pending (each with ``new``)."""
    if not rows:
        return []
    columns = [[row[c] for row in rows] for c in COLUMNS]
    cur = await conn.execute(INSERT, [*columns, columns[0]])
    return await cur.fetchall()


async def wake(conn: Conn, channel: str, user_ids: Iterable[str]) -> None:
    """NOTIFY the live streams of ``user_ids`` (delivered at commit)."""
    batch: list[str] = []
    size = 0
    for user in sorted(set(user_ids)):
        if batch and size + len(user) + 1 > PAYLOAD_LIMIT:
            await notify(conn, channel, ",".join(batch))
            batch, size = [], 0
        batch.append(user)
        size += len(user.encode()) + 1
    if batch:
        await notify(conn, channel, ",".join(batch))


async def mark_emails(conn: Conn, entry_ids: list[str], status: str) -> None:
    if entry_ids:
        await conn.execute(
            "UPDATE notifications SET email_status = %s, email_at = now()"
            " WHERE id = ANY(%s) AND email_status = 'pending'", (status, entry_ids))


def entry_row(entry_id: str, source_id: str, user_id: str, notice_kind: str, title: str,
              event_type: str, subject: str | None, code: str | None, at: datetime,
              email_status: str) -> Row:
    return {"id": entry_id, "source_id": source_id, "user_id": user_id, "kind": notice_kind,
            "title": title, "event_type": event_type, "subject": subject, "code": code,
            "created_at": at, "email_status": email_status}
