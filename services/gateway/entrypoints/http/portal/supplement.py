"""The citizen answers a supplement request («Bổ sung hồ sơ»): a file or a note per item;
or withdraws the dossier («Rút hồ sơ») before a result."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer
from services.gateway.entrypoints.http.portal.csrf import csrf_ok
from services.gateway.entrypoints.http.portal.session import Viewer
from services.gateway.entrypoints.http.portal.web import login_redirect, portal_of, redirect, render

router = APIRouter()


async def _open_request(
    request: Request, viewer: Viewer, dossier_id: UUID
) -> dict[str, Any] | None:
    answer = await as_viewer(request, viewer, "GET", "dossier", f"/api/v1/dossiers/{dossier_id}")
    if not answer.ok or answer.body.get("status") != "supplement_requested":
        return None
    dossier: dict[str, Any] = answer.body
    return dossier


@router.get("/ho-so/{dossier_id}/bo-sung")
async def supplement_page(request: Request, dossier_id: UUID) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None or not viewer.is_citizen:
        return login_redirect(request)
    try:
        dossier = await _open_request(request, viewer, dossier_id)
    except ServiceDownError as down:
        return await render(request, "supplement.html", {"service_down": down.message}, 503)
    if dossier is None:
        return redirect(request, f"/ho-so/{dossier_id}")
    return await render(request, "supplement.html", {"d": dossier, "s": dossier["supplements"][-1]})


@router.post("/ho-so/{dossier_id}/bo-sung")
async def supplement(request: Request, dossier_id: UUID) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None or not viewer.is_citizen:
        return login_redirect(request)
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf") or ""), viewer):
        return redirect(request, f"/ho-so/{dossier_id}/bo-sung")
    try:
        dossier = await _open_request(request, viewer, dossier_id)
        if dossier is None:
            return redirect(request, f"/ho-so/{dossier_id}")
        open_request = dossier["supplements"][-1]
        answers = []
        for item in open_request["items"]:
            code = item["document_code"]
            attachment_ids = []
            file = form.get(f"file_{code}")
            if file is not None and not isinstance(file, str) and file.filename:
                uploaded = await as_viewer(
                    request,
                    viewer,
                    "POST",
                    "dossier",
                    f"/api/v1/dossiers/{dossier_id}/attachments",
                    data={"document_code": code if code != "form" else "khac"},
                    files={
                        "file": (
                            file.filename,
                            await file.read(),
                            file.content_type or "application/octet-stream",
                        )
                    },
                )
                if not uploaded.ok:
                    return await _again(request, dossier, uploaded.detail, uploaded.status)
                attachment_ids.append(uploaded.body["id"])
            answers.append(
                {
                    "document_code": code,
                    "attachment_ids": attachment_ids,
                    "note": str(form.get(f"note_{code}") or "").strip(),
                }
            )
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "dossier",
            f"/api/v1/dossiers/{dossier_id}/supplement",
            json={"answers": answers},
        )
    except ServiceDownError as down:
        return await render(request, "supplement.html", {"service_down": down.message}, 503)
    if not answer.ok:
        return await _again(request, dossier, answer.detail, answer.status)
    return redirect(request, f"/ho-so/{dossier_id}")


async def _again(request: Request, dossier: dict[str, Any], error: str, status: int) -> Response:
    return await render(
        request,
        "supplement.html",
        {"d": dossier, "s": dossier["supplements"][-1], "error": error},
        status,
    )


@router.post("/ho-so/{dossier_id}/rut")
async def withdraw(request: Request, dossier_id: UUID) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None or not viewer.is_citizen:
        return login_redirect(request)
    form = await request.form()
    if csrf_ok(request, str(form.get("csrf") or ""), viewer):
        try:
            answer = await as_viewer(
                request,
                viewer,
                "POST",
                "dossier",
                f"/api/v1/dossiers/{dossier_id}/withdraw",
                json={"reason": str(form.get("reason") or "").strip()},
            )
        except ServiceDownError as down:
            return await render(
                request,
                "message.html",
                {"title": "Chưa rút được hồ sơ", "message": down.message},
                503,
            )
        if not answer.ok:
            return await render(
                request,
                "message.html",
                {
                    "title": "Chưa rút được hồ sơ",
                    "message": answer.detail,
                    "link": f"/ho-so/{dossier_id}",
                    "link_label": "Quay lại hồ sơ",
                },
                answer.status,
            )
    return redirect(request, f"/ho-so/{dossier_id}")
