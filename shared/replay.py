"""Replaying event-sourced aggregates without the library's per-event Protocol check.

``eventsourcing``'s default projector asserts ``isinstance(event, CanMutateProtocol)``
for every event it applies. On Python 3.11 an ``isinstance`` against a runtime-checkable
Protocol walks the protocol's attributes on every call: 25-30 % of replaying a dossier of
1,000 events. Our events are the library's own ``Aggregate.Event`` subclasses, which
have ``mutate``; :class:`ReplayingApplication` replays them with :func:`project`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProjectorFunction, Repository


def project(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """Apply ``domain_events`` in order to ``aggregate`` (None before the first event)."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class ReplayRepository(Repository[UUID]):
    """The library's repository (same event store, snapshots, cache), replaying with
    :func:`project` unless a caller passes its own projector."""

    def __init__(self, library: Repository[UUID]) -> None:
        vars(self).update(vars(library))

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        return super().get(
            aggregate_id,
            version=version,
            projector_func=projector_func,
            fastforward_skipping=fastforward_skipping,
            deepcopy_from_cache=deepcopy_from_cache,
        )


class ReplayingApplication(Application[UUID]):
    """An application whose ``repository.get`` replays with :func:`project`."""

    def construct_repository(self) -> Repository[UUID]:
        return ReplayRepository(super().construct_repository())
