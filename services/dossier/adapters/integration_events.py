"""Domain events of the dossier → integration events on ``motcua.dossier.events``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from services.dossier.domain.filing import Filing
from shared.events.envelope import Actor, IntegrationEvent

SOURCE = "/motcua/dossier"
_METADATA = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_integration_event(domain_event: DomainEventProtocol) -> IntegrationEvent | None:
    """The published form of a dossier's event; None for the code index's own events."""
    if not isinstance(domain_event, Filing.Event):
        return None
    fields = vars(domain_event)
    subject = str(domain_event.originator_id)
    return IntegrationEvent(
        id=IntegrationEvent.stable_id(subject, domain_event.originator_version),
        source=SOURCE,
        type=f"vn.motcua.dossier.{_snake(type(domain_event).__name__)}",
        subject=subject,
        time=domain_event.timestamp,
        data={k: _plain(v) for k, v in fields.items() if k not in _METADATA},
        sequence=domain_event.originator_version,
        actor=Actor(**fields["actor"]),
    )
