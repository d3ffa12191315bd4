"""Rebuild the payment read model from zero: ``motcua projections rebuild payment``."""

from __future__ import annotations

import asyncio
import time

from services.payment.bootstrap import open_payments, projection
from services.payment.settings import PaymentSettings
from shared.settings import load_settings


async def rebuild(settings: PaymentSettings) -> int:
    pool, payments = await open_payments(settings, "payment-rebuild")
    try:
        return await projection(payments, pool).rebuild()
    finally:
        payments.close()
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    position = asyncio.run(rebuild(load_settings(PaymentSettings)))
    print(
        f"rebuilt the payment read model up to notification {position} "
        f"in {time.perf_counter() - started:.2f}s"
    )
    return 0
