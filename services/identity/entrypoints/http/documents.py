"""/me/documents: the personal document wallet (multipart upload)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from services.identity.application import documents
from services.identity.entrypoints.http.deps import Ctx
from services.identity.entrypoints.http.models import Document, DocumentList
from shared.blobstore import ALLOWED_TYPES
from shared.http.actor import CurrentActor
from shared.http.download import content_disposition

router = APIRouter(prefix="/api/v1/me/documents", tags=["documents"])


@router.get("")
async def list_documents(actor: CurrentActor, ctx: Ctx) -> DocumentList:
    return DocumentList.model_validate({"items": await documents.list_documents(ctx, actor.id)})


@router.post("", status_code=201)
async def add_document(
    actor: CurrentActor,
    ctx: Ctx,
    type: Annotated[str, Form(max_length=60)],
    number: Annotated[str, Form(max_length=50)],
    file: Annotated[UploadFile, File()],
    issued_on: Annotated[date | None, Form()] = None,
    issuer: Annotated[str | None, Form(max_length=300)] = None,
) -> Document:
    data = await file.read(ctx.settings.max_document_bytes + 1)
    added = await documents.add_document(
        ctx,
        actor.id,
        documents.NewDocument(
            type=type,
            number=number,
            issued_on=issued_on,
            issuer=issuer,
            file_name=file.filename or "tep",
            data=data,
        ),
    )
    return Document.model_validate(added)


@router.get("/{document_id}")
async def get_document(document_id: str, actor: CurrentActor, ctx: Ctx) -> Document:
    return Document.model_validate(await documents.get_document(ctx, actor.id, document_id))


@router.get(
    "/{document_id}/file",
    response_class=Response,
    responses={200: {"content": {media: {} for media in sorted(ALLOWED_TYPES)}}},
)
async def get_file(document_id: str, actor: CurrentActor, ctx: Ctx) -> Response:
    doc, data = await documents.document_file(ctx, actor.id, document_id)
    return Response(
        data,
        media_type=doc["file"]["content_type"],
        headers={
            "Content-Disposition": content_disposition(doc["file"]["name"]),
            "Cache-Control": "private, no-store",
        },
    )


@router.delete("/{document_id}", status_code=204, response_model=None)
async def remove_document(document_id: str, actor: CurrentActor, ctx: Ctx) -> Response:
    await documents.remove_document(ctx, actor.id, document_id)
    return Response(status_code=204)
