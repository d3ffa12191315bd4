"""The citizen's API under /api/v1/dossiers. Routes are sync: the event store is."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from services.dossier.application import letters
from services.dossier.application.readmodels import OwnDossiersPage
from services.dossier.application.timeline import timeline
from services.dossier.application.views import DossierView, dossier_view
from services.dossier.domain.errors import NotAllowedError
from services.dossier.entrypoints.http.deps import Dossiers
from services.dossier.entrypoints.http.files import FILE, PDF, store_file
from services.dossier.entrypoints.http.models import (
    DraftStarted,
    NewVersion,
    Submitted,
    Timeline,
    UploadedAttachment,
    WalletAttachment,
)
from shared.blobstore import MAX_BYTES, BlobNotFoundError
from shared.filenames import upload_name
from shared.http.actor import CurrentActor
from shared.problems import ProblemError

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"])
MAX_VERSION = 2**31 - 1  # bounded: an integer beyond 64 bits reached the store as a 500


class DraftRequest(BaseModel):
    procedure_code: str = Field(min_length=1, max_length=64)
    procedure_version: int | None = Field(None, ge=1, le=MAX_VERSION)
    agency_code: str = Field(pattern=r"^[A-Za-z0-9.]{1,32}$")
    form: dict[str, Any] = Field(default_factory=dict)


class FormRequest(BaseModel):
    form: dict[str, Any]
    submit: bool = Field(
        False,
        description="Also submit the dossier, in the same write; "
        "when the submission is refused the form is still saved.",
    )


class WalletDocumentRequest(BaseModel):
    document_code: str = Field(min_length=1, max_length=64)
    wallet_document_id: str = Field(min_length=1, max_length=64)


class Answer(BaseModel):
    document_code: str = Field(min_length=1, max_length=64)
    attachment_ids: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=2000)


class SupplementRequest(BaseModel):
    answers: list[Answer] = Field(min_length=1, max_length=50)


class ReasonRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RatingRequest(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=1000)


@router.post("", status_code=201)
def start_draft(body: DraftRequest, actor: CurrentActor, app: Dossiers) -> DraftStarted:
    dossier_id = app.start_draft(actor, **body.model_dump())
    return DraftStarted(id=str(dossier_id), status="draft")


@router.get("")
def my_dossiers(
    actor: CurrentActor,
    request: Request,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    q: Annotated[str, Query(max_length=100)] = "",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> OwnDossiersPage:
    """The caller's dossiers, newest change first (read model: may lag a moment);
    ``after``: the ``next`` cursor of the previous page."""
    found: OwnDossiersPage = request.app.state.read_models.my_dossiers(
        actor.id, page, size, q, after
    )
    return found


@router.get("/{dossier_id}")
def view(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> DossierView:
    internal = actor.role in ("officer", "auditor", "admin")
    return dossier_view(app.get_for(dossier_id, actor), internal=internal)


@router.get("/{dossier_id}/timeline")
def dossier_timeline(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> Timeline:
    app.get_for(dossier_id, actor)
    internal = actor.role in ("officer", "auditor", "admin")
    return Timeline(steps=timeline(app.stored_events(dossier_id), internal=internal))


@router.put("/{dossier_id}/form")
def save_form(
    dossier_id: UUID, body: FormRequest, actor: CurrentActor, app: Dossiers
) -> Submitted | NewVersion:
    """The new version; with ``submit``, the dossier's code as ``…/submit`` answers."""
    if body.submit:
        code = app.save_and_submit(dossier_id, actor, body.form)
        return Submitted(id=str(dossier_id), code=code, status="submitted")
    return NewVersion(version=app.save_form(dossier_id, actor, body.form))


@router.post("/{dossier_id}/attachments", status_code=201)
def upload(
    dossier_id: UUID,
    actor: CurrentActor,
    app: Dossiers,
    request: Request,
    file: Annotated[UploadFile, File()],
    document_code: Annotated[str, Form(min_length=1, max_length=64)],
) -> UploadedAttachment:
    if not app.get_for(dossier_id, actor).is_owner(actor):  # refuse before storing anything
        raise NotAllowedError("Chỉ người nộp hồ sơ mới đính kèm được giấy tờ.")
    data = file.file.read(MAX_BYTES + 1)
    version, attachment = app.upload_attachment(
        dossier_id,
        actor,
        document_code,
        upload_name(file.filename),
        len(data),
        lambda: store_file(request.app.state.blobs, data),
    )
    return UploadedAttachment(**attachment, version=version)


@router.post("/{dossier_id}/wallet-documents", status_code=201)
def link_wallet_document(
    dossier_id: UUID, body: WalletDocumentRequest, actor: CurrentActor, app: Dossiers
) -> WalletAttachment:
    version, attachment = app.link_wallet_document(
        dossier_id, actor, body.document_code, body.wallet_document_id
    )
    return WalletAttachment(**attachment, version=version)


@router.get("/{dossier_id}/attachments/{attachment_id}", response_class=Response, responses=FILE)
def download(
    dossier_id: UUID, attachment_id: str, actor: CurrentActor, app: Dossiers, request: Request
) -> Response:
    """An uploaded file, to whoever may read the dossier (owner, its agencies, auditors)."""
    attachment = app.get_for(dossier_id, actor).attachments.get(attachment_id)
    if attachment is None or not attachment.get("sha256"):
        raise ProblemError(404, "attachment-not-found", "Không tìm thấy tệp đính kèm.")
    try:
        content = request.app.state.blobs.get(attachment["sha256"])
    except BlobNotFoundError:
        raise ProblemError(404, "attachment-not-found", "Không tìm thấy tệp đính kèm.") from None
    return Response(
        content,
        media_type=attachment.get("content_type") or "application/octet-stream",
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


@router.delete("/{dossier_id}/attachments/{attachment_id}")
def remove_attachment(
    dossier_id: UUID, attachment_id: str, actor: CurrentActor, app: Dossiers
) -> NewVersion:
    return NewVersion(version=app.remove_attachment(dossier_id, actor, attachment_id))


@router.post("/{dossier_id}/submit")
def submit(dossier_id: UUID, actor: CurrentActor, app: Dossiers) -> Submitted:
    code = app.submit(dossier_id, actor)
    return Submitted(id=str(dossier_id), code=code, status="submitted")


@router.post("/{dossier_id}/supplement")
def supplement(
    dossier_id: UUID, body: SupplementRequest, actor: CurrentActor, app: Dossiers
) -> NewVersion:
    answers = [a.model_dump() for a in body.answers]
    return NewVersion(version=app.supplement(dossier_id, actor, answers))


@router.post("/{dossier_id}/withdraw")
def withdraw(
    dossier_id: UUID, body: ReasonRequest, actor: CurrentActor, app: Dossiers
) -> NewVersion:
    return NewVersion(version=app.withdraw(dossier_id, actor, body.reason))


@router.post("/{dossier_id}/rating")
def rate(dossier_id: UUID, body: RatingRequest, actor: CurrentActor, app: Dossiers) -> NewVersion:
    return NewVersion(version=app.rate(dossier_id, actor, body.score, body.comment))


@router.get("/{dossier_id}/receipt.pdf", response_class=Response, responses=PDF)
def receipt(dossier_id: UUID, actor: CurrentActor, app: Dossiers, request: Request) -> Response:
    """«Giấy tiếp nhận hồ sơ và hẹn trả kết quả», once the dossier was accepted."""
    dossier = app.get_for(dossier_id, actor)
    if dossier.accepted_at is None:
        raise ProblemError(
            409, "receipt-not-issued", "Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận."
        )
    agency = app.procedures.agency_name(dossier.agency_code)
    title, lines = letters.receipt_lines(dossier, agency)
    pdf = request.app.state.render_pdf(title, lines, agency)
    return _pdf(pdf, f"giay-tiep-nhan-{dossier.code}.pdf")


@router.get("/{dossier_id}/extensions/{number}/letter.pdf", response_class=Response, responses=PDF)
def apology_letter(
    dossier_id: UUID,
    number: Annotated[int, Path(ge=1, le=100)],
    actor: CurrentActor,
    app: Dossiers,
    request: Request,
) -> Response:
    """«Phiếu xin lỗi và hẹn lại ngày trả kết quả» of the dossier's n-th extension."""
    dossier = app.get_for(dossier_id, actor)
    if number > len(dossier.extensions):
        raise ProblemError(404, "extension-not-found", "Hồ sơ không có lần gia hạn này.")
    agency = app.procedures.agency_name(dossier.handling_agency)
    title, lines = letters.apology_lines(dossier, number - 1, agency)
    pdf = request.app.state.render_pdf(title, lines, agency)
    return _pdf(pdf, f"phieu-xin-loi-{dossier.code}-{number}.pdf")


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
