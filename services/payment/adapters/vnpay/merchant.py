"""The merchant side of VNPay: build the payment URL, read the provider's notifications.

Everything the provider sends is checked here before the domain sees it:
signature, terminal, order reference and amount format.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from services.payment.adapters.vnpay import protocol
from services.payment.application.ports import Notification, Outcome, Rejected
from services.payment.domain.status import FailureReason
from shared.vn.text import strip_marks

_FAILURES = {protocol.CANCELLED: FailureReason.CANCELLED, protocol.EXPIRED: FailureReason.EXPIRED}

ANSWERS: dict[Outcome, dict[str, str]] = {
    "confirmed": protocol.IPN_CONFIRMED,
    "duplicate": protocol.IPN_CONFIRMED,  # the same notification again: the same answer
    "already_confirmed": protocol.IPN_ALREADY,
    "unknown_attempt": protocol.IPN_NOT_FOUND,
    "invalid_amount": protocol.IPN_BAD_AMOUNT,
    "not_found": protocol.IPN_NOT_FOUND,
    "error": protocol.IPN_ERROR,
}


def ascii_text(text: str) -> str:
    """VNPay asks for order info without diacritics."""
    plain = strip_marks(text).encode("ascii", "ignore").decode()
    return " ".join(plain.split())[:255]


class VnpayMerchant:
    def __init__(self, *, tmn_code: str, secret: str, payment_url: str, return_url: str) -> None:
        self.tmn_code = tmn_code
        self.secret = secret
        self._payment_url = payment_url
        self.return_url = return_url

    def payment_url(
        self,
        *,
        attempt_id: str,
        amount: int,
        order_info: str,
        created_at: datetime,
        expires_at: datetime,
        client_ip: str,
    ) -> str:
        params = {
            "vnp_Version": protocol.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": protocol.to_vnp_amount(amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": attempt_id,
            "vnp_OrderInfo": ascii_text(order_info),
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": self.return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": protocol.format_date(created_at),
            "vnp_ExpireDate": protocol.format_date(expires_at),
        }
        return f"{self._payment_url}?{protocol.signed_query(params, self.secret)}"

    def answer(self, outcome: Outcome) -> dict[str, str]:
        """VNPay's JSON for one notification's outcome."""
        return ANSWERS[outcome]

    def read(self, params: Mapping[str, str]) -> Notification | Rejected:
        """Check a notification (IPN) or a return-URL visit; never trust it unsigned."""
        if not protocol.verify(params, self.secret):
            return Rejected(protocol.IPN_BAD_SIGNATURE, "invalid signature")
        if params.get("vnp_TmnCode") != self.tmn_code:
            return Rejected(protocol.IPN_BAD_SIGNATURE, "another terminal")
        ref = params.get("vnp_TxnRef", "")
        try:
            order_id = uuid.UUID(hex=ref[:32])
        except ValueError:
            return Rejected(protocol.IPN_NOT_FOUND, "reference is not ours")
        if len(ref) != 35 or not ref[32:].isdigit():
            return Rejected(protocol.IPN_NOT_FOUND, "reference is not ours")
        amount = protocol.from_vnp_amount(params.get("vnp_Amount", ""))
        if amount is None:
            return Rejected(protocol.IPN_BAD_AMOUNT, "amount is not whole đồng")
        code = params.get("vnp_ResponseCode", "")
        success = code == protocol.SUCCESS and params.get("vnp_TransactionStatus") == "00"
        try:
            paid_at = protocol.parse_date(params.get("vnp_PayDate", ""))
        except ValueError:
            return Rejected(protocol.IPN_ERROR, "invalid pay date")
        return Notification(
            order_id=order_id,
            attempt_id=ref,
            amount=amount,
            success=success,
            failure=None if success else _FAILURES.get(code, FailureReason.FAILED),
            response_code=code,
            provider_txn=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            paid_at=paid_at,
        )
