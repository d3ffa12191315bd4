"""Composition root of the payment HTTP service: ``python -m services.payment``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.payment.adapters.projection import ensure_indexes
from services.payment.api import errors, orders, reconciliation, vnpay
from services.payment.application.payments import PaymentApplication
from services.payment.settings import PaymentSettings
from shared.calendar_overrides import CalendarOverrides
from shared.http.app import create_app, serve
from shared.mongo import make_client


def build_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or PaymentSettings()
    client = make_client(settings.require("mongo_url"))
    db = client[settings.mongo_database]
    payments = PaymentApplication(env=settings.eventstore_env())

    async def mongo() -> None:
        await db.command("ping")

    async def event_store() -> None:
        await asyncio.to_thread(payments.recorder.max_notification_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Readiness reports a missing MongoDB; the worker creates the indexes too.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ensure_indexes(db), 10)
        try:
            yield
        finally:
            payments.close()
            await client.close()

    app = create_app(
        "payment", readiness={"mongo": mongo, "event_store": event_store}, lifespan=lifespan
    )
    app.state.payments = payments
    app.state.settings = settings
    app.state.db = db
    app.state.calendar = CalendarOverrides(db)
    errors.install(app)
    app.include_router(orders.router)
    app.include_router(vnpay.router)
    app.include_router(reconciliation.router)
    return app


def main() -> None:
    settings = PaymentSettings()
    serve(build_app(settings), settings, "payment")
