"""Calls made on behalf of the signed-in viewer, and streaming a file back to the browser."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request, Response

from services.gateway.entrypoints.http.portal.api import Answer, ServiceDownError
from services.gateway.entrypoints.http.portal.session import Viewer, client_ip
from services.gateway.entrypoints.http.portal.web import login_redirect, portal_of, render

FILE_HEADERS = ("content-type", "content-disposition", "etag", "content-length")


async def as_viewer(
    request: Request, viewer: Viewer, method: str, service: str, path: str, **kwargs: Any
) -> Answer:
    return await portal_of(request).services.call(
        method, service, path, caller=viewer.headers(), client_ip=client_ip(request), **kwargs
    )


async def fee_orders(request: Request, viewer: Viewer, dossier_id: UUID) -> dict[str, Any]:
    """The dossier's fee orders for a page (``orders``), or why they could not be read
    (``payment_down``): the page still shows the dossier without them."""
    try:
        answer = await as_viewer(
            request,
            viewer,
            "GET",
            "payment",
            "/api/v1/payments/orders",
            params={"dossier_id": str(dossier_id)},
        )
    except ServiceDownError as down:
        return {"payment_down": down.message}
    return {"orders": (answer.body or {}).get("items", []) if answer.ok else []}


async def file_response(request: Request, answer: Answer) -> Response:
    if not answer.ok:
        return await render(
            request,
            "message.html",
            {"title": "Không tải được tệp", "message": answer.detail},
            answer.status,
        )
    headers = {k: v for k, v in answer.headers.items() if k.lower() in FILE_HEADERS}
    disposition = headers.get("content-disposition", "")
    # A download, not the browser's viewer: people keep receipts and results.
    headers["content-disposition"] = (
        "attachment" + disposition[len("inline") :]
        if disposition.startswith("inline")
        else disposition or "attachment"
    )
    headers["cache-control"] = "private, no-store"
    return Response(answer.content, status_code=200, headers=headers)


async def download(request: Request, service: str, path: str) -> Response:
    """A file the signed-in viewer may read from ``service``, as a download."""
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    try:
        answer = await as_viewer(request, viewer, "GET", service, path)
    except ServiceDownError as down:
        return await render(
            request, "message.html", {"title": "Không tải được tệp", "message": down.message}, 503
        )
    return await file_response(request, answer)
