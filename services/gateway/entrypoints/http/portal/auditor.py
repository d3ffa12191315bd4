"""The auditor's view: a dossier's raw events, its state at a chosen moment, the chain check."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer
from services.gateway.entrypoints.http.portal.web import login_redirect, portal_of, render
from shared.vn.time import VN_TZ

router = APIRouter()


@router.get("/kiem-tra")
async def audit(request: Request, ma: str = "", luc: str = "") -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None or not viewer.is_auditor:
        return login_redirect(request)
    ref = ma.strip()
    context: dict[str, Any] = {"ref": ref, "at": luc}
    if not ref:
        return await render(request, "audit.html", context)
    base = f"/api/v1/audit/dossiers/{quote(ref, safe='')}"
    try:
        events = await as_viewer(request, viewer, "GET", "dossier", f"{base}/events")
        if not events.ok:
            return await render(
                request, "audit.html", {**context, "error": events.detail}, events.status
            )
        verify = await as_viewer(request, viewer, "GET", "dossier", f"{base}/verify")
        context["events"] = _items(events.body)
        context["verify"] = verify.body if verify.ok else None
        if luc:
            at = _moment(luc)
            state = await as_viewer(
                request, viewer, "GET", "dossier", f"{base}/state", params={"at": at}
            )
            body = state.body if state.ok and isinstance(state.body, dict) else None
            context["state"] = body.get("dossier") if body else None
            context["state_error"] = None if state.ok else state.detail
    except ServiceDownError as down:
        context["dossier_down"] = down.message
    return await render(request, "audit.html", context)


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return list(body.get("events") or body.get("items") or [])
    return []


def _moment(value: str) -> str:
    """A datetime-local value is Vietnam time; the service wants an ISO time with its zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)).isoformat()
