"""Composition root of the payment HTTP service: ``python -m services.payment``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.payment.application.payments import PaymentApplication
from services.payment.settings import PaymentSettings
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
    return app


def main() -> None:
    settings = PaymentSettings()
    serve(build_app(settings), settings, "payment")
