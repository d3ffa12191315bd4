"""The sandbox's merchant API: querydr and refund (VNPay's signed JSON, VNPay's answer
codes: 00 done, 02 another terminal, 03 data not valid, 91 no such transaction, 94 a
refund request received before, 95 the transaction was not paid, 97 bad checksum), and a
daily report of every transaction for reconciliation (the sandbox's own format, signed
alike)."""

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


def _amount(body: dict[str, Any]) -> int:
    return protocol.from_vnp_amount(str(body.get("vnp_Amount", ""))) or 0


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
        if body.get("vnp_TmnCode") != settings.vnpay_tmn_code:
            return answer(
                {
                    "vnp_Command": command,
                    "vnp_ResponseCode": "02",
                    "vnp_Message": "Invalid TmnCode",
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
        """VNPay's refund: 00 refunded, 94 this request was received before (a retry: it
        refunds once), 95 the transaction was not paid, 03 data or amount not valid."""
        code, message = refund_outcome(body, txn)
        if code == "00" and not store.refund(str(body["vnp_RequestId"]), txn, _amount(body)):
            code, message = "94", "Refund request already received"
        return answer(
            {
                "vnp_Command": "refund",
                "vnp_ResponseCode": code,
                "vnp_Message": message,
                "vnp_TxnRef": txn.txn_ref,
                "vnp_Amount": body.get("vnp_Amount", ""),
                "vnp_BankCode": txn.bank_code or "",
                "vnp_PayDate": protocol.format_date(datetime.now(UTC)),
                "vnp_TransactionNo": txn.transaction_no,
                "vnp_TransactionType": body.get("vnp_TransactionType", ""),
                "vnp_TransactionStatus": "05" if code in ("00", "94") else "",
                "vnp_OrderInfo": body.get("vnp_OrderInfo", ""),
            },
            protocol.REFUND_RESPONSE,
        )

    def refund_outcome(body: dict[str, Any], txn: Txn) -> tuple[str, str]:
        if store.has_refund(str(body.get("vnp_RequestId", ""))):
            return "94", "Refund request already received"
        if txn.status != protocol.SUCCESS:
            return "95", "Transaction is not successful"
        amount, kind = _amount(body), body.get("vnp_TransactionType")
        left = txn.amount - txn.refunded
        wrong = (
            not body.get("vnp_RequestId")
            or body.get("vnp_Version") != protocol.VERSION
            or kind not in ("02", "03")
            or str(body.get("vnp_TransactionNo") or txn.transaction_no) != txn.transaction_no
            or not body.get("vnp_CreateBy")
        )
        if wrong:
            return "03", "Invalid data format"
        if not 0 < amount <= left or (kind == "02" and amount != txn.amount):
            return "03", "Invalid amount"
        return "00", "Refund success"

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
