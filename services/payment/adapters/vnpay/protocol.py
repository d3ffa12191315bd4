"""VNPay 2.1.0 wire format: signed query strings, dates in GMT+7, amounts ×100.

The payment URL, the return URL and the IPN carry ``vnp_*`` parameters and a
``vnp_SecureHash``: HMAC-SHA512 (hex) with the terminal's secret over the
parameters sorted by name, each ``name=quote_plus(value)``, joined with ``&``,
excluding the hash fields and empty values. The merchant API (querydr, refund)
signs the listed values joined with ``|`` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote_plus, urlencode

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7))
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")

# vnp_ResponseCode values the sandbox produces (VNPay's table).
SUCCESS = "00"
EXPIRED = "11"
CANCELLED = "24"
FAILED = "51"

# IPN answers VNPay expects from the merchant.
IPN_CONFIRMED = {"RspCode": "00", "Message": "Confirm Success"}
IPN_NOT_FOUND = {"RspCode": "01", "Message": "Order not found"}
IPN_ALREADY = {"RspCode": "02", "Message": "Order already confirmed"}
IPN_BAD_AMOUNT = {"RspCode": "04", "Message": "Invalid amount"}
IPN_BAD_SIGNATURE = {"RspCode": "97", "Message": "Invalid signature"}
IPN_ERROR = {"RspCode": "99", "Message": "Unknown error"}
IPN_FINAL_CODES = ("00", "02")  # the provider stops retrying on these


def hash_data(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{key}={quote_plus(str(value))}"
        for key, value in sorted(params.items())
        if key.startswith("vnp_") and key not in HASH_FIELDS and str(value) != ""
    )


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), hash_data(params).encode(), hashlib.sha512).hexdigest()


def verify(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(given, sign(params, secret))


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """``params`` with their ``vnp_SecureHash`` as a query string."""
    clean = {k: str(v) for k, v in params.items() if str(v) != ""}
    return urlencode({**clean, "vnp_SecureHash": sign(clean, secret)})


def sign_pipe(values: Iterable[object], secret: str) -> str:
    data = "|".join("" if v is None else str(v) for v in values)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def format_date(moment: datetime) -> str:
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_date(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=GMT7).astimezone(UTC)


def to_vnp_amount(amount_vnd: int) -> str:
    return str(amount_vnd * 100)


def from_vnp_amount(text: str) -> int | None:
    """VND from ``vnp_Amount``; None unless a whole number of đồng."""
    if not text.isdigit() or int(text) % 100:
        return None
    return int(text) // 100


# querydr and refund: which fields are signed, in order (request and response).
QUERYDR_REQUEST = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
REFUND_REQUEST = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)


def sign_fields(body: Mapping[str, object], fields: Iterable[str], secret: str) -> str:
    return sign_pipe((body.get(f, "") for f in fields), secret)


def verify_fields(body: Mapping[str, object], fields: Iterable[str], secret: str) -> bool:
    given = str(body.get("vnp_SecureHash", "")).lower()
    return bool(given) and hmac.compare_digest(given, sign_fields(body, fields, secret))


# The sandbox's daily report (reconciliation; VNPay's own is a file): request fields, and
# the response signed over its id, code, terminal, day and a digest of the transactions.
REPORT_REQUEST = ("vnp_RequestId", "vnp_TmnCode", "vnp_Date")


def report_response_fields(body: Mapping[str, Any]) -> list[object]:
    digest = hashlib.sha256(
        json.dumps(body.get("transactions", []), sort_keys=True).encode()
    ).hexdigest()
    return [
        body.get("vnp_ResponseId"),
        body.get("vnp_ResponseCode"),
        body.get("vnp_TmnCode"),
        body.get("vnp_Date"),
        digest,
    ]
