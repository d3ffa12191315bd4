"""«Giao dịch»: the caller's fee orders, paying through the provider, receipts."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer, download
from services.gateway.entrypoints.http.portal.web import login_redirect, portal_of, posted, render

router = APIRouter()


@router.get("/giao-dich")
async def orders(request: Request) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    context: dict[str, Any] = {}
    try:
        answer = await as_viewer(request, viewer, "GET", "payment", "/api/v1/payments/orders")
        context["orders"] = (answer.body or {}).get("items", []) if answer.ok else []
    except ServiceDownError as down:
        context["payment_down"] = down.message
    return await render(request, "orders.html", context)


@router.get("/giao-dich/{order_id}")
async def order(request: Request, order_id: UUID) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    try:
        answer = await as_viewer(
            request, viewer, "GET", "payment", f"/api/v1/payments/orders/{order_id}"
        )
    except ServiceDownError as down:
        return await render(request, "order.html", {"payment_down": down.message}, 503)
    if not answer.ok:
        return await render(request, "order.html", {"error": answer.detail}, answer.status)
    return await render(request, "order.html", {"o": answer.body, "key": uuid4().hex})


@router.post("/giao-dich/{order_id}")
async def checkout(request: Request, order_id: UUID) -> Response:
    viewer = await portal_of(request).viewer(request)
    form = await posted(request)
    if viewer is None or form is None:
        return login_redirect(request)
    if not form.get("accept_terms"):
        return await order_with(
            request, order_id, "Vui lòng xác nhận cam kết trước khi thanh toán."
        )
    try:
        answer = await as_viewer(
            request,
            viewer,
            "POST",
            "payment",
            f"/api/v1/payments/orders/{order_id}/checkout",
            json={"method": str(form.get("method") or "vnpay"), "accept_terms": True},
            headers={"idempotency-key": _key(form)},
        )
    except ServiceDownError as down:
        return await render(request, "order.html", {"payment_down": down.message}, 503)
    if not answer.ok:
        return await order_with(request, order_id, answer.detail, answer.status)
    # CSP form-action 'self' forbids a redirect to the provider after a form post: the
    # person follows a link instead («Tiếp tục thanh toán»).
    return await render(request, "checkout.html", {"attempt": answer.body})


async def order_with(request: Request, order_id: UUID, error: str, status: int = 422) -> Response:
    viewer = await portal_of(request).viewer(request)
    assert viewer is not None
    answer = await as_viewer(
        request, viewer, "GET", "payment", f"/api/v1/payments/orders/{order_id}"
    )
    return await render(
        request,
        "order.html",
        {"o": answer.body if answer.ok else None, "error": error, "key": uuid4().hex},
        status,
    )


def _key(form: dict[str, Any]) -> str:
    """The form's own key: submitting the same form twice starts one payment attempt."""
    key = str(form.get("key") or "")
    return key if re.fullmatch(r"[0-9a-f]{32}", key) else uuid4().hex


@router.get("/giao-dich/{order_id}/bien-lai.pdf")
async def receipt(request: Request, order_id: UUID) -> Response:
    return await download(request, "payment", f"/api/v1/payments/orders/{order_id}/receipt")
