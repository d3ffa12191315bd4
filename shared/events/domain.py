"""From an `eventsourcing` domain event to the integration event other services read."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from shared.events.envelope import Actor, IntegrationEvent

METADATA = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


def snake_case(name: str) -> str:
    """``PaymentRequested`` → ``payment_requested``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def plain_json(value: Any) -> Any:
    """Dates as ISO 8601, UUIDs as text, tuples as lists: what JSON can carry."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def integration_event(
    domain_event: DomainEventProtocol, *, context: str, kind: str, data: dict[str, Any]
) -> IntegrationEvent:
    """The envelope for ``domain_event``: stable id, subject, sequence, time and actor
    from the stored event; ``kind`` and ``data`` chosen by the publishing service."""
    return IntegrationEvent.of(
        context=context,
        kind=kind,
        subject=str(domain_event.originator_id),
        sequence=domain_event.originator_version,
        data=plain_json(data),
        actor=Actor(**vars(domain_event)["actor"]),
        time=vars(domain_event)["timestamp"],  # every stored event of ours carries its time
    )
