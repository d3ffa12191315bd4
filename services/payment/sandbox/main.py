"""The VNPay-protocol sandbox as its own process: ``python -m services.payment.sandbox``.

It plays the provider: verifies the signed payment URL, shows a payment page with
"Thanh toán" / "Hủy" / "Giao dịch thất bại", sends the browser back to
``vnp_ReturnUrl`` with signed results, and notifies the merchant's IPN address
server to server, retrying until the merchant answers 00 or 02. It also answers
querydr, refund and a daily report for reconciliation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.payment.adapters.vnpay import protocol
from services.payment.sandbox.merchant_api import install_merchant_api
from services.payment.sandbox.pages import error_page, payment_page
from services.payment.sandbox.store import SandboxStore, Txn
from services.payment.settings import PaymentSettings
from shared.http.app import create_app, serve
from shared.settings import load_settings

log = logging.getLogger(__name__)
ACTIONS = {"pay": protocol.SUCCESS, "cancel": protocol.CANCELLED, "fail": protocol.FAILED}
BANK = "NCB"


def result_params(txn: Txn, tmn_code: str) -> dict[str, str]:
    """What VNPay sends back (return URL and IPN) for a finished transaction."""
    return {
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": protocol.to_vnp_amount(txn.amount),
        "vnp_BankCode": txn.bank_code or BANK,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date or "",
        "vnp_ResponseCode": txn.status,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": "00" if txn.status == protocol.SUCCESS else "02",
        "vnp_TxnRef": txn.txn_ref,
    }


def _check_payment_params(params: dict[str, str], settings: PaymentSettings) -> str | None:
    """Why a payment URL is refused (Vietnamese), or None."""
    if not protocol.verify(params, settings.secret):
        return "Sai chữ ký (vnp_SecureHash)."
    if params.get("vnp_TmnCode") != settings.vnpay_tmn_code:
        return "Website này chưa được phê duyệt (vnp_TmnCode không đúng)."
    if params.get("vnp_Version") != protocol.VERSION or params.get("vnp_Command") != "pay":
        return "Phiên bản hoặc lệnh không được hỗ trợ."
    if params.get("vnp_CurrCode") != "VND":
        return "Loại tiền tệ không được hỗ trợ."
    amount = protocol.from_vnp_amount(params.get("vnp_Amount", ""))
    if not amount:
        return "Số tiền không hợp lệ."
    try:
        protocol.parse_date(params.get("vnp_CreateDate", ""))
        protocol.parse_date(params.get("vnp_ExpireDate", ""))
    except ValueError:
        return "Thời gian tạo hoặc hết hạn giao dịch không hợp lệ."
    if not params.get("vnp_TxnRef") or not params.get("vnp_ReturnUrl", "").startswith("http"):
        return "Thiếu mã tham chiếu hoặc địa chỉ trả về."
    return None


class IpnSender:
    """Delivers each finished transaction's IPN until the merchant gives a final answer."""

    def __init__(self, settings: PaymentSettings, store: SandboxStore) -> None:
        self.settings = settings
        self.store = store
        self.tasks: set[asyncio.Task[None]] = set()

    def schedule(self, txn: Txn) -> None:
        task = asyncio.create_task(self._deliver(txn))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver(self, txn: Txn) -> None:
        query = protocol.signed_query(
            result_params(txn, self.settings.vnpay_tmn_code), self.settings.secret
        )
        url = f"{self.settings.sandbox_ipn_url}?{query}"
        pause = self.settings.sandbox_ipn_backoff_seconds
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            for attempt in range(1, self.settings.sandbox_ipn_attempts + 1):
                try:
                    answer = (await client.get(url)).json()
                    code = str(answer.get("RspCode"))
                except (httpx.HTTPError, ValueError, AttributeError) as error:
                    code = f"error: {type(error).__name__}"
                log.info(
                    "ipn delivered", extra={"ref": txn.txn_ref, "attempt": attempt, "answer": code}
                )
                if code in protocol.IPN_FINAL_CODES:
                    self.store.record_ipn_answer(txn.token, code)
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
        self.store.record_ipn_answer(txn.token, "gave-up")


def build_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or PaymentSettings()
    store = SandboxStore(settings.sandbox_db())
    sender = IpnSender(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for txn in store.undelivered():  # a restart resumes what was not acknowledged
            sender.schedule(txn)
        try:
            yield
        finally:
            for task in list(sender.tasks):
                task.cancel()

    app = create_app("payment-sandbox", lifespan=lifespan)

    @app.get("/paymentv2/vpcpay.html", response_class=HTMLResponse)
    async def payment_url(request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        problem = _check_payment_params(params, settings)
        if problem:
            return HTMLResponse(error_page("Giao dịch không hợp lệ", problem), status_code=400)
        txn = store.open(
            tmn_code=params["vnp_TmnCode"],
            txn_ref=params["vnp_TxnRef"],
            amount=protocol.from_vnp_amount(params["vnp_Amount"]) or 0,
            order_info=params.get("vnp_OrderInfo", ""),
            return_url=params["vnp_ReturnUrl"],
            create_date=params["vnp_CreateDate"],
            expire_date=params["vnp_ExpireDate"],
        )
        if txn.amount != protocol.from_vnp_amount(params["vnp_Amount"]):
            return HTMLResponse(
                error_page("Giao dịch không hợp lệ", "Mã tham chiếu đã dùng cho số tiền khác."), 400
            )
        if txn.status != "pending":
            return HTMLResponse(
                error_page("Giao dịch đã được xử lý", "Giao dịch này đã kết thúc."), status_code=409
            )
        return HTMLResponse(payment_page(txn, settings.vnpay_tmn_code))

    @app.post("/paymentv2/confirm", response_model=None)
    async def confirm(
        token: Annotated[str, Form(max_length=64)], action: Annotated[str, Form(max_length=16)]
    ) -> Any:
        txn = store.by_token(token)
        if txn is None or action not in ACTIONS:
            return HTMLResponse(
                error_page("Giao dịch không hợp lệ", "Không tìm thấy giao dịch."), status_code=404
            )
        now = datetime.now(UTC)
        code = ACTIONS[action]
        if action == "pay" and protocol.parse_date(txn.expire_date) < now:
            code = protocol.EXPIRED
        if not store.finish(token, code, protocol.format_date(now), BANK):
            return HTMLResponse(
                error_page("Giao dịch đã được xử lý", "Giao dịch này đã kết thúc."), status_code=409
            )
        finished = store.by_token(token)
        assert finished is not None
        sender.schedule(finished)
        query = protocol.signed_query(
            result_params(finished, settings.vnpay_tmn_code), settings.secret
        )
        return RedirectResponse(f"{finished.return_url}?{query}", status_code=302)

    install_merchant_api(app, settings, store)
    return app


def main() -> None:
    settings = load_settings(PaymentSettings)
    settings.port = settings.sandbox_port
    serve(build_app(settings), settings, "payment-sandbox")
