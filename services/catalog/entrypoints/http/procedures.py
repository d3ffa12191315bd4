"""Procedures: the public list, search and versions; admins' drafts, publishing, withdrawal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from services.catalog.application.procedures import parse_content
from services.catalog.application.templates import ALLOWED, MAX_BYTES
from services.catalog.application.views import (
    DraftSaved,
    ProcedurePage,
    ProcedureView,
    Published,
    Withdrawn,
)
from services.catalog.domain.errors import InvalidProcedureError
from services.catalog.domain.model import TemplateRef
from services.catalog.entrypoints.http.deps import PREFIX, AdminActor, CatalogDep
from services.catalog.entrypoints.http.models import DraftView
from shared.http.download import content_disposition
from shared.problems import ProblemError

router = APIRouter(prefix=f"{PREFIX}/procedures", tags=["procedures"])
Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")]
TEMPLATE_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The form's file, of the type sniffed when it was uploaded.",
        "content": {media_type: {} for media_type in sorted(ALLOWED.values())},
    }
}


class Reason(BaseModel):
    reason: str = Field("", max_length=1000)


class RequiredReason(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


@router.get("")
async def list_procedures(
    catalog: CatalogDep,
    q: Annotated[str, Query(max_length=200)] = "",
    agency: Annotated[str | None, Query(max_length=40)] = None,
    field: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProcedurePage:
    return await catalog.search(q, agency, field, level, page, page_size)


@router.get("/{code}")
async def get_procedure(
    catalog: CatalogDep, code: str, version: Annotated[int | None, Query(ge=1)] = None
) -> ProcedureView:
    return await catalog.procedures.public_view(code, version)


@router.get("/{code}/templates/{template_code}", response_class=Response, responses=TEMPLATE_FILE)
async def download_template(
    catalog: CatalogDep,
    code: str,
    template_code: str,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    ref, data = await catalog.templates.download(code, template_code, version)
    return Response(
        data,
        media_type=ref.content_type,
        headers={
            "Content-Disposition": content_disposition(ref.filename),
            "Cache-Control": "public, max-age=86400, immutable",  # bytes are content-addressed
            "ETag": f'"{ref.sha256}"',
        },
    )


@router.post("", status_code=201)
async def create_procedure(
    catalog: CatalogDep, actor: AdminActor, body: Annotated[dict[str, Any], Body()]
) -> DraftSaved:
    reason = str(body.pop("reason", "") or "tạo mới")
    return await catalog.procedures.create(parse_content(body), actor, reason)


@router.get("/{code}/draft")
async def get_draft(catalog: CatalogDep, actor: AdminActor, code: str) -> DraftView:
    draft = await catalog.procedures.draft(code)
    return DraftView.model_validate({**draft.model_dump(), "mode": draft.mode})


@router.put("/{code}/draft")
async def save_draft(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Annotated[dict[str, Any], Body()]
) -> DraftSaved:
    reason = str(body.pop("reason", "") or "")
    content = parse_content({**body, "code": body.get("code", code)})
    if content.code != code:
        raise InvalidProcedureError("Mã thủ tục trong nội dung không khớp với đường dẫn.")
    await catalog.procedures.draft(code)  # 404 unless it exists: creation is POST
    return await catalog.procedures.save_draft(content, actor, reason)


@router.post("/{code}/publish")
async def publish(
    catalog: CatalogDep, actor: AdminActor, code: str, body: Reason | None = None
) -> Published:
    return await catalog.procedures.publish(code, actor, body.reason if body else "")


@router.post("/{code}/withdraw")
async def withdraw(
    catalog: CatalogDep, actor: AdminActor, code: str, body: RequiredReason
) -> Withdrawn:
    return await catalog.procedures.withdraw(code, actor, body.reason)


@router.put("/{code}/draft/templates/{template_code}")
async def upload_template(
    catalog: CatalogDep,
    actor: AdminActor,
    request: Request,
    code: str,
    template_code: str,
    name: Annotated[str, Query(min_length=2, max_length=300)],
    filename: Annotated[str, Query(min_length=1, max_length=200)],
) -> TemplateRef:
    """The file is the raw request body; its type is sniffed from the bytes."""
    length = int(request.headers.get("content-length") or 0)
    if length > MAX_BYTES:
        raise ProblemError(413, "payload-too-large", "Tệp biểu mẫu vượt quá 5 MB.")
    content = await request.body()
    await catalog.procedures.draft(code)
    ref = await catalog.templates.store_file(template_code, name, filename, content)
    return await catalog.templates.attach(code, ref, actor)
