"""Composition root of payment: the one module that builds concrete adapters from settings.

The entrypoints (the HTTP app, the worker, the rebuild command) ask it for what they run
on; the use cases only see the ports they are handed.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaProducer
from psycopg_pool import AsyncConnectionPool

from services.payment.adapters import store
from services.payment.adapters.integration_events import to_integration_event
from services.payment.adapters.projection import OrderProjection
from services.payment.adapters.receipt_pdf import render_receipt
from services.payment.adapters.store import StoredOrders, build_payments, open_store
from services.payment.adapters.vnpay.api_client import VnpayApi
from services.payment.adapters.vnpay.merchant import VnpayMerchant
from services.payment.application.payments import PaymentApplication
from services.payment.application.ports import (
    Merchant,
    OrderViews,
    OwingOrders,
    PendingOrders,
    ProviderApi,
    ReceiptPrinter,
)
from services.payment.settings import PaymentSettings
from shared.outbox import log_relay
from shared.relay import Relay


async def open_payments(
    settings: PaymentSettings, name: str
) -> tuple[AsyncConnectionPool[Any], PaymentApplication]:
    """Migrate and open the process's pool, then the event-sourced application on the same
    schema; a failure of the second closes the first."""
    pool = await open_store(settings, name)
    try:
        payments = await build_payments(settings)
    except BaseException:
        await pool.close()
        raise
    return pool, payments


async def ping(pool: AsyncConnectionPool[Any]) -> None:
    """Readiness: the pool ``open_payments`` opened answers."""
    await store.ping(pool)


def merchant(settings: PaymentSettings) -> Merchant:
    """The merchant side of VNPay: payment addresses out, signed notifications in."""
    return VnpayMerchant(
        tmn_code=settings.vnpay_tmn_code,
        secret=settings.secret,
        payment_url=settings.vnpay_payment_url,
        return_url=settings.vnpay_return_url,
    )


def provider_api(settings: PaymentSettings) -> ProviderApi:
    """VNPay's merchant API: refunds and the daily report."""
    return VnpayApi(
        tmn_code=settings.vnpay_tmn_code,
        secret=settings.secret,
        api_url=settings.vnpay_api_url,
        report_url=settings.vnpay_report_url,
    )


def projection(payments: PaymentApplication, pool: AsyncConnectionPool[Any]) -> OrderProjection:
    """The read model of orders kept in PostgreSQL."""
    return OrderProjection(payments, pool)


def order_views(pool: AsyncConnectionPool[Any]) -> OrderViews:
    """The read model of orders, as the API lists them."""
    return StoredOrders(pool)


def pending_orders(pool: AsyncConnectionPool[Any]) -> PendingOrders:
    """The read model of orders, as the expiry sweep reads it."""
    return StoredOrders(pool)


def owing_orders(pool: AsyncConnectionPool[Any]) -> OwingOrders:
    """The read model of orders, as the late-charge sweep reads it."""
    return StoredOrders(pool)


def receipt_printer() -> ReceiptPrinter:
    """A paid order's receipt as a PDF."""
    return render_receipt


def outbox_relay(
    settings: PaymentSettings, payments: PaymentApplication, producer: AIOKafkaProducer, topic: str
) -> Relay:
    """The relay from the event store's notification log to ``topic``."""
    dsn = settings.require("postgres_dsn")
    return log_relay(payments, to_integration_event, producer, topic, dsn)
