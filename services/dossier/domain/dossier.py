"""The dossier aggregate: every rule about who may do what, and when, lives here.

This is the walking-skeleton slice (create a draft, submit it); the rest of
the lifecycle in DESIGN.md grows from the same pattern: a command method
checks its invariants, then a decorated mutator records the event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.dossier.domain.code import new_code
from services.dossier.domain.errors import (
    InvalidTransitionError,
    NotOwnerError,
    OnlineFilingNotAllowedError,
)
from services.dossier.domain.status import Status
from shared.events.envelope import Actor

ONLINE_LEVELS = (3, 4)


class Dossier(Aggregate):
    @event("Created")
    def __init__(
        self,
        *,
        owner_id: str,
        procedure_code: str,
        procedure_version: int,
        service_level: int,
        agency_code: str,
        form: dict[str, Any],
        actor: dict[str, Any],
    ) -> None:
        self.owner_id = owner_id
        self.procedure_code = procedure_code
        self.procedure_version = procedure_version
        self.service_level = service_level
        self.agency_code = agency_code
        self.form = form
        self.status = Status.DRAFT
        self.code: str | None = None
        self.submitted_at: datetime | None = None

    @classmethod
    def start_draft(
        cls,
        actor: Actor,
        *,
        procedure_code: str,
        procedure_version: int,
        service_level: int,
        agency_code: str,
        form: dict[str, Any],
    ) -> Dossier:
        if service_level not in ONLINE_LEVELS:
            raise OnlineFilingNotAllowedError
        return cls(
            owner_id=actor.id,
            procedure_code=procedure_code,
            procedure_version=procedure_version,
            service_level=service_level,
            agency_code=agency_code,
            form=form,
            actor=actor.model_dump(),
        )

    def submit(self, actor: Actor) -> None:
        self.check_owner(actor)
        self.check_status(Status.DRAFT)
        now = datetime.now(UTC)
        self._submitted(actor=actor.model_dump(), code=new_code(self.agency_code, now), at=now)

    @event("Submitted")
    def _submitted(self, actor: dict[str, Any], code: str, at: datetime) -> None:
        self.status = Status.SUBMITTED
        self.code = code
        self.submitted_at = at

    def check_owner(self, actor: Actor) -> None:
        if actor.id != self.owner_id:
            raise NotOwnerError

    def check_status(self, *allowed: Status) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError
