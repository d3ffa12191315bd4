"""«Thông báo»: the caller's in-app inbox (notify), newest first."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer
from services.gateway.entrypoints.http.portal.web import (
    login_redirect,
    portal_of,
    posted,
    redirect,
    render,
)

router = APIRouter()


@router.get("/thong-bao")
async def inbox(request: Request) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    context: dict[str, Any] = {}
    try:
        answer = await as_viewer(request, viewer, "GET", "notify", "/api/v1/notifications")
        context["items"] = (answer.body or {}).get("items", []) if answer.ok else []
    except ServiceDownError as down:
        context["notify_down"] = down.message
    return await render(request, "notifications.html", context)


@router.post("/thong-bao/{notification_id}/da-doc")
async def mark_read(request: Request, notification_id: str) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is not None and await posted(request) is not None:
        with contextlib.suppress(ServiceDownError):
            await as_viewer(
                request, viewer, "POST", "notify", f"/api/v1/notifications/{notification_id}/read"
            )
    return redirect(request, "/thong-bao")
