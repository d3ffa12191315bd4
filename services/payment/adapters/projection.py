"""The MongoDB read model of orders, fed from the event store's notification log.

Position is a tracking record in the event store, written after the MongoDB
writes; a crash in between re-applies a batch, which the per-document version
guard turns into no-ops. Each changed order is written whole (its current
state), so the read model never depends on applying deltas in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from eventsourcing.persistence import Tracking
from pymongo.asynchronous.database import AsyncDatabase

from services.payment.application.payments import PaymentApplication
from services.payment.domain.views import order_view
from shared.mongo import apply_versioned

log = logging.getLogger(__name__)


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db.orders.create_index([("payer_id", 1), ("created_at", -1)])
    await db.orders.create_index([("agency_code", 1), ("created_at", -1)])
    await db.orders.create_index([("dossier_id", 1)])


class OrderProjection:
    def __init__(self, app: PaymentApplication, db: AsyncDatabase[dict[str, Any]],
                 batch_size: int = 200, idle_seconds: float = 0.2) -> None:
        self.app = app
        self.db = db
        self.name = f"mongo-orders:{db.name}"
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.tracking = app.factory.tracking_recorder()

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

    async def project_once(self) -> int:
        position = await asyncio.to_thread(self.tracking.max_tracking_id, self.name) or 0
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, position, self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            return 0
        for order_id in dict.fromkeys(n.originator_id for n in notifications):
            order = await asyncio.to_thread(self.app.repository.get, order_id)
            view = order_view(order)
            version = view.pop("version")
            await apply_versioned(self.db.orders, str(order_id), version, view)
        await asyncio.to_thread(self.tracking.insert_tracking,
                                Tracking(self.name, notifications[-1].id))
        return len(notifications)
