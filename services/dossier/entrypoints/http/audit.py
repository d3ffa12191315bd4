"""The auditor's API under /api/v1/audit: read-only replay and integrity checks."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter

from services.dossier.application.dossiers import DossierApplication, DossierNotFoundError
from services.dossier.application.views import dossier_view, event_record
from services.dossier.domain.chain import ChainSummary
from services.dossier.entrypoints.http.deps import Dossiers
from services.dossier.entrypoints.http.models import AuditExport, EventLog, StateAsOf
from shared.events.envelope import Actor
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/audit/dossiers", tags=["audit"])


def _auditor(actor: Actor) -> None:
    if actor.role not in ("auditor", "admin"):
        raise ProblemError(403, "audit-forbidden", "Chỉ kiểm tra viên được xem nhật ký kiểm toán.")


def _resolve(app: DossierApplication, ref: str) -> UUID:
    try:
        return UUID(ref)
    except ValueError:
        return app.find_by_code(ref)


@router.get("/{ref}/events")
def events(ref: str, actor: CurrentActor, app: Dossiers) -> EventLog:
    _auditor(actor)
    dossier_id = _resolve(app, ref)
    found = app.stored_events(dossier_id)
    if not found:
        raise DossierNotFoundError
    return EventLog(dossier_id=str(dossier_id), events=[event_record(e) for e in found])


@router.get("/{ref}/state")
def state_as_of(ref: str, at: datetime, actor: CurrentActor, app: Dossiers) -> StateAsOf:
    _auditor(actor)
    if at.tzinfo is None:
        raise ProblemError(422, "time-without-zone", "Thời điểm phải có múi giờ (ví dụ +07:00).")
    dossier = app.state_as_of(_resolve(app, ref), at)
    if dossier is None:
        raise ProblemError(404, "dossier-not-yet", "Hồ sơ chưa tồn tại tại thời điểm này.")
    return StateAsOf(as_of=at, dossier=dossier_view(dossier, internal=True))


@router.get("/{ref}/verify")
def verify(ref: str, actor: CurrentActor, app: Dossiers) -> ChainSummary:
    _auditor(actor)
    return app.verify_chain(_resolve(app, ref)).as_dict()


@router.get("/{ref}/export")
def export(ref: str, actor: CurrentActor, app: Dossiers) -> AuditExport:
    _auditor(actor)
    dossier_id = _resolve(app, ref)
    dossier = app.get_for(dossier_id, actor)
    return AuditExport(
        dossier=dossier_view(dossier, internal=True),
        chain=app.verify_chain(dossier_id).as_dict(),
        events=[event_record(e) for e in app.stored_events(dossier_id)],
    )
