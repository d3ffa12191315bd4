"""The periodic sweep that expires orders left unpaid past their deadline.

It reads candidates from the read model of orders (pending, opened at least N calendar
days ago: N working days are never shorter; index ``orders_by_status_opened``), and
lets the aggregate decide with the exact working-day deadline. Two workers sweeping at
once are safe: the second save of one order fails on its version and counts as done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import PendingOrders
from services.payment.domain.deadline import PaymentTerm
from services.payment.domain.errors import OrderNotFoundError
from shared.workdays import WorkCalendar

log = logging.getLogger(__name__)


class ExpirySweep:
    def __init__(
        self,
        app: PaymentApplication,
        orders: PendingOrders,
        *,
        days: int,
        interval_seconds: float,
        calendar: Callable[[], Awaitable[WorkCalendar]],
    ) -> None:
        self.app = app
        self.orders = orders
        self.days = days
        self.interval_seconds = interval_seconds
        self.calendar = calendar  # read at each sweep: the catalog may announce days off

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
        candidates = await self.orders.pending_opened_before(now - timedelta(days=self.days))
        term = PaymentTerm(self.days, await self.calendar())
        expired = []
        for order_id in candidates:
            try:
                done = await asyncio.to_thread(
                    self.app.expire, UUID(order_id), now=now, deadline_of=term.deadline_of
                )
            except OrderNotFoundError:
                continue
            if done:
                expired.append(order_id)
        if expired:
            log.info("orders expired", extra={"count": len(expired)})
        return expired
