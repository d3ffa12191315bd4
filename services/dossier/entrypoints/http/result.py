"""The result document: the approver approves with the result file (multipart) or with
the result's data alone (JSON); whoever may read it downloads the file.

Order of the approve with a file: check everything that refuses an approval (approver
of the dossier's agency, dossier in processing, a proposal made:
:meth:`Dossier.check_approval`), then store the blob, then record ``Approved`` with the
file's descriptor. A blob stored without an event (e.g. a concurrent change) is
harmless: blobs are content-addressed, only reachable through a dossier's record, and
swept once nothing refers to them (:mod:`services.dossier.application.blobs`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from services.dossier.domain.commands import Approve
from services.dossier.domain.result import RESULT_NAME
from services.dossier.entrypoints.http.deps import Dossiers
from services.dossier.entrypoints.http.files import FILE, store_file
from services.dossier.entrypoints.http.models import ApprovedDossier
from services.dossier.entrypoints.http.officer import ApproveBody, require_staff
from shared.blobstore import MAX_BYTES, BlobNotFoundError
from shared.events.envelope import Actor
from shared.filenames import upload_name
from shared.http.actor import CurrentActor
from shared.http.download import content_disposition
from shared.problems import ProblemError

officer_router = APIRouter(prefix="/api/v1/officer/dossiers", tags=["officer"])
router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"])
NOT_FOUND = "Không tìm thấy tệp kết quả giải quyết."


@officer_router.post("/{dossier_id}/approve")
async def approve(
    dossier_id: UUID, request: Request, actor: CurrentActor, app: Dossiers
) -> ApprovedDossier:
    """JSON ``{"result": {...}}``, or multipart: ``file`` (PDF/JPEG/PNG, optional),
    ``result_number``, ``result_note``."""
    require_staff(actor)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        version = await _approve_multipart(dossier_id, request, actor, app)
    else:
        result = _json_result(await request.body())
        version = await asyncio.to_thread(app.act_as_officer, dossier_id, actor, Approve(result))
    dossier = await asyncio.to_thread(app.get_for, dossier_id, actor)
    return ApprovedDossier(
        id=str(dossier_id), status=dossier.status.value, version=version, result=dossier.result
    )


def _json_result(raw: bytes) -> dict[str, Any]:
    try:
        body = ApproveBody.model_validate(json.loads(raw or b"{}"))
    except (ValueError, ValidationError) as exc:
        errors = (
            exc.errors()
            if isinstance(exc, ValidationError)
            else [{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]
        )
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None
    if "document" in body.result:
        raise ProblemError(
            422,
            "result-file-required",
            "Tệp kết quả phải được tải lên cùng yêu cầu phê duyệt "
            "(multipart/form-data, trường «file»).",
        )
    return body.result


async def _approve_multipart(
    dossier_id: UUID, request: Request, actor: Actor, app: Dossiers
) -> int:
    """The new version; the file is stored only once the approval would be taken."""
    dossier = await asyncio.to_thread(app.get_for, dossier_id, actor)
    dossier.check_approval(actor)  # refuse before reading the upload
    form = await request.form(max_files=1, max_fields=10)
    fields = {k: str(form.get(k) or "").strip()[:2000] for k in ("result_number", "result_note")}
    result: dict[str, Any] = {
        k: v for k, v in (("number", fields["result_number"]), ("note", fields["result_note"])) if v
    }
    upload = form.get("file")
    if not (isinstance(upload, UploadFile) and upload.filename):
        return await asyncio.to_thread(app.act_as_officer, dossier_id, actor, Approve(result))
    data = await upload.read(MAX_BYTES + 1)
    blobs = request.app.state.blobs
    return await asyncio.to_thread(
        app.approve_with_file,
        dossier_id,
        actor,
        result,
        upload_name(upload.filename, RESULT_NAME),
        lambda: store_file(blobs, data),
    )


@router.get("/{dossier_id}/result", response_class=Response, responses=FILE)
def download(dossier_id: UUID, actor: CurrentActor, app: Dossiers, request: Request) -> Response:
    """The result file: to the owner once the result is ready, to the agency's officers
    and auditors once approved; ``result-not-found`` before."""
    document = app.get_for(dossier_id, actor).result_document_for(actor)
    try:
        content = request.app.state.blobs.get(document["sha256"])
    except BlobNotFoundError:
        raise ProblemError(404, "result-not-found", NOT_FOUND) from None
    return Response(
        content,
        media_type=document["content_type"],
        headers={
            "Content-Disposition": content_disposition(document["name"]),
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{document["sha256"]}"',
            "Cache-Control": "private, no-store",
        },
    )
