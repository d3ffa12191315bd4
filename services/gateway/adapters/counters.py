"""Sliding-window request counters shared by every gateway instance, in PostgreSQL.

Counted requests go in batches: the hits that arrive while a statement is out are sent
together as the next one, so a busy gateway makes one round trip per batch, not one or
two per request. A batch is ONE statement (:data:`HIT`): per key it reads the previous
window's count, works out how many requests the current window may still let through,
and adds as many of the batch's hits as fit (``INSERT ... ON CONFLICT DO UPDATE ...
WHERE ... RETURNING``), recording in ``last_added`` how many that was. PostgreSQL locks
the row for the update and computes the addition on its newest version, so however many
instances race, a window never lets more than the limit through; a refused request is
not counted.

The window slides: the previous window's count, weighted by how much of it still
overlaps the last ``window_seconds``, takes room from the current one (the "sliding
window counter" approximation). A burst at the end of one window and another at the
start of the next therefore do not pass twice the limit. ``Retry-After`` is the time
until the next request would pass if no other came: while the previous window's
weight still holds the room, the moment it has slid out enough; else the next window.

Old windows are deleted by each instance when it first sees a new window, in the
background and in batches (``shared.pg.prune``; index on ``window_no``: no scan, no
long lock, nothing per request).

If PostgreSQL does not answer, requests are let through (and logged) for a while rather
than the whole entry point failing with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.gateway.adapters.tables import metadata
from services.gateway.domain.ratelimit import retry_after
from services.gateway.migrations import MIGRATIONS_DIR
from shared.pg.migrate import migrate
from shared.pg.pools import connection_kwargs
from shared.pg.prune import prune

log = logging.getLogger(__name__)

FAIL_OPEN_SECONDS = 10.0
CONNECT_SECONDS = 1.0  # the longest a request waits for the store before it is let through
STORE_ERRORS = (psycopg.Error, PoolTimeout, OSError)

HIT = """
WITH asked AS (
    SELECT * FROM unnest(%(keys)s::text[], %(limits)s::integer[], %(counts)s::integer[])
        AS a(key, lim, n)
), room AS (
    SELECT a.key, a.n, coalesce(p.hits, 0) AS previous,
           a.lim - floor(coalesce(p.hits, 0) * %(overlap)s)::integer AS allowed
    FROM asked a
    LEFT JOIN rate_counters p ON p.key = a.key AND p.window_no = %(window)s - 1
), claimed AS (
    INSERT INTO rate_counters AS c (key, window_no, hits, last_added)
    SELECT key, %(window)s, least(n, allowed), least(n, allowed) FROM room WHERE allowed >= 1
    ON CONFLICT (key, window_no) DO UPDATE
    SET hits = c.hits + least((SELECT n FROM room r WHERE r.key = c.key),
                              (SELECT allowed FROM room r WHERE r.key = c.key) - c.hits),
        last_added = least((SELECT n FROM room r WHERE r.key = c.key),
                           (SELECT allowed FROM room r WHERE r.key = c.key) - c.hits)
    WHERE c.hits < (SELECT allowed FROM room r WHERE r.key = c.key)
    RETURNING c.key, c.hits, c.last_added
)
SELECT room.key, room.previous, coalesce(claimed.last_added, 0) AS granted,
       coalesce(claimed.hits, (SELECT hits FROM rate_counters
                               WHERE key = room.key AND window_no = %(window)s)) AS current
FROM room LEFT JOIN claimed ON claimed.key = room.key
"""


class PgWindowCounter:
    """The :class:`~services.gateway.application.ports.Counter` on PostgreSQL."""

    def __init__(
        self, dsn: str, schema: str, window_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.dsn = dsn
        self.schema = schema
        self.window_seconds = window_seconds
        self.clock = clock
        self.pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            dsn,
            kwargs={**connection_kwargs(schema), "connect_timeout": 2},
            min_size=1,
            max_size=10,
            open=False,
            timeout=CONNECT_SECONDS,
            name="gateway-rate-limits",
        )
        self._migrated = False
        self._migrating: asyncio.Task[None] | None = None
        self._pruned_window = -1
        self._open_until = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: list[tuple[str, int, asyncio.Future[float | None]]] = []
        self._sending: asyncio.Task[None] | None = None
        self.statements = 0  # batches sent: hits / statements is how well batching pays

    async def start(self) -> None:
        """Migrate the gateway's schema and open the pool; a store that does not answer
        leaves the limits open until it does (tried again in the background)."""
        await self._migrate()
        await self.pool.open(wait=False)

    async def close(self) -> None:
        pending = [self._migrating, self._sending]
        for task in [*self._tasks, *(t for t in pending if t is not None)]:
            task.cancel()
        await self.pool.close()

    async def _migrate(self) -> None:
        try:
            await asyncio.to_thread(
                migrate, self._migration_dsn(), self.schema, MIGRATIONS_DIR, metadata
            )
        except Exception as error:
            self._fail_open(error)
        else:
            self._migrated = True

    def _migration_dsn(self) -> str:
        separator = "&" if "?" in self.dsn else "?"
        return f"{self.dsn}{separator}connect_timeout=2"

    def _fail_open(self, error: BaseException) -> None:
        self._open_until = self.clock() + FAIL_OPEN_SECONDS
        log.warning(
            "rate-limit counters unavailable, not limiting for %.0fs: %r", FAIL_OPEN_SECONDS, error
        )

    async def hit(self, key: str, limit: int) -> float | None:
        now = self.clock()
        if now < self._open_until:
            return None
        if not self._migrated:
            if self._migrating is None or self._migrating.done():
                self._migrating = asyncio.get_running_loop().create_task(self._migrate())
            return None
        answer: asyncio.Future[float | None] = asyncio.get_running_loop().create_future()
        self._pending.append((key, limit, answer))
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send())
        return await answer

    async def _send(self) -> None:
        """Send what is pending as one statement, again while more came meanwhile."""
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                await self._count(batch)
        finally:
            self._sending = None

    async def _count(self, batch: list[tuple[str, int, asyncio.Future[float | None]]]) -> None:
        now = self.clock()
        window = int(now // self.window_seconds)
        overlap = 1 - (now / self.window_seconds - window)  # of the previous window
        asked: dict[str, list[Any]] = {}  # key -> [limit, how many]
        for key, limit, _ in batch:
            asked.setdefault(key, [limit, 0])[1] += 1
        params = {
            "keys": list(asked),
            "limits": [limit for limit, _ in asked.values()],
            "counts": [n for _, n in asked.values()],
            "window": window,
            "overlap": overlap,
        }
        try:
            self._prune(window)
            async with self.pool.connection() as conn:
                self.statements += 1
                cur = await conn.execute(HIT, params)
                rows = {row["key"]: row for row in await cur.fetchall()}
        except STORE_ERRORS as error:
            self._fail_open(error)
            rows = {}
        except BaseException as error:
            for *_, answer in batch:
                if not answer.done():
                    answer.set_exception(error)
            raise
        granted = {key: int(row["granted"]) for key, row in rows.items()}
        for key, limit, answer in batch:
            if answer.done():  # its request went away meanwhile
                continue
            row = rows.get(key)
            if row is None or granted[key] > 0:
                if row is not None:
                    granted[key] -= 1
                answer.set_result(None)
                continue
            answer.set_result(
                retry_after(
                    now, self.window_seconds, limit, int(row["previous"]), int(row["current"] or 0)
                )
            )

    def _prune(self, window: int) -> None:
        if window == self._pruned_window:
            return
        self._pruned_window = window
        task = asyncio.get_running_loop().create_task(self._delete_before(window))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _delete_before(self, window: int) -> None:
        try:
            # the last window still weighs in the sliding count: keep it
            await prune(self.pool, "rate_counters", "window_no", window - 1)
        except STORE_ERRORS as error:
            log.warning("could not prune old rate-limit windows: %r", error)
