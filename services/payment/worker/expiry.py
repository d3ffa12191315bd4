"""The periodic sweep that expires orders left unpaid past their deadline.

It reads candidates from the MongoDB read model of orders (pending, opened at least
N calendar days ago: N working days are never shorter), and lets the aggregate
decide with the exact working-day deadline. Two workers sweeping at once are safe:
the second save of one order fails on its version and counts as done.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from services.payment.application.payments import PaymentApplication
from services.payment.domain.errors import OrderNotFoundError
from services.payment.domain.status import OrderStatus
from shared.workdays import VIETNAM, WorkCalendar

log = logging.getLogger(__name__)


class ExpirySweep:
    def __init__(self, app: PaymentApplication, db: AsyncDatabase[dict[str, Any]], *,
                 days: int, interval_seconds: float,
                 calendar: WorkCalendar | None = None) -> None:
        self.app = app
        self.db = db
        self.days = days
        self.interval_seconds = interval_seconds
        self.calendar = calendar or WorkCalendar()

    def deadline(self, opened_at: datetime) -> datetime:
        return self.calendar.add_working_days(opened_at, self.days)

    def reason(self, deadline: datetime) -> str:
        local = deadline.astimezone(VIETNAM)
        return (f"Quá hạn thanh toán: {self.days} ngày làm việc kể từ khi mở giao dịch "
                f"(hạn {local:%H:%M ngày %d/%m/%Y}).")

    async def run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("expiry sweep failed; retrying at the next sweep")
            await asyncio.sleep(self.interval_seconds)

    async def sweep_once(self, now: datetime | None = None) -> list[str]:
        """Expire every due order; returns the ids this sweep expired."""
        now = now or datetime.now(UTC)
        cutoff = (now - timedelta(days=self.days)).isoformat(timespec="microseconds")
        cursor = self.db.orders.find(
            {"status": OrderStatus.PENDING.value, "created_at": {"$lte": cutoff}},
            {"_id": 0, "id": 1},
        ).sort("created_at", 1)
        expired = []
        async for doc in cursor:
            order_id = doc["id"]
            try:
                done = await asyncio.to_thread(self._expire, order_id, now)
            except OrderNotFoundError:
                continue
            if done:
                expired.append(order_id)
        if expired:
            log.info("orders expired", extra={"count": len(expired)})
        return expired

    def deadline_of(self, opened_at: datetime) -> tuple[datetime, str]:
        deadline = self.deadline(opened_at)
        return deadline, self.reason(deadline)

    def _expire(self, order_id: str, now: datetime) -> bool:
        return self.app.expire(UUID(order_id), now=now, deadline_of=self.deadline_of)
