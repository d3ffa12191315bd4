"""The payment worker as its own process: ``python -m services.payment.entrypoints.worker``.

It consumes dossier events (``payment_requested`` opens a fee order; ``withdrawn``,
``rejected`` and ``rejected_at_reception`` cancel the dossier's unpaid orders) and
catalog's calendar overrides, relays
the event store's notifications to ``motcua.payment.events``, keeps the read model of
orders in PostgreSQL and sweeps it for orders unpaid past their deadline and for charges
to give back (a payment on an attempt that no longer pays its order). Run exactly
one: the relay's position is a tracking record in the event store (deploy/k8s pins
replicas to 1); the projection (its position locked in its own transaction) and the
sweep alone would tolerate two.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.payment.application.payments import PaymentApplication
from services.payment.bootstrap import (
    open_payments,
    outbox_relay,
    owing_orders,
    pending_orders,
    ping,
    projection,
    provider_api,
)
from services.payment.entrypoints.worker.expiry import ExpirySweep
from services.payment.entrypoints.worker.late_charges import LateChargeRefunds, system_refunds
from services.payment.settings import PaymentSettings
from shared.events.envelope import IntegrationEvent
from shared.events.topics import events_topic
from shared.http.app import create_app, serve
from shared.kafka.consumer import IdempotentConsumer
from shared.kafka.producer import make_producer
from shared.kafka.topics import ensure_topics
from shared.pg.calendar import CALENDAR_UPDATED, CalendarOverrides
from shared.settings import load_settings

PAYMENT_REQUESTED = "vn.motcua.dossier.payment_requested"
CLOSING = {  # the dossier ended unpaid: the reason its orders are cancelled with
    "vn.motcua.dossier.withdrawn": "Hồ sơ đã được công dân rút",
    "vn.motcua.dossier.rejected": "Hồ sơ bị từ chối",
    "vn.motcua.dossier.rejected_at_reception": "Hồ sơ bị từ chối tiếp nhận",
}


def closing_reason(event: IntegrationEvent) -> str:
    base = CLOSING[event.type]
    given = str(event.data.get("reason") or "").strip()
    if event.type == "vn.motcua.dossier.withdrawn" or not given:
        return base
    return unicodedata.normalize("NFC", f"{base}: {given}")


class IncomingEvents:
    """``payment_requested`` → a fee order; the order id makes a redelivery a no-op.
    A closing event cancels the dossier's unpaid orders; a redelivery finds them cancelled.
    Catalog's ``calendar_updated`` keeps the working-day overrides for payment deadlines."""

    def __init__(self, payments: PaymentApplication, calendar: CalendarOverrides) -> None:
        self.payments = payments
        self.calendar = calendar

    async def __call__(self, event: IntegrationEvent) -> None:
        if event.type == CALENDAR_UPDATED:
            await self.calendar(event)
        elif event.type == PAYMENT_REQUESTED:
            await asyncio.to_thread(
                self.payments.open_order,
                dossier_id=event.subject,
                request_sequence=event.sequence,
                data=event.data,
                actor=event.actor,
            )
        elif event.type in CLOSING:
            await asyncio.to_thread(
                self.payments.close_for_dossier,
                dossier_id=event.subject,
                closing_sequence=event.sequence,
                event_id=str(event.id),
                reason=closing_reason(event),
            )


def build_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or PaymentSettings()
    bootstrap = settings.require("kafka_bootstrap_servers")
    out_topic = events_topic("payment", settings.topic_prefix)
    in_topics = [events_topic(name, settings.topic_prefix) for name in ("dossier", "catalog")]
    tasks: dict[str, asyncio.Task[None]] = {}

    async def running() -> None:
        stopped = [name for name, task in tasks.items() if task.done()]
        if not tasks or stopped:
            raise RuntimeError(f"not running: {stopped or 'all'}")

    async def postgres() -> None:
        await ping(app.state.pool)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(
            bootstrap,
            [out_topic, *in_topics],
            replication_factor=settings.kafka_replication_factor,
        )
        pool, payments = await open_payments(settings, "payment-worker")
        app.state.pool = pool
        calendar = CalendarOverrides(pool)
        producer = make_producer(bootstrap)  # aiokafka objects need the running loop
        consumer = IdempotentConsumer(
            bootstrap_servers=bootstrap,
            topics=in_topics,
            group_id=settings.consumer_group,
            handler=IncomingEvents(payments, calendar),
        )
        await producer.start()
        await consumer.start()
        jobs: dict[str, Coroutine[Any, Any, None]] = {
            "relay": outbox_relay(settings, payments, producer, out_topic).run(),
            "consumer": consumer.run(),
            "projection": projection(payments, pool).run(),
            "expiry": ExpirySweep(
                payments,
                pending_orders(pool),
                days=settings.order_expiry_days,
                interval_seconds=settings.order_expiry_sweep_seconds,
                calendar=calendar.calendar,
            ).run(),
            "late_charges": LateChargeRefunds(
                payments,
                owing_orders(pool),
                system_refunds(provider_api(settings), settings.server_ip),
                interval_seconds=settings.late_charge_sweep_seconds,
            ).run(),
        }
        tasks.update({name: asyncio.create_task(job) for name, job in jobs.items()})
        try:
            yield
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
            await consumer.stop()
            await producer.stop()
            payments.close()
            await pool.close()

    app = create_app(
        "payment-worker", readiness={"tasks": running, "postgres": postgres}, lifespan=lifespan
    )
    return app


def main() -> None:
    settings = load_settings(PaymentSettings)
    settings.port = settings.worker_port
    serve(build_app(settings), settings, "payment-worker")
