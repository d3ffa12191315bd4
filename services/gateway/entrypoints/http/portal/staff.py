"""«Cán bộ của cơ quan»: an agency admin lists the agency's staff, creates officer
accounts and disables or re-enables them with a reason (identity decides who may)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer
from services.gateway.entrypoints.http.portal.officer import ROLES
from services.gateway.entrypoints.http.portal.session import Viewer
from services.gateway.entrypoints.http.portal.web import (
    login_redirect,
    portal_of,
    posted,
    redirect,
    render,
)

router = APIRouter()
PAGE = "/can-bo/nhan-su"
DONE = {
    "created": "Đã tạo tài khoản cán bộ.",
    "disable": "Đã khóa tài khoản.",
    "enable": "Đã mở khóa tài khoản.",
}
EXPIRED = "Phiên làm việc của biểu mẫu đã hết hạn, vui lòng thử lại."


async def _agency_admin(request: Request) -> Viewer | Response:
    """The viewer if an agency admin; otherwise the page to show instead."""
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    if not viewer.is_officer or "agency_admin" not in viewer.officer_roles:
        return await render(
            request,
            "message.html",
            {
                "title": "Không có quyền truy cập",
                "message": "Chỉ cán bộ quản trị của cơ quan được quản lý tài khoản cán bộ.",
            },
            403,
        )
    return viewer


async def _page(
    request: Request, viewer: Viewer, extra: dict[str, Any] | None = None, status: int = 200
) -> Response:
    context: dict[str, Any] = {"roles": ROLES, "form": {}, **(extra or {})}
    try:
        answer = await as_viewer(request, viewer, "GET", "identity", "/api/v1/staff")
    except ServiceDownError as down:
        return await render(request, "staff.html", {**context, "identity_down": down.message}, 503)
    items = answer.body.get("items", []) if answer.ok and isinstance(answer.body, dict) else []
    context["staff"] = [
        dict(s, duties=", ".join(ROLES.get(r, r) for r in s.get("officer_roles", [])))
        for s in items
        if isinstance(s, dict)
    ]
    return await render(request, "staff.html", context, status)


@router.get(PAGE)
async def page(request: Request, xong: str = "") -> Response:
    viewer = await _agency_admin(request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(request, viewer, {"notice": DONE.get(xong)})


@router.post(PAGE)
async def create(request: Request) -> Response:
    viewer = await _agency_admin(request)
    if isinstance(viewer, Response):
        return viewer
    form = await posted(request)
    if form is None:
        return await _page(request, viewer, {"error": EXPIRED}, 400)
    text = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    body = {
        "kind": "officer",
        "email": text.get("email", ""),
        "full_name": text.get("full_name", ""),
        "password": str(form.get("password") or ""),
        "agency_code": viewer.agency,
        "officer_roles": [r for r in ROLES if f"role_{r}" in text],
    }
    try:
        answer = await as_viewer(
            request, viewer, "POST", "identity", "/api/v1/admin/accounts", json=body
        )
    except ServiceDownError as down:
        return await _page(request, viewer, {"error": down.message}, 503)
    if not answer.ok:
        kept = {k: v for k, v in text.items() if k != "password"}
        return await _page(request, viewer, {"error": answer.detail, "form": kept}, answer.status)
    return redirect(request, f"{PAGE}?xong=created")


@router.post(PAGE + "/{account_id}/{action}")
async def change(request: Request, account_id: str, action: str) -> Response:
    viewer = await _agency_admin(request)
    if isinstance(viewer, Response):
        return viewer
    form = await posted(request)
    if form is None or action not in ("disable", "enable"):
        return await _page(request, viewer, {"error": EXPIRED}, 400)
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "identity",
            f"/api/v1/admin/accounts/{account_id}/{action}",
            json={"reason": str(form.get("reason") or "").strip()},
        )
    except ServiceDownError as down:
        return await _page(request, viewer, {"error": down.message}, 503)
    if not answer.ok:
        return await _page(request, viewer, {"error": answer.detail}, answer.status)
    return redirect(request, f"{PAGE}?xong={action}")
