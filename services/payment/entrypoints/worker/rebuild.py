"""Rebuild the payment read model from zero: ``motcua projections rebuild payment``."""

from __future__ import annotations

import asyncio
import time

from services.payment.adapters.projection import OrderProjection
from services.payment.adapters.store import build_payments, open_store
from services.payment.settings import PaymentSettings


async def rebuild(settings: PaymentSettings) -> int:
    pool = await open_store(settings, "payment-rebuild")
    payments = await build_payments(settings)
    try:
        return await OrderProjection(payments, pool).rebuild()
    finally:
        payments.close()
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    position = asyncio.run(rebuild(PaymentSettings()))
    print(
        f"rebuilt the payment read model up to notification {position} "
        f"in {time.perf_counter() - started:.2f}s"
    )
    return 0
