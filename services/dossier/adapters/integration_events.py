"""Domain events of the dossier → integration events on ``motcua.dossier.events``."""

from __future__ import annotations

from eventsourcing.domain import DomainEventProtocol

from services.dossier.domain.filing import Filing
from shared.events.domain import METADATA, integration_event, snake_case
from shared.events.envelope import IntegrationEvent

_UNPUBLISHED = METADATA | {"actor"}


def to_integration_event(domain_event: DomainEventProtocol) -> IntegrationEvent | None:
    """The published form of a dossier's event; None for the code index's own events."""
    if not isinstance(domain_event, Filing.Event):
        return None
    fields = {k: v for k, v in vars(domain_event).items() if k not in _UNPUBLISHED}
    return integration_event(
        domain_event,
        context="dossier",
        kind=snake_case(type(domain_event).__name__),
        data=fields,
    )
