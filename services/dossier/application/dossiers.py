"""Use cases of the dossier service: get from the repository, call one method, save."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from services.dossier.domain.dossier import Dossier
from services.dossier.domain.errors import NotOwnerError
from services.dossier.domain.status import LABELS
from shared.events.envelope import Actor


class DossierNotFoundError(Exception):
    pass


class DossierApplication(Application[UUID]):
    name = "dossier"

    def start_draft(
        self,
        actor: Actor,
        *,
        procedure_code: str,
        procedure_version: int,
        service_level: int,
        agency_code: str,
        form: dict[str, Any],
    ) -> UUID:
        dossier = Dossier.start_draft(
            actor,
            procedure_code=procedure_code,
            procedure_version=procedure_version,
            service_level=service_level,
            agency_code=agency_code,
            form=form,
        )
        self.save(dossier)
        return dossier.id

    def submit(self, dossier_id: UUID, actor: Actor) -> str:
        dossier = self._get(dossier_id)
        dossier.submit(actor)
        self.save(dossier)
        assert dossier.code is not None
        return dossier.code

    def view(self, dossier_id: UUID, actor: Actor) -> dict[str, Any]:
        dossier = self._get(dossier_id)
        try:
            dossier.check_owner(actor)
        except NotOwnerError:
            raise DossierNotFoundError from None  # never reveal another's dossier
        return {
            "id": str(dossier.id),
            "code": dossier.code,
            "status": dossier.status.value,
            "status_label": LABELS[dossier.status],
            "procedure_code": dossier.procedure_code,
            "agency_code": dossier.agency_code,
            "form": dossier.form,
            "version": dossier.version,
            "created_at": dossier.created_on.isoformat(),
            "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        }

    def _get(self, dossier_id: UUID) -> Dossier:
        try:
            return self.repository.get(dossier_id)
        except AggregateNotFoundError:
            raise DossierNotFoundError from None
