"""The periodic sweep that gives back charges taken on an attempt that no longer pays its
order (paid twice, or paid on an attempt closed when another opened).

Candidates come from the read model (``refund_due > 0``); each is refunded at the
provider and recorded by the system (``PaymentApplication.refund_late_charges``). A
provider that refuses or cannot be reached is asked again at the next sweep, with the
same request id, so the payer is refunded once however often it is asked.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from services.payment.application.payments import SYSTEM, PaymentApplication, ProviderRefund
from services.payment.application.ports import OwingOrders, ProviderApi, ProviderError

log = logging.getLogger(__name__)


def system_refunds(api: ProviderApi, server_ip: str) -> ProviderRefund:
    """The provider's refund of one charge, asked by the system (``vnp_CreateBy``)."""

    def refund(charge: dict[str, Any], amount: int, request_id: UUID) -> str:
        return api.refund(
            request_id=request_id,
            txn_ref=charge["attempt_id"],
            transaction_no=charge["provider_txn"] or "",
            amount=amount,
            full=amount == charge["amount"],
            paid_at=datetime.fromisoformat(charge["paid_at"]),
            created_by=SYSTEM.id,
            client_ip=server_ip,
        )

    return refund


class LateChargeRefunds:
    def __init__(
        self,
        app: PaymentApplication,
        orders: OwingOrders,
        provider: ProviderRefund,
        *,
        interval_seconds: float,
    ) -> None:
        self.app = app
        self.orders = orders
        self.provider = provider
        self.interval_seconds = interval_seconds

    async def run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("late-charge sweep failed; retrying at the next sweep")
            await asyncio.sleep(self.interval_seconds)

    async def sweep_once(self) -> int:
        """Refund what every owing order owes; returns how many charges were recorded."""
        recorded = 0
        for order_id in await self.orders.owing_refund():
            try:
                recorded += await asyncio.to_thread(
                    self.app.refund_late_charges, UUID(order_id), self.provider
                )
            except ProviderError as error:
                log.warning(
                    "late charge not refunded yet", extra={"order": order_id, "why": str(error)}
                )
        return recorded
