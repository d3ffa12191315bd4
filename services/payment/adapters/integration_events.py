"""Domain events of a fee order → integration events on ``motcua.payment.events``.

Only the contract's fields leave the service (docs/events.md): idempotency keys,
fingerprints and payment URLs stay inside.
"""

from __future__ import annotations

from eventsourcing.domain import DomainEventProtocol

from shared.events.domain import integration_event
from shared.events.envelope import IntegrationEvent

# domain event class name -> (integration type, contract fields besides order_id)
CONTRACT: dict[str, tuple[str, tuple[str, ...]]] = {
    "Created": (
        "order_created",
        (
            "dossier_id",
            "dossier_code",
            "payer_id",
            "amount",
            "items",
            "procedure_code",
            "agency_code",
            "reason",
        ),
    ),
    "AttemptStarted": ("attempt_started", ("attempt_id", "method", "amount", "expires_at")),
    "AttemptFailed": ("attempt_failed", ("attempt_id", "reason", "response_code")),
    "Paid": (
        "order_paid",
        ("dossier_id", "amount", "paid_at", "method", "receipt_no", "provider_txn", "attempt_id"),
    ),
    "Refunded": ("order_refunded", ("dossier_id", "amount", "reason")),
    "Cancelled": ("order_cancelled", ("dossier_id", "reason")),
    "Expired": ("order_expired", ("dossier_id", "opened_at", "deadline", "reason")),
    "PaidAfterClose": (
        "order_paid_after_close",
        (
            "dossier_id",
            "amount",
            "paid_at",
            "method",
            "receipt_no",
            "provider_txn",
            "attempt_id",
            "closed_as",
        ),
    ),
    "ChargedOnClosedAttempt": (
        "order_charged_on_closed_attempt",
        (
            "dossier_id",
            "amount",
            "paid_at",
            "method",
            "provider_txn",
            "attempt_id",
            "refund_due",
        ),
    ),
    "PaidTwice": (
        "order_paid_twice",
        (
            "dossier_id",
            "amount",
            "paid_at",
            "method",
            "provider_txn",
            "attempt_id",
            "receipt_no",
            "refund_due",
        ),
    ),
}


def to_integration_event(domain_event: DomainEventProtocol) -> IntegrationEvent:
    fields = vars(domain_event)
    kind, names = CONTRACT[type(domain_event).__name__]
    data = {
        "order_id": str(domain_event.originator_id),
        **{n: fields[n] for n in names if n in fields},
    }
    return integration_event(domain_event, context="payment", kind=kind, data=data)
