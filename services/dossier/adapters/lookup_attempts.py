"""The public lookup's tries per code in PostgreSQL, so every API instance sees the same
count and lock. One transaction per try: the code's row is created if absent, then
locked (``FOR UPDATE``) while the next record is computed, so concurrent tries of one
code are counted one after the other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg_pool import ConnectionPool

from services.dossier.domain.lookup import Attempts, LookupPolicy, one_more

_CREATE = """
INSERT INTO lookup_attempts (code, count, since, expires_at) VALUES (%s, 0, %s, %s)
ON CONFLICT (code) DO NOTHING
"""
_READ = "SELECT count, since, locked_until FROM lookup_attempts WHERE code = %s FOR UPDATE"
_WRITE = """
UPDATE lookup_attempts SET count = %s, since = %s, locked_until = %s, expires_at = %s
WHERE code = %s
"""


class PgLookupAttempts:
    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool

    def count(self, code: str, now: datetime, policy: LookupPolicy) -> Attempts:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute(_CREATE, (code, now, now + policy.window))
            row = conn.execute(_READ, (code,)).fetchone()
            fresh = row is None or row["count"] == 0  # created just now
            previous = None if fresh else Attempts(row["count"], row["since"], row["locked_until"])
            after = one_more(previous, now, policy)
            conn.execute(
                _WRITE,
                (after.count, after.since, after.locked_until, after.expires_at(policy), code),
            )
        return after

    def clear(self, code: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM lookup_attempts WHERE code = %s", (code,))
