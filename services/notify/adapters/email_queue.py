"""The email sender's queue: the inbox rows whose email is ``pending``, in PostgreSQL.

Senders claim due rows with ``FOR UPDATE SKIP LOCKED`` for a lease, so several notify
processes share the queue and none takes a row another holds; a claim not marked within
its lease (its sender crashed) is due again. The inbox writes NOTIFY the senders on
``email_channel`` (adapters/store.py).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from shared.pg.listen import notify

Row = dict[str, Any]

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


class PgEmailQueue:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self.pool = pool

    async def claim(self, limit: int, lease_seconds: float) -> list[Row]:
        """Take up to ``limit`` due emails for ``lease_seconds``."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(CLAIM, {"limit": limit, "lease": lease_seconds})
            return await cur.fetchall()

    async def release(self, entry_ids: list[str]) -> None:
        """Hand claimed emails back unattempted: due now, the claim's attempt not counted."""
        if not entry_ids:
            return
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE notifications SET email_next_at = now(),"
                " email_attempts = greatest(email_attempts - 1, 0)"
                " WHERE id = ANY(%s) AND email_status = 'pending'",
                (entry_ids,),
            )

    async def sent(self, entry_id: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE notifications SET email_status = 'sent', email_at = now(),"
                " email_next_at = NULL WHERE id = %s AND email_status = 'pending'",
                (entry_id,),
            )

    async def failed(self, entry_id: str, error: str, retry_in: float | None) -> None:
        """An SMTP attempt failed: try again in ``retry_in`` seconds, or (None) give up and
        keep the email as ``failed`` with the server's answer."""
        async with self.pool.connection() as conn:
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


async def retry_failed_emails(conn: psycopg.AsyncConnection[Any], outbox: str) -> int:
    """Put every ``failed`` email back in the queue (the operator's replay); NOTIFY the
    senders."""
    cur = await conn.execute(
        "UPDATE notifications SET email_status = 'pending', email_attempts = 0,"
        " email_next_at = now(), email_at = NULL WHERE email_status = 'failed'"
    )
    if cur.rowcount:
        await notify(conn, outbox)
    return cur.rowcount
