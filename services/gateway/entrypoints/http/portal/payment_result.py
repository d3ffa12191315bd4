"""«Kết quả thanh toán»: where the payment provider sends the citizen's browser back.

The page verifies nothing: the provider's server-to-server notification (IPN) is what
marks an order paid. It only reads which order the browser came back for (from
``vnp_TxnRef``) and shows that order's state as the payment service knows it, read
with the signed-in person's identity like every other portal page.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from services.gateway.entrypoints.http.portal.api import ServiceDownError
from services.gateway.entrypoints.http.portal.calls import as_viewer
from services.gateway.entrypoints.http.portal.web import login_redirect, portal_of, render

router = APIRouter()
REFERENCE = re.compile(r"([0-9a-f]{32})\d{3}")  # the order's id, then the attempt number
CLOSED = ("cancelled", "expired", "refunded", "refund_due")
REFRESH_SECONDS = 3


def order_of_reference(reference: str) -> UUID | None:
    match = REFERENCE.fullmatch(reference.strip().lower())
    return UUID(hex=match.group(1)) if match else None


def outcome(order: dict[str, Any], reference: str) -> dict[str, Any]:
    """What to tell the payer, from the order's state only (never the query string)."""
    attempt = next(
        (
            a
            for a in order.get("attempts") or []
            if str(a.get("attempt_id", "")).lower() == reference.lower()
        ),
        None,
    )
    extra = next(
        (
            p
            for p in order.get("extra_payments") or []
            if str(p.get("attempt_id", "")).lower() == reference.lower()
        ),
        None,
    )
    if extra is not None and extra.get("on_closed_attempt") and order.get("status") != "paid":
        return {  # this attempt had been replaced by another, which is still to be paid
            "state": "refund",
            "title": "Lượt thanh toán đã được thay thế",
            "text": "Lượt thanh toán này đã hết hạn và được thay bằng lượt khác, nên khoản "
            "tiền vừa nộp sẽ được hoàn lại tự động. Vui lòng thanh toán hồ sơ bằng lượt "
            "thanh toán mới.",
        }
    if extra is not None:  # this attempt paid a fee that was already paid
        return {
            "state": "refund",
            "title": "Khoản nộp trùng sẽ được hoàn lại",
            "text": "Phí, lệ phí của hồ sơ đã được thanh toán trước đó, nên khoản tiền "
            "vừa nộp sẽ được cơ quan giải quyết hoàn lại. Biên lai đã cấp vẫn "
            "có giá trị.",
        }
    if order.get("status") == "refund_due":
        return {
            "state": "refund",
            "title": order.get("status_label") or "Chờ hoàn tiền",
            "text": "Giao dịch đã đóng trước khi cổng thanh toán xác nhận, nên khoản tiền "
            "vừa nộp sẽ được cơ quan giải quyết hoàn lại.",
        }
    if order.get("status") == "paid" and order.get("payment"):
        return {
            "state": "paid",
            "title": "Đã thanh toán",
            "text": "Khoản phí, lệ phí của hồ sơ đã được thanh toán thành công.",
        }
    if order.get("status") in CLOSED:
        return {
            "state": "closed",
            "title": order.get("status_label") or "Giao dịch đã đóng",
            "text": "Giao dịch này không còn nhận thanh toán.",
        }
    if attempt is not None and attempt.get("status") == "failed":
        return {
            "state": "failed",
            "title": "Thanh toán thất bại",
            "text": f"{attempt.get('status_label') or 'Giao dịch thất bại'}. "
            "Bạn có thể thanh toán lại.",
        }
    return {
        "state": "waiting",
        "title": "Đang chờ xác nhận",
        "text": "Hệ thống đang chờ cổng thanh toán xác nhận giao dịch. Trang sẽ tự cập "
        "nhật sau vài giây; bạn cũng có thể xem lại ở mục Giao dịch.",
    }


@router.get("/thanh-toan/ket-qua")
async def payment_result(request: Request) -> Response:
    viewer = await portal_of(request).viewer(request)
    if viewer is None:
        return login_redirect(request)
    reference = request.query_params.get("vnp_TxnRef", "")
    order_id = order_of_reference(reference)
    if order_id is None:
        return await render(
            request,
            "message.html",
            {
                "title": "Không xác định được giao dịch",
                "message": "Đường dẫn trở về từ cổng thanh toán không hợp lệ.",
                "link": "/giao-dich",
                "link_label": "Xem các giao dịch",
            },
            400,
        )
    try:
        answer = await as_viewer(
            request, viewer, "GET", "payment", f"/api/v1/payments/orders/{order_id}"
        )
    except ServiceDownError as down:
        return await render(
            request,
            "payment_result.html",
            {"payment_down": down.message, "refresh": REFRESH_SECONDS},
            503,
        )
    if not answer.ok or not isinstance(answer.body, dict):
        return await render(
            request,
            "message.html",
            {
                "title": "Không xem được giao dịch",
                "message": answer.detail,
                "link": "/giao-dich",
                "link_label": "Xem các giao dịch",
            },
            answer.status,
        )
    shown = outcome(answer.body, reference)
    return await render(
        request,
        "payment_result.html",
        {
            "o": answer.body,
            "r": shown,
            "refresh": REFRESH_SECONDS if shown["state"] == "waiting" else None,
        },
    )
