"""The payment service's event-sourced application (its event store is the outbox).

Fee orders, payment attempts and refunds arrive with the payment issue; for now
the application only owns the store, so readiness can check it.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application


class PaymentApplication(Application[UUID]):
    name = "payment"
