"""The provider's two doors: the server-to-server IPN and the browser's return URL.

The IPN is the only thing that marks an online payment: verified (signature,
terminal, order, amount), de-duplicated by the order's own state, answered in
VNPay's JSON. The return URL only shows what the order's state already is.
"""

from __future__ import annotations

import html
import logging
import os
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.payment.application.ports import Rejected
from services.payment.domain.errors import OrderNotFoundError
from services.payment.domain.status import FAILURE_LABELS, OrderStatus
from services.payment.entrypoints.http.deps import merchant, payments, settings
from services.payment.entrypoints.http.models import IpnAnswer
from shared.vn.money import format_vnd

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/payments/vnpay", tags=["vnpay"])


@router.get("/ipn")
def ipn(request: Request) -> IpnAnswer:
    return IpnAnswer.model_validate(_answer(request))


def _answer(request: Request) -> dict[str, str]:
    """The provider's answer to one notification (VNPay's JSON)."""
    params = dict(request.query_params)
    provider = merchant(request)
    note = provider.read(params)
    if isinstance(note, Rejected):
        log.warning(
            "notification refused", extra={"why": note.why, "ref": params.get("vnp_TxnRef")}
        )
        return note.answer
    try:
        outcome = payments(request).confirm(note)
    except OrderNotFoundError:
        return provider.answer("not_found")
    except Exception:
        log.exception("notification failed", extra={"ref": note.attempt_id})
        return provider.answer("error")
    log.info("notification", extra={"ref": note.attempt_id, "outcome": outcome})
    if outcome == "confirmed" and settings(request).failpoint == "after_ipn_saved":
        os._exit(137)  # tests: die with the event stored and nothing answered or published
    return provider.answer(outcome)


PAGE = {"text/html": {"schema": {"type": "string"}}}


@router.get(
    "/return",
    response_class=HTMLResponse,
    responses={
        400: {"description": "Tham số trả về không xác minh được (trang HTML)", "content": PAGE},
        404: {"description": "Không tìm thấy giao dịch (trang HTML)", "content": PAGE},
    },
)
def browser_return(request: Request) -> HTMLResponse:
    params = dict(request.query_params)
    note = merchant(request).read(params)
    if isinstance(note, Rejected):
        return _page(
            "Không xác minh được kết quả",
            "Thông tin trả về từ cổng thanh toán không hợp lệ.",
            status=400,
        )
    try:
        order = payments(request).order(note.order_id)
    except OrderNotFoundError:
        return _page("Không tìm thấy giao dịch", "Giao dịch không tồn tại.", status=404)
    attempt: dict[str, Any] = order.attempts.get(note.attempt_id, {})
    twice = next((p for p in order.extra_payments if p["attempt_id"] == note.attempt_id), None)
    if twice is not None and order.payment is not None:
        title = "Hồ sơ đã được thanh toán trước đó"
        text = (
            f"Khoản phí của hồ sơ {order.dossier_code} đã được thanh toán trước đó (biên "
            f"lai số {order.payment['receipt_no']}). Khoản vừa nộp "
            f"{format_vnd(twice['amount'])} được ghi nhận và sẽ được hoàn lại cho bạn."
        )
    elif twice is not None:
        title = "Lượt thanh toán đã hết hạn"
        text = (
            f"Lượt thanh toán này đã hết hạn và được thay bằng lượt khác. Khoản vừa nộp "
            f"{format_vnd(twice['amount'])} được ghi nhận và sẽ được hoàn lại cho bạn; "
            f"vui lòng thanh toán hồ sơ {order.dossier_code} bằng lượt thanh toán mới."
        )
    elif order.status == OrderStatus.PAID and order.payment is not None:
        title = "Thanh toán thành công"
        text = (
            f"Đã nhận {format_vnd(order.amount)} cho hồ sơ {order.dossier_code}. "
            f"Số biên lai: {order.payment['receipt_no']}."
        )
    elif note.success:
        title = "Đang chờ xác nhận"
        text = (
            "Cổng thanh toán báo giao dịch thành công; hệ thống đang chờ xác nhận từ "
            "ngân hàng. Vui lòng xem lại mục Giao dịch sau ít phút."
        )
    else:
        reason = attempt.get("reason") or (note.failure.value if note.failure else "failed")
        title = "Thanh toán không thành công"
        text = f"{FAILURE_LABELS.get(reason, 'Giao dịch thất bại')}. Bạn có thể thanh toán lại."
    return _page(title, text, status=200, order_id=str(order.id), state=str(order.status))


def _page(
    title: str, text: str, *, status: int, order_id: str = "", state: str = ""
) -> HTMLResponse:
    """The page of a return URL configured here (the portal's «Kết quả thanh toán»,
    /thanh-toan/ket-qua, is the default): its links lead to the portal's pages."""
    link = f"/giao-dich/{order_id}" if order_id else "/giao-dich"
    body = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)} — Một Cửa</title></head>
<body><main data-order-id="{html.escape(order_id)}" data-order-status="{html.escape(state)}">
<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>
<p><a href="/">Về trang chủ</a> · <a href="{html.escape(link)}">Giao dịch của tôi</a></p>
</main></body></html>"""
    return HTMLResponse(body, status_code=status)
