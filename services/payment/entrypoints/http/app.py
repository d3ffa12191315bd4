"""The app factory of the payment HTTP service: ``python -m services.payment``.

At start-up ``bootstrap`` migrates the service's schema, opens its pool and builds its
event-sourced application on the same schema (in the lifespan, so a PostgreSQL that
does not answer fails the start-up with its own error).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.payment.bootstrap import open_payments, order_views, ping
from services.payment.entrypoints.http import orders, reconciliation, vnpay
from services.payment.settings import PaymentSettings
from shared.auth import remote_verifier
from shared.http.app import create_app, serve
from shared.pg.calendar import CalendarOverrides
from shared.settings import load_settings

# what a person reads when PostgreSQL (our pool or the event store's) does not answer
STORE_DETAIL = "Dịch vụ thanh toán tạm thời không truy cập được dữ liệu, vui lòng thử lại sau."


def build_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or PaymentSettings()

    async def postgres() -> None:
        await ping(app.state.pool)

    async def event_store() -> None:
        await asyncio.to_thread(app.state.payments.recorder.max_notification_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool, payments = await open_payments(settings, "payment")
        app.state.pool = pool
        app.state.payments = payments
        app.state.orders = order_views(pool)
        app.state.calendar = CalendarOverrides(pool)
        try:
            yield
        finally:
            payments.close()
            await pool.close()

    app = create_app(
        "payment",
        readiness={"postgres": postgres, "event_store": event_store},
        lifespan=lifespan,
        store_detail=STORE_DETAIL,
    )
    app.state.settings = settings
    app.state.verifier = remote_verifier(settings)
    app.include_router(orders.router)
    app.include_router(vnpay.router)
    app.include_router(reconciliation.router)
    return app


def main() -> None:
    settings = load_settings(PaymentSettings)
    serve(build_app(settings), settings, "payment")
