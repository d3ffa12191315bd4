"""The sandbox's merchant API: querydr and refund (VNPay's signed JSON), and a daily
report of every transaction for reconciliation (the sandbox's own format, signed alike)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.payment.adapters.vnpay import protocol
from services.payment.sandbox.store import SandboxStore, Txn
from services.payment.settings import PaymentSettings


def txn_summary(txn: Txn) -> dict[str, Any]:
    return {
        "vnp_TxnRef": txn.txn_ref,
        "vnp_Amount": protocol.to_vnp_amount(txn.amount),
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": {"pending": "01", protocol.SUCCESS: "00"}.get(txn.status, "02"),
        "vnp_ResponseCode": txn.status if txn.status != "pending" else "",
        "vnp_PayDate": txn.pay_date or "",
        "vnp_RefundedAmount": protocol.to_vnp_amount(txn.refunded),
    }


def install_merchant_api(app: FastAPI, settings: PaymentSettings, store: SandboxStore) -> None:
    secret = settings.secret

    def answer(body: dict[str, Any], fields: tuple[str, ...]) -> JSONResponse:
        body = {"vnp_ResponseId": uuid.uuid4().hex, "vnp_TmnCode": settings.vnpay_tmn_code, **body}
        body["vnp_SecureHash"] = protocol.sign_fields(body, fields, secret)
        return JSONResponse(body)

    @app.post("/merchant_webapi/api/transaction")
    async def transaction(request: Request) -> JSONResponse:
        body = await request.json()
        command = body.get("vnp_Command")
        fields = protocol.REFUND_REQUEST if command == "refund" else protocol.QUERYDR_REQUEST
        if not protocol.verify_fields(body, fields, secret):
            return answer(
                {
                    "vnp_Command": command,
                    "vnp_ResponseCode": "97",
                    "vnp_Message": "Invalid Checksum",
                },
                protocol.QUERYDR_RESPONSE,
            )
        txn = store.by_ref(settings.vnpay_tmn_code, str(body.get("vnp_TxnRef", "")))
        if txn is None:
            return answer(
                {
                    "vnp_Command": command,
                    "vnp_ResponseCode": "91",
                    "vnp_Message": "Transaction not found",
                },
                protocol.QUERYDR_RESPONSE,
            )
        if command == "refund":
            return refund(body, txn)
        return answer(
            {
                "vnp_Command": "querydr",
                "vnp_ResponseCode": "00",
                "vnp_Message": "QueryDR Success",
                "vnp_BankCode": txn.bank_code or "",
                "vnp_TransactionType": "01",
                "vnp_OrderInfo": txn.order_info,
                **txn_summary(txn),
            },
            protocol.QUERYDR_RESPONSE,
        )

    def refund(body: dict[str, Any], txn: Txn) -> JSONResponse:
        amount = protocol.from_vnp_amount(str(body.get("vnp_Amount", "")))
        base = {
            "vnp_Command": "refund",
            "vnp_TxnRef": txn.txn_ref,
            "vnp_TransactionNo": txn.transaction_no,
            "vnp_TransactionType": "02",
        }
        if txn.status != protocol.SUCCESS:
            code, message = "94", "Transaction is not successful"
        elif not amount or amount > txn.amount - txn.refunded:
            code, message = "03", "Invalid amount"
        else:
            store.refund(str(body.get("vnp_RequestId")), txn, amount)  # a repeat is a no-op
            code, message = "00", "Refund success"
        return answer(
            {
                **base,
                "vnp_ResponseCode": code,
                "vnp_Message": message,
                "vnp_Amount": body.get("vnp_Amount", ""),
                "vnp_PayDate": protocol.format_date(datetime.now(UTC)),
            },
            protocol.REFUND_RESPONSE,
        )

    @app.post("/merchant_webapi/api/report")
    async def report(request: Request) -> JSONResponse:
        body = await request.json()
        if not protocol.verify_fields(body, protocol.REPORT_REQUEST, secret):
            return JSONResponse({"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"})
        day = str(body.get("vnp_Date", ""))
        transactions = [txn_summary(t) for t in store.on_day(settings.vnpay_tmn_code, day)]
        result: dict[str, Any] = {
            "vnp_ResponseId": uuid.uuid4().hex,
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": settings.vnpay_tmn_code,
            "vnp_Date": day,
            "transactions": transactions,
        }
        result["vnp_SecureHash"] = protocol.sign_pipe(
            protocol.report_response_fields(result), secret
        )
        return JSONResponse(result)
