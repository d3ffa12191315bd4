"""The citizen's dossiers: create, fill the form, attach, «Gửi đi», follow, supplement."""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.entrypoints.http.portal import forms
from services.gateway.entrypoints.http.portal.api import Answer, ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer, download, fee_orders
from services.gateway.entrypoints.http.portal.csrf import csrf_ok
from services.gateway.entrypoints.http.portal.profile import DOCUMENT_TYPES
from services.gateway.entrypoints.http.portal.session import Viewer
from services.gateway.entrypoints.http.portal.web import (
    login_redirect,
    portal_of,
    posted,
    redirect,
    render,
)

router = APIRouter()
CSRF_EXPIRED = "Phiên làm việc của biểu mẫu đã hết hạn, vui lòng tải lại trang."


async def _citizen(request: Request) -> Viewer | None:
    viewer = await portal_of(request).viewer(request)
    return viewer if viewer is not None and viewer.is_citizen else None


async def _page(request: Request, viewer: Viewer, dossier_id: UUID) -> dict[str, Any] | None:
    """The dossier, its timeline, form and the viewer's allowed actions: one upstream call."""
    answer = await as_viewer(
        request, viewer, "GET", "dossier", f"/api/v1/dossiers/{dossier_id}/page"
    )
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


def _fields(page: dict[str, Any]) -> list[forms.FormField]:
    return forms.fields_of(page.get("form_schema") or {}, page.get("form_ui"))


@router.post("/ho-so/tao")
async def create(request: Request) -> Response:
    viewer = await _citizen(request)
    form = await posted(request)
    if viewer is None:
        code = str((form or {}).get("procedure_code") or "")
        return redirect(request, f"/dang-nhap?tiep=/thu-tuc/{code}")
    if form is None:
        return await render(request, "message.html", {"title": "Lỗi", "message": CSRF_EXPIRED}, 400)
    body = {
        "procedure_code": str(form.get("procedure_code") or ""),
        "agency_code": str(form.get("agency_code") or ""),
        "form": {},
    }
    try:
        answer = await as_viewer(request, viewer, "POST", "dossier", "/api/v1/dossiers", json=body)
    except ServiceDownError as down:
        return await render(
            request, "message.html", {"title": "Chưa tạo được hồ sơ", "message": down.message}, 503
        )
    if not answer.ok:
        return await render(
            request,
            "message.html",
            {"title": "Chưa tạo được hồ sơ", "message": answer.detail},
            answer.status,
        )
    return redirect(request, f"/ho-so/{answer.body['id']}/khai")


@router.get("/ho-so")
async def my_dossiers(request: Request, q: str = "", trang: int = 1) -> Response:
    viewer = await _citizen(request)
    if viewer is None:
        return login_redirect(request)
    context: dict[str, Any] = {"q": q}
    try:
        answer = await as_viewer(
            request,
            viewer,
            "GET",
            "dossier",
            "/api/v1/dossiers",
            params={"page": max(trang, 1), "size": 20, "q": q or None},
        )
        context["result"] = answer.body if answer.ok else {"items": [], "total": 0}
    except ServiceDownError as down:
        context["dossier_down"] = down.message
    return await render(request, "dossiers.html", context)


@router.get("/ho-so/{dossier_id}")
async def dossier_page(request: Request, dossier_id: UUID, gui: str = "") -> Response:
    viewer = await _citizen(request)
    if viewer is None:
        return login_redirect(request)
    try:
        page = await _page(request, viewer, dossier_id)
    except ServiceDownError as down:
        return await render(request, "dossier.html", {"dossier_down": down.message}, 503)
    if page is None:
        return await render(
            request,
            "message.html",
            {"title": "Không tìm thấy hồ sơ", "message": "Hồ sơ không tồn tại."},
            404,
        )
    dossier = page["dossier"]
    context: dict[str, Any] = {
        "d": dossier,
        "steps": page["steps"],
        "actions": page["actions"],
        "documents": {d["code"]: d["name"] for d in page["required_documents"]},
        "agencies": page["agencies"],
    }
    if gui and dossier.get("code"):
        context["notice"] = (
            f"Đã gửi hồ sơ thành công. Mã hồ sơ: {dossier['code']}. Vui lòng lưu lại mã để tra cứu."
        )
    if dossier.get("fee_due"):
        context.update(await fee_orders(request, viewer, dossier_id))
    return await render(request, "dossier.html", context)


async def _form_page(
    request: Request,
    viewer: Viewer,
    dossier_id: UUID,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    try:
        page = await _page(request, viewer, dossier_id)
    except ServiceDownError as down:
        return await render(request, "dossier_form.html", {"service_down": down.message}, 503)
    if page is None:
        return await render(
            request,
            "message.html",
            {"title": "Không tìm thấy hồ sơ", "message": "Hồ sơ không tồn tại."},
            404,
        )
    if "save_form" not in page["actions"]:
        return redirect(request, f"/ho-so/{dossier_id}")
    wallet: list[dict[str, Any]] = []
    try:
        answer = await as_viewer(request, viewer, "GET", "identity", "/api/v1/me/documents")
        wallet = (answer.body or {}).get("items", []) if answer.ok else []
    except ServiceDownError:
        pass
    dossier = page["dossier"]
    procedure = {
        "name": dossier.get("procedure_name"),
        "required_documents": page["required_documents"],
    }
    context: dict[str, Any] = {
        "d": dossier,
        "p": procedure,
        "wallet": wallet,
        "errors": {},
        "types": DOCUMENT_TYPES,
        "actions": page["actions"],
        "fields": _fields(page),
        "values": dossier.get("form") or {},
    }
    context.update(extra or {})
    return await render(request, "dossier_form.html", context, status)


@router.get("/ho-so/{dossier_id}/khai")
async def form_page(request: Request, dossier_id: UUID) -> Response:
    viewer = await _citizen(request)
    if viewer is None:
        return login_redirect(request)
    return await _form_page(request, viewer, dossier_id)


@router.post("/ho-so/{dossier_id}/khai")
async def save_form(request: Request, dossier_id: UUID) -> Response:
    viewer = await _citizen(request)
    if viewer is None:
        return login_redirect(request)
    posted_form = await posted(request)
    if posted_form is None:
        return await _form_page(request, viewer, dossier_id, {"error": CSRF_EXPIRED}, 400)
    try:
        page = await _page(request, viewer, dossier_id)
        if page is None:
            return redirect(request, f"/ho-so/{dossier_id}")
        values = forms.parse(_fields(page), posted_form)
        submit = posted_form.get("action") == "submit"
        saved = await as_viewer(
            request,
            viewer,
            "PUT",
            "dossier",
            f"/api/v1/dossiers/{dossier_id}/form",
            json={"form": values, "submit": submit},
        )
    except ServiceDownError as down:
        return await _form_page(request, viewer, dossier_id, {"error": down.message}, 503)
    if not saved.ok:
        return await _refused(request, viewer, dossier_id, saved, values)
    if not submit:
        return await _form_page(
            request, viewer, dossier_id, {"notice": "Đã lưu tờ khai.", "values": values}
        )
    return redirect(request, f"/ho-so/{dossier_id}?gui=1")


async def _refused(
    request: Request, viewer: Viewer, dossier_id: UUID, answer: Answer, values: dict[str, Any]
) -> Response:
    return await _form_page(
        request,
        viewer,
        dossier_id,
        {"error": answer.detail, "errors": answer.field_errors(), "values": values},
        answer.status if answer.status >= 400 else 422,
    )


@router.post("/ho-so/{dossier_id}/tep")
async def upload(request: Request, dossier_id: UUID) -> Response:
    """An attachment; XHR callers (upload progress) get JSON, plain forms come back."""
    viewer = await _citizen(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await request.form()
    if viewer is None or not _csrf(request, form, viewer):
        return await _upload_refused(request, viewer, wants_json, dossier_id, CSRF_EXPIRED, 403)
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return await _upload_refused(
            request, viewer, wants_json, dossier_id, "Vui lòng chọn tệp.", 422
        )
    content = await file.read()
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "dossier",
            f"/api/v1/dossiers/{dossier_id}/attachments",
            data={"document_code": str(form.get("document_code") or "")},
            files={
                "file": (file.filename, content, file.content_type or "application/octet-stream")
            },
        )
    except ServiceDownError as down:
        return await _upload_refused(request, viewer, wants_json, dossier_id, down.message, 503)
    if not answer.ok:
        return await _upload_refused(
            request, viewer, wants_json, dossier_id, answer.detail, answer.status
        )
    if wants_json:
        return JSONResponse(answer.body, status_code=201)
    return redirect(request, f"/ho-so/{dossier_id}/khai")


def _csrf(request: Request, form: Any, viewer: Viewer) -> bool:
    submitted = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
    return csrf_ok(request, submitted, viewer)


async def _upload_refused(
    request: Request,
    viewer: Viewer | None,
    wants_json: bool,
    dossier_id: UUID,
    detail: str,
    status: int,
) -> Response:
    """XHR callers get the detail as JSON; a plain form gets the form page saying why."""
    if wants_json:
        return JSONResponse(
            {"detail": detail}, status_code=status, media_type="application/problem+json"
        )
    if viewer is None:
        return login_redirect(request)
    return await _form_page(request, viewer, dossier_id, {"error": detail}, status)


@router.post("/ho-so/{dossier_id}/tep/{attachment_id}/xoa")
async def remove(request: Request, dossier_id: UUID, attachment_id: str) -> Response:
    viewer = await _citizen(request)
    if viewer is not None and await posted(request) is not None:
        with contextlib.suppress(ServiceDownError):
            await as_viewer(
                request,
                viewer,
                "DELETE",
                "dossier",
                f"/api/v1/dossiers/{dossier_id}/attachments/{attachment_id}",
            )
    return redirect(request, f"/ho-so/{dossier_id}/khai")


@router.post("/ho-so/{dossier_id}/kho-giay-to")
async def cite_wallet(request: Request, dossier_id: UUID) -> Response:
    viewer = await _citizen(request)
    form = await posted(request)
    if viewer is None or form is None:
        return redirect(request, f"/ho-so/{dossier_id}/khai")
    body = {
        "document_code": str(form.get("document_code") or ""),
        "wallet_document_id": str(form.get("wallet_document_id") or ""),
    }
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "dossier",
            f"/api/v1/dossiers/{dossier_id}/wallet-documents",
            json=body,
        )
    except ServiceDownError as down:
        if wants_json:
            return await _upload_refused(request, viewer, True, dossier_id, down.message, 503)
        return await _form_page(request, viewer, dossier_id, {"error": down.message}, 503)
    if not answer.ok:
        if wants_json:
            return await _upload_refused(
                request, viewer, True, dossier_id, answer.detail, answer.status
            )
        return await _form_page(
            request, viewer, dossier_id, {"error": answer.detail}, answer.status
        )
    if wants_json:  # the page stays, with what the person typed in the form
        return JSONResponse(answer.body, status_code=201)
    return redirect(request, f"/ho-so/{dossier_id}/khai")


@router.get("/ho-so/{dossier_id}/tep/{attachment_id}")
async def attachment(request: Request, dossier_id: UUID, attachment_id: str) -> Response:
    return await download(
        request, "dossier", f"/api/v1/dossiers/{dossier_id}/attachments/{attachment_id}"
    )


@router.get("/ho-so/{dossier_id}/giay-tiep-nhan.pdf")
async def receipt(request: Request, dossier_id: UUID) -> Response:
    return await download(request, "dossier", f"/api/v1/dossiers/{dossier_id}/receipt.pdf")


@router.get("/ho-so/{dossier_id}/gia-han/{number}.pdf")
async def extension_letter(request: Request, dossier_id: UUID, number: int) -> Response:
    """«Phiếu xin lỗi và hẹn lại ngày trả kết quả» of the n-th extension."""
    return await download(
        request, "dossier", f"/api/v1/dossiers/{dossier_id}/extensions/{number}/letter.pdf"
    )


@router.get("/ho-so/{dossier_id}/ket-qua")
async def result_file(request: Request, dossier_id: UUID) -> Response:
    """«Tải kết quả giải quyết»: the approver's result file, as the viewer may see it."""
    return await download(request, "dossier", f"/api/v1/dossiers/{dossier_id}/result")
