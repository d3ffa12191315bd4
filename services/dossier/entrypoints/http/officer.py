"""The officer's API under /api/v1/officer: one route per action on a dossier.

The aggregate decides whether this officer (agency, duties) may act in this state.
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from services.dossier.application.readmodels import CountedQueuePage, QueuePage
from services.dossier.application.views import (
    DossierView,
    NationalExport,
    dossier_view,
    national_export,
)
from services.dossier.domain.commands import (
    Accept,
    AddOpinion,
    Assign,
    Extend,
    OfficerCommand,
    Propose,
    Reject,
    RejectAtReception,
    RequestSupplement,
    ReturnResult,
    StartProcessing,
    Transfer,
)
from services.dossier.entrypoints.http.deps import Dossiers
from services.dossier.entrypoints.http.models import OfficerActionDone, QueueCounts
from shared.events.envelope import Actor
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/officer/dossiers", tags=["officer"])
Text = Field(min_length=1, max_length=2000)


class Empty(BaseModel):
    pass


class ReasonBody(BaseModel):
    reason: str = Text


class Item(BaseModel):
    document_code: str = Field(min_length=1, max_length=64)
    reason: str = Text


class SupplementBody(BaseModel):
    items: list[Item] = Field(min_length=1, max_length=50)
    reason: str = Text


class AssignBody(BaseModel):
    officer_id: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=2000)


class TransferBody(BaseModel):
    to_agency: str = Field(pattern=r"^[A-Za-z0-9.]{1,32}$")
    reason: str = Text


class OpinionBody(BaseModel):
    opinion: str = Text


class ProposeBody(BaseModel):
    decision: Literal["approve", "reject"]
    note: str = Text


class ApproveBody(BaseModel):
    result: dict[str, Any] = Field(min_length=1)


class ExtendBody(BaseModel):
    reason: str = Text
    new_appointment_at: datetime


class ReturnBody(BaseModel):
    channel: Literal["office", "post", "online"]


# path -> (its body, the command it asks for, built from the body's fields by name);
# "approve" (JSON or multipart): result.py
ROUTES: dict[str, tuple[type[BaseModel], type[OfficerCommand]]] = {
    "accept": (Empty, Accept),
    "reject-at-reception": (ReasonBody, RejectAtReception),
    "request-supplement": (SupplementBody, RequestSupplement),
    "start-processing": (Empty, StartProcessing),
    "assign": (AssignBody, Assign),
    "transfer": (TransferBody, Transfer),
    "opinions": (OpinionBody, AddOpinion),
    "propose": (ProposeBody, Propose),
    "reject": (ReasonBody, Reject),
    "extend": (ExtendBody, Extend),
    "return-result": (ReturnBody, ReturnResult),
}


queues = APIRouter(prefix="/api/v1/officer/queues", tags=["officer"])


def _officer_agency(actor: Actor) -> str:
    if actor.role != "officer" or not actor.agency:
        raise ProblemError(403, "officer-only", "Chỉ cán bộ của cơ quan mới xem được hàng đợi.")
    return actor.agency


@queues.get("")
def queue_counts(actor: CurrentActor, request: Request, app: Dossiers) -> QueueCounts:
    agency = _officer_agency(actor)
    counts = request.app.state.read_models.counts(agency, app.clock(), app.procedures.calendar())
    return QueueCounts(agency=agency, counts=counts)


@queues.get("/{queue}")
def work_queue(
    queue: Literal["to_receive", "in_processing", "due_soon", "overdue", "waiting_for_citizen"],
    actor: CurrentActor,
    request: Request,
    app: Dossiers,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    mine: bool = False,
    after: Annotated[str | None, Query(max_length=200)] = None,
    counts: Annotated[bool, Query(description="Also the sizes of all five queues.")] = False,
) -> QueuePage | CountedQueuePage:
    """One queue of the caller's agency; ``mine=true``: only dossiers assigned to them;
    ``after``: the ``next`` cursor of the previous page; ``counts=true``: with the five
    queues' sizes, as ``GET /api/v1/officer/queues`` gives them."""
    agency = _officer_agency(actor)
    now, calendar = app.clock(), app.procedures.calendar()
    read_models = request.app.state.read_models
    found: QueuePage = read_models.queue(
        agency, queue, now, calendar, page, size, actor.id if mine else None, after
    )
    if not counts:
        return found
    return CountedQueuePage(**found, counts=read_models.counts(agency, now, calendar))


def require_staff(actor: Actor) -> None:
    if actor.role not in ("officer", "auditor", "admin"):
        raise ProblemError(403, "officer-only", "Chức năng này dành cho cán bộ.")


@router.get("/{dossier_id}")
def view(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> DossierView:
    require_staff(actor)
    return dossier_view(app.get_for(dossier_id, actor), internal=True)


@router.get("/{dossier_id}/national-export")
def export(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> NationalExport:
    require_staff(actor)
    return national_export(app.get_for(dossier_id, actor))


def _route(path: str, body_type: type[BaseModel], command: type[OfficerCommand]) -> None:
    def act(
        dossier_id: UUID,
        body: body_type,  # type: ignore[valid-type]
        actor: CurrentActor,
        app: Dossiers,
    ) -> OfficerActionDone:
        require_staff(actor)
        version = app.act_as_officer(dossier_id, actor, command(**BaseModel.model_dump(body)))
        dossier = app.get_for(dossier_id, actor)
        return OfficerActionDone(id=str(dossier_id), status=dossier.status.value, version=version)

    name = "add_opinion" if path == "opinions" else path.replace("-", "_")  # stable operation ids
    act.__name__ = name
    router.add_api_route(f"/{{dossier_id}}/{path}", act, methods=["POST"], name=name)


for _path, (_body, _command) in ROUTES.items():
    _route(_path, _body, _command)
