"""Domain events of a fee order → integration events on ``motcua.payment.events``.

Only the contract's fields leave the service (docs/events.md): idempotency keys,
fingerprints and payment URLs stay inside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from shared.events.envelope import Actor, IntegrationEvent

SOURCE = "/motcua/payment"

# domain event class name -> (integration type, contract fields besides order_id)
CONTRACT: dict[str, tuple[str, tuple[str, ...]]] = {
    "Created": ("order_created", ("dossier_id", "dossier_code", "payer_id", "amount", "items",
                                  "procedure_code", "agency_code", "reason")),
    "AttemptStarted": ("attempt_started", ("attempt_id", "method", "amount", "expires_at")),
    "AttemptFailed": ("attempt_failed", ("attempt_id", "reason", "response_code")),
    "Paid": ("order_paid", ("dossier_id", "amount", "paid_at", "method", "receipt_no",
                            "provider_txn", "attempt_id")),
    "Refunded": ("order_refunded", ("dossier_id", "amount", "reason")),
    "Cancelled": ("order_cancelled", ("dossier_id", "reason")),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_integration_event(domain_event: DomainEventProtocol) -> IntegrationEvent:
    fields = vars(domain_event)
    kind, names = CONTRACT[type(domain_event).__name__]
    subject = str(domain_event.originator_id)
    data = {"order_id": subject, **{n: _plain(fields.get(n)) for n in names if n in fields}}
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, domain_event.originator_version),
        source=SOURCE,
        type=f"vn.motcua.payment.{kind}",
        subject=subject,
        time=domain_event.timestamp,
        data=data,
        sequence=domain_event.originator_version,
        actor=Actor(**fields["actor"]),
    )
