"""The officer console: agency work queues, a dossier with its documents and timeline,
and the actions of each duty (the dossier service decides who may do what)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from services.gateway.entrypoints.http.portal.api import Answer, ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer, fee_orders
from services.gateway.entrypoints.http.portal.session import Viewer
from services.gateway.entrypoints.http.portal.web import (
    login_redirect,
    portal_of,
    posted,
    redirect,
    render,
)
from shared.vn.time import VN_TZ

router = APIRouter()
QUEUES = {
    "to_receive": "Chờ tiếp nhận",
    "in_processing": "Đang xử lý",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "waiting_for_citizen": "Chờ công dân bổ sung, thanh toán",
}
ROLES = {
    "receiver": "tiếp nhận",
    "processor": "xử lý",
    "approver": "phê duyệt",
    "agency_admin": "quản trị cơ quan",
}
# The dossier service names its commands in snake case; the console's paths are the API's.
PATHS = {"add_opinion": "opinions"}
DONE = {
    "accept": "Đã tiếp nhận hồ sơ và cấp giấy hẹn.",
    "reject-at-reception": "Đã từ chối tiếp nhận.",
    "request-supplement": "Đã gửi yêu cầu bổ sung.",
    "start-processing": "Đã bắt đầu xử lý.",
    "assign": "Đã phân công.",
    "transfer": "Đã chuyển hồ sơ.",
    "opinions": "Đã ghi ý kiến.",
    "propose": "Đã trình đề xuất.",
    "approve": "Đã phê duyệt, kết quả đã được ghi nhận.",
    "reject": "Đã từ chối giải quyết.",
    "extend": "Đã gia hạn.",
    "return-result": "Đã trả kết quả.",
    "office-payment": "Đã ghi nhận thu phí tại quầy.",
}


async def _officer(request: Request) -> Viewer | None:
    viewer = await portal_of(request).viewer(request)
    return viewer if viewer is not None and viewer.is_officer else None


@router.get("/can-bo")
async def queues(
    request: Request, hang: str = "to_receive", trang: int = 1, cua_toi: str = ""
) -> Response:
    viewer = await _officer(request)
    if viewer is None:
        return login_redirect(request)
    hang = hang if hang in QUEUES else "to_receive"
    context: dict[str, Any] = {
        "queues": QUEUES,
        "queue": hang,
        "mine": bool(cua_toi),
        "roles": [ROLES.get(r, r) for r in viewer.officer_roles],
    }
    try:
        listing = await as_viewer(
            request,
            viewer,
            "GET",
            "dossier",
            f"/api/v1/officer/queues/{hang}",
            params={
                "page": max(trang, 1),
                "size": 20,
                "mine": "true" if cua_toi else "false",
                "counts": "true",  # the tabs' sizes in the same answer
            },
        )
        body = listing.body if listing.ok and isinstance(listing.body, dict) else {}
        context["counts"] = body.get("counts") or {}
        context["result"] = body if listing.ok else {"items": [], "total": 0}
    except ServiceDownError as down:
        context["dossier_down"] = down.message
    return await render(request, "officer_queues.html", context)


@router.get("/can-bo/ho-so/{dossier_id}")
async def dossier(request: Request, dossier_id: UUID, xong: str = "") -> Response:
    viewer = await _officer(request)
    if viewer is None:
        return login_redirect(request)
    return await _page(request, viewer, dossier_id, {"notice": DONE.get(xong)})


async def _page(
    request: Request,
    viewer: Viewer,
    dossier_id: UUID,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The dossier, its timeline, its procedure's words and the actions this officer may
    take now, from one call to the dossier service (its rules decide the actions)."""
    context: dict[str, Any] = {"roles": [ROLES.get(r, r) for r in viewer.officer_roles]}
    try:
        answer = await as_viewer(
            request, viewer, "GET", "dossier", f"/api/v1/dossiers/{dossier_id}/page"
        )
    except ServiceDownError as down:
        return await render(request, "officer_dossier.html", {"dossier_down": down.message}, 503)
    if not answer.ok:
        return await render(
            request,
            "message.html",
            {"title": "Không mở được hồ sơ", "message": answer.detail},
            answer.status,
        )
    page = answer.body
    dossier = page["dossier"]
    properties = (page.get("form_schema") or {}).get("properties") or {}
    context.update(
        d=dossier,
        steps=page["steps"],
        actions=[PATHS.get(a, a.replace("_", "-")) for a in page["actions"]],
        labels={name: spec.get("title", name) for name, spec in properties.items()},
        documents={d["code"]: d["name"] for d in page["required_documents"]},
    )
    if "assign" in page["actions"] or dossier.get("assignee"):
        context.update(await _staff(request, viewer))
    context.update(await fee_orders(request, viewer, dossier_id))
    context.update(extra or {})
    return await render(request, "officer_dossier.html", context, status)


async def _staff(request: Request, viewer: Viewer) -> dict[str, Any]:
    """The active staff of the officer's agency for the assignee picker, and every staff
    name by id (the assignee is shown by name). Without identity the console falls back
    to typing the officer's account id."""
    try:
        answer = await as_viewer(request, viewer, "GET", "identity", "/api/v1/staff")
    except ServiceDownError as down:
        return {"staff": [], "staff_down": down.message}
    if not answer.ok or not isinstance(answer.body, dict):
        return {"staff": [], "staff_down": answer.detail}
    items = [s for s in answer.body.get("items") or [] if isinstance(s, dict)]
    return {
        "staff": [
            dict(s, duties=", ".join(ROLES.get(r, r) for r in s.get("officer_roles", [])))
            for s in items
            if s.get("active")
        ],
        "staff_names": {s.get("id"): s.get("full_name") for s in items},
    }


def _body(action: str, form: dict[str, Any]) -> dict[str, Any]:
    text = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    if action in ("reject-at-reception", "reject"):
        return {"reason": text.get("reason", "")}
    if action == "request-supplement":
        items = [
            {"document_code": k[len("item_") :], "reason": text.get(f"why_{k[5:]}", "")}
            for k in text
            if k.startswith("item_")
        ]
        return {"items": items, "reason": text.get("reason", "")}
    if action == "assign":
        return {"officer_id": text.get("officer_id", ""), "note": text.get("note", "")}
    if action == "transfer":
        return {"to_agency": text.get("to_agency", ""), "reason": text.get("reason", "")}
    if action == "opinions":
        return {"opinion": text.get("opinion", "")}
    if action == "propose":
        return {"decision": text.get("decision", "approve"), "note": text.get("note", "")}
    if action == "approve":
        result = {"number": text.get("result_number", ""), "note": text.get("result_note", "")}
        return {"result": {k: v for k, v in result.items() if v}}
    if action == "extend":
        return {
            "reason": text.get("reason", ""),
            "new_appointment_at": _local_to_iso(text.get("new_appointment_at", "")),
        }
    if action == "return-result":
        return {"channel": text.get("channel", "office")}
    return {}


def _local_to_iso(value: str) -> str:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VN_TZ).isoformat()
    except ValueError:
        return value


def _chosen_file(form: dict[str, Any]) -> UploadFile | None:
    file = form.get("result_file")
    return file if isinstance(file, UploadFile) and file.filename else None


async def _approve_with_file(
    request: Request, viewer: Viewer, dossier_id: UUID, form: dict[str, Any]
) -> Answer:
    """The result file goes to the dossier service with the approval, in one request."""
    file = _chosen_file(form)
    assert file is not None
    content = await file.read()
    fields = {k: str(form.get(k) or "").strip() for k in ("result_number", "result_note")}
    return await as_viewer(
        request,
        viewer,
        "POST",
        "dossier",
        f"/api/v1/officer/dossiers/{dossier_id}/approve",
        data=fields,
        files={"file": (file.filename, content, file.content_type or "application/octet-stream")},
    )


def _amount(typed: object) -> int | None:
    """Đồng as the officer typed them («50000», «50.000», «50 000»); None if not a number."""
    digits = str(typed or "0").strip().replace(".", "").replace(",", "").replace(" ", "")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 15 else None


@router.post("/can-bo/ho-so/{dossier_id}/{action}")
async def act(request: Request, dossier_id: UUID, action: str) -> Response:
    viewer = await _officer(request)
    if viewer is None:
        return login_redirect(request)
    form = await posted(request)
    if form is None or action not in DONE:
        return await _page(
            request,
            viewer,
            dossier_id,
            {"error": "Phiên làm việc của biểu mẫu đã hết hạn, vui lòng thử lại."},
            400,
        )
    amount = _amount(form.get("amount")) if action == "office-payment" else 0
    if amount is None:
        return await _page(
            request,
            viewer,
            dossier_id,
            {"error": "Số tiền không hợp lệ: nhập số đồng, ví dụ 50000 hoặc 50.000."},
            422,
        )
    try:
        if action == "office-payment":
            answer = await as_viewer(
                request,
                viewer,
                "POST",
                "payment",
                f"/api/v1/payments/orders/{form.get('order_id')}/office-payment",
                json={
                    "receipt_no": str(form.get("receipt_no") or "").strip(),
                    "amount": amount,
                },
                headers={
                    "idempotency-key": f"office-{form.get('order_id')}-"
                    f"{str(form.get('receipt_no') or '').strip()}"[:128]
                },
            )
        elif action == "approve" and _chosen_file(form) is not None:
            answer = await _approve_with_file(request, viewer, dossier_id, form)
        else:
            answer = await as_viewer(
                request,
                viewer,
                "POST",
                "dossier",
                f"/api/v1/officer/dossiers/{dossier_id}/{action}",
                json=_body(action, form),
            )
    except ServiceDownError as down:
        return await _page(request, viewer, dossier_id, {"error": down.message}, 503)
    if not answer.ok:
        errors = answer.field_errors()
        detail = answer.detail + (" " + " ".join(errors.values()) if errors else "")
        return await _page(request, viewer, dossier_id, {"error": detail}, answer.status)
    return redirect(request, f"/can-bo/ho-so/{dossier_id}?xong={action}")
