"""The read model of orders (table ``orders``), fed from the event store's notification log.

Exactly-once: each batch's order rows and the projection's position commit in one
PostgreSQL transaction, with the position row locked meanwhile (two projectors never
apply one batch at once). Each changed order is written whole (its current state,
version-guarded), so the read model never depends on applying deltas in order, and a
projection restarted anywhere, or from zero, ends with the same rows. :meth:`rebuild`
(``motcua projections rebuild payment``) does it from zero in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from services.payment.adapters.store import locked_position, save_views, set_position
from services.payment.application.payments import PaymentApplication
from services.payment.application.views import order_view

log = logging.getLogger(__name__)

NAME = "orders"


class OrderProjection:
    def __init__(
        self,
        app: PaymentApplication,
        pool: AsyncConnectionPool[Any],
        batch_size: int = 200,
        idle_seconds: float = 0.2,
    ) -> None:
        self.app = app
        self.pool = pool
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds

    async def run(self) -> None:
        while True:
            try:
                done = await self.project_once()
            except Exception:
                log.exception("projection failed; retrying")
                await asyncio.sleep(2)
                continue
            if not done:
                await asyncio.sleep(self.idle_seconds)

    def _views(self, order_ids: list[UUID]) -> list[dict[str, Any]]:
        return [order_view(self.app.repository.get(order_id)) for order_id in order_ids]

    async def project_once(self) -> int:
        """Apply the next batch of notifications; returns how many it covered."""
        async with self.pool.connection() as conn, conn.transaction():
            position = await locked_position(conn, NAME)
            notifications = await asyncio.to_thread(
                self.app.recorder.select_notifications,
                position,
                self.batch_size,
                inclusive_of_start=False,
            )
            if not notifications:
                return 0
            order_ids = list(dict.fromkeys(UUID(str(n.originator_id)) for n in notifications))
            await save_views(conn, await asyncio.to_thread(self._views, order_ids))
            await set_position(conn, NAME, notifications[-1].id)
        return len(notifications)

    async def rebuild(self, chunk: int = 200) -> int:
        """Empty the read model and write every order's current view again, with the
        position at the log's end, in one transaction (readers see the old rows until it
        commits, the live projection waits on the position's lock); returns the position."""
        recorder = self.app.recorder
        async with self.pool.connection() as conn, conn.transaction():
            await locked_position(conn, NAME)
            last = await asyncio.to_thread(recorder.max_notification_id) or 0
            order_ids: dict[UUID, None] = {}
            position = 0
            while position < last:
                notifications = await asyncio.to_thread(
                    recorder.select_notifications,
                    position,
                    1000,
                    stop=last,
                    inclusive_of_start=False,
                )
                if not notifications:
                    break
                order_ids.update(dict.fromkeys(UUID(str(n.originator_id)) for n in notifications))
                position = notifications[-1].id
            await conn.execute("DELETE FROM orders")
            ids = list(order_ids)
            for start in range(0, len(ids), chunk):
                views = await asyncio.to_thread(self._views, ids[start : start + chunk])
                await save_views(conn, views)
            await set_position(conn, NAME, last)
        return last
