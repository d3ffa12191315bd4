"""What one portal page of a dossier needs, in one answer: ``GET /api/v1/dossiers/{id}/page``.

The dossier as its reader may see it, its timeline, the form's schema and layout hints, the
names of its documents and agencies, and the actions the caller may take now, decided by the
aggregate's rules (:meth:`Dossier.actions_for`). One read of the event store serves it all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.dossier.application.timeline import TimelineStep, timeline
from services.dossier.application.views import DossierView, dossier_view
from services.dossier.entrypoints.http.deps import Dossiers
from shared.http.actor import CurrentActor

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"])
INTERNAL_ROLES = ("officer", "auditor", "admin")


class RequiredDocumentView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    required: bool
    wallet_types: list[str] = Field(description="Wallet document types that may stand in.")


class DossierPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dossier: DossierView = Field(description="The dossier as GET /api/v1/dossiers/{id}.")
    steps: list[TimelineStep] = Field(description="Its timeline, as …/{id}/timeline.")
    actions: list[str] = Field(
        description="Commands the caller may issue now, and "
        "download_result when the result file is theirs to download."
    )
    form_schema: dict[str, Any] = Field(description="The procedure version's JSON Schema.")
    form_ui: dict[str, Any] = Field(description="Field order and widgets of the form.")
    required_documents: list[RequiredDocumentView]
    agencies: dict[str, str] = Field(
        description="Agency code -> name, for the dossier's receiving and handling agencies."
    )


@router.get("/{dossier_id}/page", response_model=DossierPage)
def dossier_page(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> DossierPage:
    dossier, events = app.read_with_events(dossier_id, actor)
    internal = actor.role in INTERNAL_ROLES
    snapshot = dossier.procedure_version_info
    # Dossiers started before form_ui was kept in the snapshot take it from the catalog copy.
    procedure = (
        snapshot
        if snapshot.form_ui
        else (app.procedures.get(snapshot.code, snapshot.version) or snapshot)
    )
    codes = dict.fromkeys(c for c in (dossier.agency_code, dossier.handling_agency) if c)
    return DossierPage(
        dossier=dossier_view(dossier, internal=internal),
        steps=timeline(events, internal=internal),
        actions=dossier.actions_for(actor),
        form_schema=snapshot.form_schema,
        form_ui=procedure.form_ui,
        required_documents=[
            RequiredDocumentView(
                code=d.code, name=d.name, required=d.required, wallet_types=list(d.wallet_types)
            )
            for d in snapshot.required_documents
        ],
        agencies={code: app.procedures.agency_name(code) for code in codes},
    )
