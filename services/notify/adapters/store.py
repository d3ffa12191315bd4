"""The SQL of notify's consumers (server-side parameters, dict rows).

Each consumed event costs one transaction of three round trips: the processed-event
record and the dossier projection (written and read back in one statement) pipelined,
the recipients with their preferences in one query, and the inbox rows inserted in one
statement that also NOTIFYs. ``LISTEN``/``NOTIFY`` on :func:`inbox_channel` tells the
open live streams whose inbox changed, on :func:`email_channel` the email senders that
there is mail; the senders claim due rows with ``FOR UPDATE SKIP LOCKED``
(:func:`claim_emails`), so several notify processes share the queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from shared.pg.effects import upsert_versioned_sql
from shared.pg.listen import notify

Conn = psycopg.AsyncConnection[Any]
Row = dict[str, Any]


def inbox_channel(schema: str) -> str:
    """The NOTIFY channel of one notify schema (channels are database-wide)."""
    return f"motcua_inbox_{schema}"[:63]


def email_channel(schema: str) -> str:
    """The NOTIFY channel waking the email senders of one notify schema."""
    return f"motcua_email_{schema}"[:63]


async def project(
    conn: Conn, table: str, key: str, version: int, values: Mapping[str, Any]
) -> Row | None:
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


async def recipients(
    conn: Conn,
    *,
    owner: str | None,
    contact: str | None,
    agency: str | None,
    owners: bool,
    officers: bool,
) -> list[Row]:
    """The owner (the form's address, else the account's) and the agency's officers,
    each with their email preferences: one query."""
    if not (owners or officers):
        return []
    cur = await conn.execute(
        RECIPIENTS,
        {
            "owner": owner,
            "contact": contact,
            "agency": agency,
            "owners": owners,
            "officers": officers and bool(agency),
        },
    )
    return await cur.fetchall()


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


CLAIM = """
UPDATE notifications n
SET email_next_at = now() + make_interval(secs => %(lease)s),
    email_attempts = n.email_attempts + 1
FROM (SELECT id FROM notifications
      WHERE email_status = 'pending' AND email_next_at <= now()
      ORDER BY email_next_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED) due
WHERE n.id = due.id
RETURNING n.id, n.email_to, n.email_message, n.email_attempts
"""


async def claim_emails(conn: Conn, limit: int, lease_seconds: float) -> list[Row]:
    """Take up to ``limit`` due emails for ``lease_seconds``: rows another sender holds are
    skipped, and a claim not marked within the lease (its sender crashed) is due again."""
    cur = await conn.execute(CLAIM, {"limit": limit, "lease": lease_seconds})
    return await cur.fetchall()


async def release_emails(conn: Conn, entry_ids: list[str]) -> None:
    """Hand claimed emails back unattempted: due now, the claim's attempt not counted."""
    if entry_ids:
        await conn.execute(
            "UPDATE notifications SET email_next_at = now(),"
            " email_attempts = greatest(email_attempts - 1, 0)"
            " WHERE id = ANY(%s) AND email_status = 'pending'",
            (entry_ids,),
        )


async def mark_emails(conn: Conn, entry_ids: list[str], status: str) -> None:
    if entry_ids:
        await conn.execute(
            "UPDATE notifications SET email_status = %s, email_at = now(), email_next_at = NULL"
            " WHERE id = ANY(%s) AND email_status = 'pending'",
            (status, entry_ids),
        )


async def email_failed(conn: Conn, entry_id: str, error: str, retry_in: float | None) -> None:
    """An SMTP attempt failed: try again in ``retry_in`` seconds, or (None) give up and
    keep the email as ``failed`` with the server's answer."""
    if retry_in is None:
        await conn.execute(
            "UPDATE notifications SET email_status = 'failed', email_error = %s,"
            " email_at = now(), email_next_at = NULL"
            " WHERE id = %s AND email_status = 'pending'",
            (error, entry_id),
        )
    else:
        await conn.execute(
            "UPDATE notifications SET email_error = %s,"
            " email_next_at = now() + make_interval(secs => %s)"
            " WHERE id = %s AND email_status = 'pending'",
            (error, retry_in, entry_id),
        )


async def retry_failed_emails(conn: Conn, outbox: str) -> int:
    """Put every ``failed`` email back in the queue (the operator's replay); NOTIFY the
    senders."""
    cur = await conn.execute(
        "UPDATE notifications SET email_status = 'pending', email_attempts = 0,"
        " email_next_at = now(), email_at = NULL WHERE email_status = 'failed'"
    )
    if cur.rowcount:
        await notify(conn, outbox)
    return cur.rowcount


def entry_row(
    entry_id: str,
    source_id: str,
    user_id: str,
    notice_kind: str,
    title: str,
    event_type: str,
    subject: str | None,
    code: str | None,
    at: datetime,
    email_status: str,
    email_to: str | None = None,
    email_message: Mapping[str, Any] | None = None,
) -> Row:
    return {
        "id": entry_id,
        "source_id": source_id,
        "user_id": user_id,
        "kind": notice_kind,
        "title": title,
        "event_type": event_type,
        "subject": subject,
        "code": code,
        "created_at": at,
        "email_status": email_status,
        "email_to": email_to,
        "email_message": email_message,
    }
