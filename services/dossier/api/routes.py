"""Thin HTTP routes: parse, call one use case, shape the answer.

Routes are sync because the `eventsourcing` library is: FastAPI runs them in
its thread pool, off the event loop.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.dossier.application.dossiers import DossierApplication
from shared.http.actor import CurrentActor

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"])


class DraftRequest(BaseModel):
    procedure_code: str = Field(min_length=1, max_length=64)
    procedure_version: int = Field(1, ge=1)
    service_level: int = Field(ge=1, le=4)
    agency_code: str = Field(pattern=r"^[A-Za-z0-9.]{1,32}$")
    form: dict[str, Any] = Field(default_factory=dict)


def _app(request: Request) -> DossierApplication:
    return request.app.state.dossiers


@router.post("", status_code=201)
def start_draft(body: DraftRequest, actor: CurrentActor, request: Request) -> dict[str, str]:
    dossier_id = _app(request).start_draft(actor, **body.model_dump())
    return {"id": str(dossier_id), "status": "draft"}


@router.post("/{dossier_id}/submit")
def submit(dossier_id: UUID, actor: CurrentActor, request: Request) -> dict[str, str]:
    code = _app(request).submit(dossier_id, actor)
    return {"id": str(dossier_id), "code": code, "status": "submitted"}


@router.get("/{dossier_id}")
def view(dossier_id: UUID, actor: CurrentActor, request: Request) -> dict[str, Any]:
    return _app(request).view(dossier_id, actor)
