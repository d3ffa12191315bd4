"""«Trang cá nhân»: profile, organisation, password change, personal documents."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.account import password_message
from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer, file_response
from services.gateway.entrypoints.http.portal.csrf import csrf_ok
from services.gateway.entrypoints.http.portal.session import Viewer
from services.gateway.entrypoints.http.portal.web import (
    login_redirect,
    portal_of,
    posted,
    redirect,
    render,
)

router = APIRouter()
DOCUMENT_TYPES = {
    "cccd": "Căn cước công dân",
    "ho_chieu": "Hộ chiếu",
    "giay_khai_sinh": "Giấy khai sinh",
    "giay_phep_lai_xe": "Giấy phép lái xe",
    "so_ho_khau": "Sổ hộ khẩu",
    "bang_tot_nghiep": "Bằng tốt nghiệp",
    "giay_chung_nhan_dang_ky_doanh_nghiep": "Giấy chứng nhận đăng ký doanh nghiệp",
    "khac": "Giấy tờ khác",
}
PROFILE_FIELDS = ("full_name", "phone", "national_id", "date_of_birth", "address")
ORG_FIELDS = ("tax_code", "name", "address", "representative")


async def _page(
    request: Request, viewer: Viewer, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    context: dict[str, Any] = {"types": DOCUMENT_TYPES, "errors": {}}
    try:
        me = await as_viewer(request, viewer, "GET", "identity", "/api/v1/me")
        documents = await as_viewer(request, viewer, "GET", "identity", "/api/v1/me/documents")
        context["me"] = me.body if me.ok else {}
        context["documents"] = (documents.body or {}).get("items", []) if documents.ok else []
    except ServiceDownError as down:
        context["identity_down"] = down.message
    context.update(extra or {})
    return await render(request, "profile.html", context, status)


async def _viewer(request: Request) -> Viewer | None:
    return await portal_of(request).viewer(request)


@router.get("/trang-ca-nhan")
async def profile(request: Request) -> Response:
    viewer = await _viewer(request)
    if viewer is None:
        return login_redirect(request)
    return await _page(request, viewer)


@router.post("/trang-ca-nhan")
async def update_profile(request: Request) -> Response:
    viewer = await _viewer(request)
    form = await posted(request)
    if viewer is None or form is None:
        return redirect(request, "/trang-ca-nhan")
    body: dict[str, Any] = {
        k: str(form.get(k) or "").strip() for k in PROFILE_FIELDS if str(form.get(k) or "").strip()
    }
    organisation = {k: str(form.get(f"org_{k}") or "").strip() for k in ORG_FIELDS}
    if any(organisation.values()):
        body["organisation"] = organisation
    try:
        answer = await as_viewer(request, viewer, "PATCH", "identity", "/api/v1/me", json=body)
    except ServiceDownError as down:
        return await _page(request, viewer, {"error": down.message}, 503)
    if not answer.ok:
        return await _page(
            request,
            viewer,
            {"error": answer.detail, "errors": answer.field_errors()},
            answer.status,
        )
    return await _page(request, viewer, {"notice": "Đã cập nhật thông tin cá nhân."})


@router.post("/trang-ca-nhan/mat-khau")
async def change_password(request: Request) -> Response:
    viewer = await _viewer(request)
    form = await posted(request)
    if viewer is None or form is None:
        return redirect(request, "/trang-ca-nhan")
    if form.get("new_password") != form.get("new_password2"):
        return await _page(
            request, viewer, {"errors": {"new_password2": "Mật khẩu nhập lại không khớp."}}, 422
        )
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "identity",
            "/api/v1/me/password",
            json={
                "current_password": str(form.get("current_password") or ""),
                "new_password": str(form.get("new_password") or ""),
            },
        )
    except ServiceDownError as down:
        return await _page(request, viewer, {"error": down.message}, 503)
    if not answer.ok:
        return await _page(request, viewer, {"error": password_message(answer)}, answer.status)
    return await _page(request, viewer, {"notice": "Đã đổi mật khẩu."})


@router.post("/trang-ca-nhan/giay-to")
async def add_document(request: Request) -> Response:
    viewer = await _viewer(request)
    form = await request.form()
    if viewer is None or not csrf_ok(request, str(form.get("csrf") or ""), viewer):
        return redirect(request, "/trang-ca-nhan")
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return await _page(request, viewer, {"error": "Vui lòng chọn tệp giấy tờ."}, 422)
    data = {k: str(form.get(k) or "").strip() for k in ("type", "number", "issued_on", "issuer")}
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "identity",
            "/api/v1/me/documents",
            data={k: v for k, v in data.items() if v},
            files={
                "file": (
                    file.filename,
                    await file.read(),
                    file.content_type or "application/octet-stream",
                )
            },
        )
    except ServiceDownError as down:
        return await _page(request, viewer, {"error": down.message}, 503)
    if not answer.ok:
        return await _page(request, viewer, {"error": answer.detail}, answer.status)
    return await _page(request, viewer, {"notice": "Đã thêm giấy tờ vào kho giấy tờ cá nhân."})


@router.post("/trang-ca-nhan/giay-to/{document_id}/xoa")
async def remove_document(request: Request, document_id: str) -> Response:
    viewer = await _viewer(request)
    if viewer is not None and await posted(request) is not None:
        with contextlib.suppress(ServiceDownError):
            await as_viewer(
                request, viewer, "DELETE", "identity", f"/api/v1/me/documents/{document_id}"
            )
    return redirect(request, "/trang-ca-nhan")


@router.get("/trang-ca-nhan/giay-to/{document_id}")
async def document_file(request: Request, document_id: str) -> Response:
    viewer = await _viewer(request)
    if viewer is None:
        return login_redirect(request)
    return await file_response(
        request,
        await as_viewer(
            request, viewer, "GET", "identity", f"/api/v1/me/documents/{document_id}/file"
        ),
    )
