"""The provider's merchant API from our side: refund and the daily report."""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.payment.adapters.vnpay import protocol
from services.payment.application.ports import ProviderError, ProviderTransaction

REFUND_ACCEPTED = ("00", "94")


def transaction(txn: dict[str, Any]) -> ProviderTransaction:
    """One row of the provider's report, its amounts in đồng."""
    return ProviderTransaction(
        ref=str(txn["vnp_TxnRef"]),
        paid=txn["vnp_TransactionStatus"] == "00",
        amount=protocol.from_vnp_amount(str(txn["vnp_Amount"])),
        refunded=protocol.from_vnp_amount(str(txn.get("vnp_RefundedAmount", "0"))) or 0,
    )


class VnpayApi:
    def __init__(self, *, tmn_code: str, secret: str, api_url: str, report_url: str) -> None:
        self.tmn_code = tmn_code
        self.secret = secret
        self.api_url = api_url
        self.report_url = report_url

    def refund(
        self,
        *,
        request_id: uuid.UUID,
        txn_ref: str,
        transaction_no: str,
        amount: int,
        full: bool,
        paid_at: datetime,
        created_by: str,
        client_ip: str,
    ) -> str:
        """Ask for a refund; a repeat with the same ``request_id`` refunds once."""
        body = {
            "vnp_RequestId": request_id.hex,
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": "02" if full else "03",
            "vnp_TxnRef": txn_ref,
            "vnp_Amount": protocol.to_vnp_amount(amount),
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionDate": protocol.format_date(paid_at),
            "vnp_CreateBy": created_by,
            "vnp_CreateDate": protocol.format_date(datetime.now(UTC)),
            "vnp_IpAddr": client_ip,
            "vnp_OrderInfo": f"Hoan tien {txn_ref}",
        }
        body["vnp_SecureHash"] = protocol.sign_fields(body, protocol.REFUND_REQUEST, self.secret)
        answer = self._post(self.api_url, body)
        if not protocol.verify_fields(answer, protocol.REFUND_RESPONSE, self.secret):
            raise ProviderError("provider answer is not signed")
        # 94: this very request was received before (our request ids are derived from the
        # refund, so it is a retry whose answer was lost); the daily report reconciles.
        if answer.get("vnp_ResponseCode") not in REFUND_ACCEPTED:
            raise ProviderError(f"refund refused: {answer.get('vnp_ResponseCode')}")
        return str(answer.get("vnp_ResponseId", request_id.hex))

    def report(self, day: str) -> list[ProviderTransaction]:
        """Every transaction of a GMT+7 day (``yyyyMMdd``), as the provider has them."""
        body = {"vnp_RequestId": uuid.uuid4().hex, "vnp_TmnCode": self.tmn_code, "vnp_Date": day}
        body["vnp_SecureHash"] = protocol.sign_fields(body, protocol.REPORT_REQUEST, self.secret)
        answer = self._post(self.report_url, body)
        signed = protocol.sign_pipe(protocol.report_response_fields(answer), self.secret)
        genuine = hmac.compare_digest(str(answer.get("vnp_SecureHash", "")), signed)
        if not genuine or answer.get("vnp_ResponseCode") != "00":
            raise ProviderError("report refused or not signed")
        return [transaction(txn) for txn in answer["transactions"]]

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = httpx.post(url, json=body, timeout=15, trust_env=False)
            response.raise_for_status()
            return dict(response.json())
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderError(f"provider unreachable: {error}") from error
