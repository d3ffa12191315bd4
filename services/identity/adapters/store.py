"""identity's store on PostgreSQL: accounts, sessions, throttle counters, the form limits'
attempt logs, used captchas.

Every change to an account is one ``UPDATE ... WHERE id = %s AND version = %s`` (the
version it was read at), and the events it causes go to the outbox in the same
transaction, numbered from the version (see domain/accounts.py); the relay publishes
them. A second registration of one email breaks the unique key on ``email_key``.
Sessions and throttle counters are not part of any account's history and emit no
events. Until the pool is attached (the engines may be down at start-up), every call
raises :class:`StoreUnavailableError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from services.identity.adapters.account_rows import QUIET, apply, to_doc, to_row, touched
from services.identity.application.ports import Change
from services.identity.domain.accounts import identity_event
from services.identity.domain.errors import STORE_DETAIL, EmailTakenError
from services.identity.domain.limits import Window, take
from shared.errors import StoreUnavailableError
from shared.events.envelope import Actor, IntegrationEvent
from shared.logs import correlation_id
from shared.pg.outbox import record_events

Doc = dict[str, Any]
EMAIL_KEY = "accounts_email_key_unique"
TOKEN_COLUMNS = {"activation": "activation_token_hash", "reset": "reset_token_hash"}


def _assignments(values: dict[str, Any]) -> sql.Composed:
    return sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values)


def _guards(guard: dict[str, Any] | None) -> tuple[sql.Composable, list[Any]]:
    """``AND column IS NOT DISTINCT FROM %s`` for each guarded path (columns only)."""
    columns, data = touched(guard or {})
    if data or len(columns) != len(guard or {}):
        raise ValueError(f"guards name single columns only: {guard}")
    clauses = [
        sql.SQL(" AND {} IS NOT DISTINCT FROM %s").format(sql.Identifier(c)) for c in columns
    ]
    return sql.Composed(clauses), list((guard or {}).values())


class AccountStore:
    def __init__(self, pool: AsyncConnectionPool[Any] | None = None) -> None:
        self._pool = pool

    def attach(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool

    @property
    def pool(self) -> AsyncConnectionPool[Any]:
        if self._pool is None:
            raise StoreUnavailableError(STORE_DETAIL)  # not attached to its pool yet
        return self._pool

    async def ping(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute("SELECT 1")

    def _events(
        self, account_id: str, first: int, changes: list[Change], actor: Actor, now: datetime
    ) -> list[IntegrationEvent]:
        return [
            identity_event(account_id, first + i, c.type, c.data, actor, now, correlation_id.get())
            for i, c in enumerate(changes)
        ]

    async def insert(
        self, account: Doc, changes: list[Change], actor: Actor, now: datetime
    ) -> None:
        row = to_row({**account, "version": len(changes)})
        row["data"] = Jsonb(row["data"])
        query = sql.SQL("INSERT INTO accounts ({}) VALUES ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, row)),
            sql.SQL(", ").join(sql.Placeholder() * len(row)),
        )
        try:
            async with self.pool.connection() as conn, conn.transaction():
                await conn.execute(query, list(row.values()))
                await record_events(conn, self._events(account["_id"], 1, changes, actor, now))
        except psycopg.errors.UniqueViolation as error:
            if error.diag.constraint_name == EMAIL_KEY:
                raise EmailTakenError() from error
            raise

    async def update(
        self,
        account: Doc,
        changes: list[Change],
        actor: Actor,
        now: datetime,
        *,
        set_: dict[str, Any] | None = None,
        unset: list[str] | None = None,
        push: dict[str, Any] | None = None,
        guard: dict[str, Any] | None = None,
    ) -> bool:
        """Apply the change iff the account is still at the version it was read at
        (and matches ``guard``); False if someone else changed it first. The new
        ``data`` is computed from the account as read: only a versioned change writes
        it, so the version check is what keeps a concurrent change from being lost."""
        version = account["version"]
        columns, data = touched([*(set_ or {}), *(unset or []), *(push or {})])
        row = to_row(apply(account, set_, unset or [], push))
        values: dict[str, Any] = {c: row[c] for c in columns}
        if data:
            values["data"] = Jsonb(row["data"])
        values["version"] = version + len(changes)
        where, guarded = _guards(guard)
        query = sql.SQL("UPDATE accounts SET {} WHERE id = %s AND version = %s{}").format(
            _assignments(values), where
        )
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(query, [*values.values(), account["_id"], version, *guarded])
            if cur.rowcount != 1:
                return False
            await record_events(
                conn, self._events(account["_id"], version + 1, changes, actor, now)
            )
        return True

    async def set_quietly(
        self, account_id: str, set_: dict[str, Any], guard: dict[str, Any] | None = None
    ) -> bool:
        """A change that is bookkeeping, not history (login counters, rehash): only the
        columns of :data:`QUIET`, each written on its own."""
        columns, data = touched(set_)
        if data or not set(columns) <= QUIET:
            raise ValueError(f"not bookkeeping: {sorted(set_)}")
        row = to_row(apply({}, set_))
        values = {c: row[c] for c in columns}
        where, guarded = _guards(guard)
        query = sql.SQL("UPDATE accounts SET {} WHERE id = %s{}").format(
            _assignments(values), where
        )
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, [*values.values(), account_id, *guarded])
        return cur.rowcount == 1

    async def count_login_attempt(self, account_id: str, step: int = 1) -> int:
        """Atomically add ``step`` to the account's failure streak; the new count."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE accounts SET login_failures = login_failures + %s WHERE id = %s"
                " RETURNING login_failures",
                (step, account_id),
            )
            row = await cur.fetchone()
        return int(row["login_failures"]) if row else 1

    async def _one(self, column: str, value: str) -> Doc | None:
        query = sql.SQL("SELECT * FROM accounts WHERE {} = %s").format(sql.Identifier(column))
        async with self.pool.connection() as conn:
            row = await (await conn.execute(query, (value,))).fetchone()
        return to_doc(row) if row else None

    async def by_id(self, account_id: str) -> Doc | None:
        return await self._one("id", account_id)

    async def by_email_key(self, email_key: str) -> Doc | None:
        return await self._one("email_key", email_key)

    async def by_token(self, purpose: str, token_hash: str) -> Doc | None:
        return await self._one(TOKEN_COLUMNS[purpose], token_hash)

    async def staff_of(self, agency_code: str, limit: int = 1000) -> list[Doc]:
        """The officer accounts of one agency (any status), without secrets."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT id, status, data->'profile'->>'full_name' AS full_name,"
                " data->'officer_roles' AS officer_roles FROM accounts"
                " WHERE kind = 'officer' AND agency_code = %s LIMIT %s",
                (agency_code, limit),
            )
            rows = await cur.fetchall()
        return [
            {
                "_id": r["id"],
                "status": r["status"],
                "profile": {"full_name": r["full_name"] or ""},
                "officer_roles": r["officer_roles"] or [],
            }
            for r in rows
        ]

    async def document_files(self) -> set[str]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT DISTINCT d->'file'->>'sha256' AS sha256 FROM accounts,"
                " jsonb_array_elements(COALESCE(data->'documents', '[]'::jsonb)) AS d"
            )
            rows = await cur.fetchall()
        return {r["sha256"] for r in rows if r["sha256"]}

    # sessions ----------------------------------------------------------------------------

    async def open_session(self, session: Doc, now: datetime) -> None:
        """Store a new session; the account's sessions that can no longer refresh go."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(
                "DELETE FROM sessions WHERE account_id = %s AND expires_at < %s",
                (session["account_id"], now),
            )
            await conn.execute(
                "INSERT INTO sessions (id, account_id, token_hash, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (
                    session["id"],
                    session["account_id"],
                    session["token_hash"],
                    session["created_at"],
                    session["expires_at"],
                ),
            )

    async def session(self, session_id: str) -> Doc | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM sessions WHERE id = %s", (session_id,))
            return await cur.fetchone()

    async def rotate_session(
        self, session_id: str, presented: str, new_hash: str, now: datetime
    ) -> bool:
        """Replace the session's token hash iff it is still ``presented`` and the session
        is not revoked; False if a concurrent refresh won."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "UPDATE sessions SET token_hash = %s, rotated_at = %s,"
                " previous_hashes = array_append(previous_hashes, token_hash)"
                " WHERE id = %s AND token_hash = %s AND revoked_at IS NULL",
                (new_hash, now, session_id, presented),
            )
        return cur.rowcount == 1

    async def revoke_sessions(
        self,
        now: datetime,
        *,
        account_id: str | None = None,
        session_id: str | None = None,
        keep: str | None = None,
    ) -> int:
        """Revoke one session, or an account's sessions but ``keep``; how many ended."""
        if (account_id is None) == (session_id is None):
            raise ValueError("revoke one session or one account's sessions")
        column = "account_id" if account_id is not None else "id"
        query = sql.SQL(
            "UPDATE sessions SET revoked_at = %s WHERE {} = %s"
            " AND revoked_at IS NULL AND id IS DISTINCT FROM %s"
        ).format(sql.Identifier(column))
        async with self.pool.connection() as conn:
            cur = await conn.execute(query, (now, account_id or session_id, keep))
        return cur.rowcount

    # client-address and per-key counters -------------------------------------------------

    async def count_in_window(
        self, key: str, now: datetime, window_seconds: int, increment: int = 1
    ) -> int:
        """Add ``increment`` to ``key``'s count in its current fixed window (one that
        started ``window_seconds`` or more ago is over: the count starts again); return
        the count. One atomic statement; ``increment=0`` only reads."""
        async with self.pool.connection() as conn:
            if not increment:
                cur = await conn.execute(
                    "SELECT count FROM throttle WHERE key = %s"
                    " AND window_start > %s - make_interval(secs => %s)",
                    (key, now, float(window_seconds)),
                )
            else:
                cur = await conn.execute(
                    "INSERT INTO throttle AS t (key, window_start, count) VALUES (%s, %s, %s)"
                    " ON CONFLICT (key) DO UPDATE SET"
                    " count = CASE WHEN t.window_start <= EXCLUDED.window_start"
                    "   - make_interval(secs => %s) THEN EXCLUDED.count"
                    "   ELSE t.count + EXCLUDED.count END,"
                    " window_start = CASE WHEN t.window_start <= EXCLUDED.window_start"
                    "   - make_interval(secs => %s) THEN EXCLUDED.window_start"
                    "   ELSE t.window_start END"
                    " RETURNING count",
                    (key, now, increment, float(window_seconds), float(window_seconds)),
                )
            row = await cur.fetchone()
        return int(row["count"]) if row else 0

    async def take_attempt(self, windows: Mapping[str, Window], now: datetime) -> float:
        """Count one attempt under every key of ``windows`` or under none (see the port).

        One transaction: the first statement creates the keys' rows if absent and locks
        them, in key order (so two requests sharing keys never deadlock, and pruning
        cannot delete a row in between); the domain decides; the second writes the logs
        back only if the attempt counted."""
        keys = sorted(windows)
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "INSERT INTO attempt_logs AS l (key, counted, expires_at)"
                " SELECT k, '{}', %s FROM unnest(%s::text[]) AS k ORDER BY k"
                " ON CONFLICT (key) DO UPDATE SET expires_at = l.expires_at"
                " RETURNING key, counted",
                (now, keys),
            )
            logs = {row["key"]: row["counted"] for row in await cur.fetchall()}
            outcome = take(windows, logs, now)
            if outcome.wait:
                return outcome.wait
            async with conn.cursor() as writes:
                await writes.executemany(
                    "UPDATE attempt_logs SET counted = %s, expires_at = %s WHERE key = %s",
                    [(outcome.counted[k], outcome.expires_at(k, windows[k]), k) for k in keys],
                )
        return 0.0

    async def use_captcha(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record a solved challenge; False if it was used before. Expired records go:
        their challenges fail on expiry anyway."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("DELETE FROM captchas_used WHERE expires_at < %s", (now,))
            cur = await conn.execute(
                "INSERT INTO captchas_used (nonce, expires_at) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (nonce, expires_at),
            )
        return cur.rowcount == 1
